"""The data inventory for compliance officers: the registry of compliance.inventory as a page,
filtered, and as CSV with the same filters."""

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.roles import Role
from compliance.forms import InventoryFilterForm
from compliance.inventory import MODELS, RETENTION, FieldEntry, inventory_coverage
from compliance.selectors import inventory_entries
from records.decorators import roles_required

CSV_COLUMNS = [
    ("model", "Model"),
    ("field", "Field"),
    ("category", "Category"),
    ("subject", "Whose data"),
    ("personal", "Personal data"),
    ("lawful_basis", "Lawful basis"),
    ("purpose", "Purpose"),
    ("retention", "Retention"),
    ("export", "In the export"),
    ("erasure", "On erasure"),
    ("description", "Description"),
]
# A cell starting with one of these is a formula to a spreadsheet (CSV injection): it is quoted.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    text = "yes" if value is True else "no" if value is False else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _filtered(request) -> tuple[InventoryFilterForm, list[FieldEntry]]:
    form = InventoryFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, []
    filters = form.cleaned_data if form.is_bound else {}
    return form, inventory_entries(user=request.user, **{name: value for name, value in filters.items() if value})


@roles_required(Role.COMPLIANCE)
@require_GET
def inventory_page(request):
    form, entries = _filtered(request)
    coverage = inventory_coverage()
    return render(
        request,
        "compliance/inventory.html",
        {
            "form": form,
            "entries": entries,
            "models": MODELS,
            "retention": RETENTION,
            "coverage": coverage,
            "query": request.GET.urlencode(),
        },
    )


@roles_required(Role.COMPLIANCE)
@require_GET
def inventory_csv(request):
    form, entries = _filtered(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse("Unknown filter value.", status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="healthpro-data-inventory.csv"'
    writer = csv.writer(response)
    writer.writerow([title for _, title in CSV_COLUMNS])
    for entry in entries:
        writer.writerow([csv_cell(getattr(entry, name)) for name, _ in CSV_COLUMNS])
    return response
