"""Writing a review's findings in one statement each (executemany), whatever their number.

Django's bulk_create splits rows into batches of 999 parameters on SQLite, so its query count grows with
the findings; a review must cost the same handful of statements at any size.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models


def _columns(model: type[models.Model], names: list[str]) -> list[models.Field]:
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    return [by_attname[name] for name in names]


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert rows (attname -> value); columns a row leaves out take the field's default."""
    if not rows:
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    ops = connection.ops
    params = []
    for row in rows:
        values = []
        for field in fields:
            value = row[field.attname] if field.attname in row else field.get_default()
            values.append(field.get_db_prep_save(value, connection))
        params.append(values)
    columns = ", ".join(ops.quote_name(str(field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})",
                           params)


def update_rows(model: type[models.Model], names: list[str], rows: list[dict[str, Any]]) -> None:
    """Update the named columns of each row, found by its "id"."""
    if not rows:
        return
    fields = _columns(model, names)
    ops = connection.ops
    assignments = ", ".join(f"{ops.quote_name(str(field.column))} = %s" for field in fields)
    params = [[field.get_db_prep_save(row[field.attname], connection) for field in fields] + [row["id"]]
              for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {ops.quote_name(model._meta.db_table)} SET {assignments} WHERE "
                           f"{ops.quote_name(model._meta.pk.column or 'id')} = %s", params)
