"""The data inventory: every field of every model stored in HealthPro's database, with its
category, whose data it is, its lawful basis and purpose, its retention, whether a data-subject
export carries it and what erasure does to it.

It is the single source the compliance officers' inventory page, the data-subject export and the
erasure read, so the three cannot drift apart; compliance/tests/test_inventory.py fails when a
model field has no entry or an entry names a field that does not exist. A new model or field is
classified here in the same change that adds it.
"""

from dataclasses import dataclass

from django.apps import apps

from compliance.inventory import consents, exports, incidents, project, requests, third_party
from compliance.inventory.types import RETENTION, Category, Erasure, FieldEntry, ModelEntry, Subject

_BLOCKS = [*project.BLOCKS, *consents.BLOCKS, *requests.BLOCKS, *exports.BLOCKS, *incidents.BLOCKS, *third_party.BLOCKS]

REGISTRY: tuple[FieldEntry, ...] = tuple(entry for _, fields in _BLOCKS for entry in fields)
MODELS: dict[str, ModelEntry] = {model.model: model for model, _ in _BLOCKS}

__all__ = [
    "MODELS",
    "REGISTRY",
    "RETENTION",
    "Category",
    "Erasure",
    "FieldEntry",
    "ModelEntry",
    "Subject",
    "export_fields",
    "exportable_models",
    "fields_of",
    "inventory_coverage",
]


def fields_of(model_label: str) -> list[FieldEntry]:
    return [entry for entry in REGISTRY if entry.model == model_label]


def export_fields(model_label: str) -> list[str]:
    """The names of the fields of `model_label` that a data-subject export carries, in model order."""
    return [entry.field for entry in fields_of(model_label) if entry.export]


def exportable_models() -> list[ModelEntry]:
    """The models with fields to export and a path to the patient their rows are about."""
    return [model for model in MODELS.values() if model.patient_path is not None and export_fields(model.model)]


@dataclass(frozen=True)
class Coverage:
    stored: frozenset[tuple[str, str]]  # (model label, field name) of every field in the database
    classified: frozenset[tuple[str, str]]
    missing: frozenset[tuple[str, str]]  # stored, without an entry
    unknown: frozenset[tuple[str, str]]  # an entry for no stored field


def stored_fields() -> frozenset[tuple[str, str]]:
    """Every concrete and many-to-many field (pk included) of every installed model with a table
    of its own: a proxy model stores nothing of its own, and a many-to-many's automatic through
    table is the field that declares it."""
    return frozenset(
        (model._meta.label, model_field.name)
        for model in apps.get_models()
        if not model._meta.proxy
        for model_field in [*model._meta.concrete_fields, *model._meta.many_to_many]
    )


def inventory_coverage(registry: tuple[FieldEntry, ...] = REGISTRY) -> Coverage:
    stored = stored_fields()
    classified = frozenset((entry.model, entry.field) for entry in registry)
    return Coverage(stored=stored, classified=classified, missing=stored - classified, unknown=classified - stored)
