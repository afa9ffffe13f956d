"""core.openapi: the schema says what the API takes."""

import jsonschema
from drf_spectacular.generators import SchemaGenerator

from core.openapi import BLANK_BRANCH, NO_NUL_PATTERN, _without_redundant_blank_branch


def test_a_blank_string_fits_a_blank_allowed_search_field_exactly_once():
    """`oneOf: [string with the NUL pattern, blank string]` made "" fit both branches, so a search
    with an empty `mrn` broke the schema although the API takes it (schemathesis ST201)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    search = schema["components"]["schemas"]["PatientSearchRequest"]
    for name in ("mrn", "family_name", "given_name", "email", "phone"):
        assert "oneOf" not in search["properties"][name]
        jsonschema.validate({name: ""}, search)
        jsonschema.validate({name: "Doe"}, search)
    try:
        jsonschema.validate({"mrn": "x" * 33}, search)
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("an mrn over 32 characters must not fit the schema")


def test_only_the_redundant_blank_branch_goes():
    with_nul = {"oneOf": [{"type": "string", "pattern": NO_NUL_PATTERN, "maxLength": 5}, BLANK_BRANCH]}
    assert _without_redundant_blank_branch(with_nul) == {"type": "string", "pattern": NO_NUL_PATTERN, "maxLength": 5}
    # A pattern the empty string does not match needs the blank branch: it stays.
    icd10 = {"oneOf": [{"type": "string", "pattern": "^[A-Z][0-9]{2}$"}, BLANK_BRANCH]}
    assert _without_redundant_blank_branch(icd10) == icd10
