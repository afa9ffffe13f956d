"""data.json of an export: what the data inventory marks for export about the patient, as stored.

    {"records.Patient": [{"id": 7, "mrn": "...", ...}], "records.Encounter": [...], ...}

One key per exportable model of the inventory (compliance.inventory.exportable_models), each a
list of the rows reachable from the patient through the model's `patient_path`, in id order; in
each row exactly the fields the inventory marks for export, named as it names them. A foreign key
is the id it points at, a many-to-many the list of ids; dates and times are ISO 8601 (UTC),
decimals strings. Rows are read and written one batch at a time.
"""

import base64
import json
from collections.abc import Iterator

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder

from compliance.inventory import export_fields, exportable_models
from records.models import Patient

ROWS_PER_QUERY = 500


class ExportJSONEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, bytes | memoryview):
            return base64.b64encode(bytes(o)).decode("ascii")
        return super().default(o)


def rows_of(model_label: str, patient_path: str, patient: Patient):
    """The rows of `model_label` about `patient`, through the inventory's path."""
    model = apps.get_model(model_label)
    if patient_path == "":
        queryset = model.objects.filter(pk=patient.pk)
    else:
        queryset = model.objects.filter(**{patient_path: patient})
    return queryset.order_by("pk").distinct()


def row_values(row, names: list[str]) -> dict:
    values = {}
    for name in names:
        model_field = row._meta.get_field(name)
        if model_field.many_to_many:
            values[name] = sorted(getattr(row, name).values_list("pk", flat=True))
        elif model_field.is_relation:
            values[name] = getattr(row, model_field.attname)
        else:
            values[name] = getattr(row, name)
    return values


def data_rows(patient: Patient) -> Iterator[tuple[str, Iterator[dict]]]:
    """(model label, its rows as {field: value}) for every exportable model, rows produced lazily."""
    for model_entry in exportable_models():
        names = export_fields(model_entry.model)
        rows = rows_of(model_entry.model, model_entry.patient_path, patient)
        yield model_entry.model, (row_values(row, names) for row in rows.iterator(chunk_size=ROWS_PER_QUERY))


def write_data_json(stream, patient: Patient) -> dict[str, int]:
    """Write data.json to the binary `stream`; returns the row count per model."""
    counts = {}
    stream.write(b"{")
    for position, (label, rows) in enumerate(data_rows(patient)):
        stream.write((", " if position else "").encode() + json.dumps(label).encode() + b": [")
        count = 0
        for values in rows:
            stream.write((", " if count else "").encode() + json.dumps(values, cls=ExportJSONEncoder).encode("utf-8"))
            count += 1
        stream.write(b"]")
        counts[label] = count
    stream.write(b"}")
    return counts
