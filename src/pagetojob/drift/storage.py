"""Writing a review's findings in one statement each (executemany), whatever their number.

Django's bulk_create splits rows into batches of 999 parameters on SQLite, so its query count grows with
the findings; a review must cost the same handful of statements at any size.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models

# Values of these fields need the backend's adaptation (JSON, dates, decimals); the rest go as they are.
ADAPTED = (models.JSONField, models.DateField, models.DecimalField)


def _adapter(field: models.Field, connection: Any) -> Callable[[Any], Any]:
    if isinstance(field, ADAPTED):
        return lambda value: field.get_db_prep_save(value, connection)
    if isinstance(field, (models.CharField, models.TextField)):
        return lambda value: None if value is None else str(value)  # choices members as plain text
    return lambda value: value


def _columns(model: type[models.Model], names: list[str]) -> list[models.Field]:
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    return [by_attname[name] for name in names]


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert rows (attname -> value); columns a row leaves out take the field's default."""
    if not rows:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    adapters = [(field.attname, _adapter(field, connection), field.get_default()) for field in fields]
    ops = connection.ops
    params = [[adapt(row[name] if name in row else default) for name, adapt, default in adapters] for row in rows]
    columns = ", ".join(ops.quote_name(str(field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})",
                           params)


def update_rows(model: type[models.Model], names: list[str], rows: list[dict[str, Any]]) -> None:
    """Update the named columns of each row, found by its "id"."""
    if not rows:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    fields = _columns(model, names)
    adapters = [(field.attname, _adapter(field, connection)) for field in fields]
    ops = connection.ops
    assignments = ", ".join(f"{ops.quote_name(str(field.column))} = %s" for field in fields)
    params = [[adapt(row[name]) for name, adapt in adapters] + [row["id"]] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {ops.quote_name(model._meta.db_table)} SET {assignments} WHERE "
                           f"{ops.quote_name(model._meta.pk.column or 'id')} = %s", params)
