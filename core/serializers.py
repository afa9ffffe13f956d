"""Strict DRF serializers and fields: the API is as strict as its schema.

A strict serializer refuses, with a 400 field error, a field it does not declare or one that is
read-only, rather than silently dropping it, so a client never believes it set what it did not;
core.openapi reads `refuses_unknown_fields` and declares `additionalProperties: false`. Strict
fields take their own JSON type only: DRF's CharField turns 0, 1.5 or True into "0", "1.5",
"True", and its BooleanField takes "true", "on" or 1 for True.
"""

from django.db import models
from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A string only: DRF's CharField turns 0, 1.5 or True into "0", "1.5", "True" and stores it."""

    default_error_messages = {"not_a_string": "Enter a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class StrictEmailField(StrictCharField, serializers.EmailField):
    pass


class StrictDecimalField(serializers.DecimalField):
    """A decimal written as a JSON string, as the schema declares it (`type: string, format: decimal`):
    DRF's DecimalField also takes a JSON number, which a float may already have rounded."""

    default_error_messages = {"not_a_string": 'Enter the number as a string, e.g. "4.5".'}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not declare; the OpenAPI schema says so (additionalProperties: false,
    core.openapi reads `refuses_unknown_fields`)."""

    refuses_unknown_fields = True

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            errors = {}
            for name in data:
                if name in self.fields and name not in writable:
                    errors[name] = ["This field is read-only."]
                elif name not in self.fields:
                    errors[name] = ["Unknown field."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.EmailField: StrictEmailField,
        models.DecimalField: StrictDecimalField,
    }


class StrictBooleanField(serializers.BooleanField):
    """A JSON boolean only."""

    default_error_messages = {"not_a_boolean": "Enter true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("not_a_boolean")
        return data
