"""Single-row inserts for the busiest write path (a public booking request and what commits with it).

`insert(obj)` stores an unsaved model instance with one prepared INSERT ... RETURNING statement whose
text is built once per model and database. Values go through each field's own `pre_save` and
`get_db_prep_save`, exactly as `Model.save()` prepares them (defaults, `auto_now_add`, JSON, time
zones), so the stored row is the same; what it skips is the per-call SQL compilation and the save
signals. Use it only for models without signal receivers or custom `save()` methods.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import connections
from django.db.models import Model

M = TypeVar("M", bound=Model)
_STATEMENTS: dict[tuple[type[Model], str], tuple[str, list]] = {}


def _statement(model: type[Model], using: str) -> tuple[str, list]:
    key = (model, connections[using].vendor)
    if key not in _STATEMENTS:
        quote = connections[using].ops.quote_name
        meta = model._meta
        assert meta.pk is not None
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        columns = ", ".join(quote(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        _STATEMENTS[key] = (f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks}) "
                            f"RETURNING {quote(meta.pk.column)}", fields)
    return _STATEMENTS[key]


def insert(obj: M, using: str = "default") -> M:
    model = type(obj)
    if obj.pk is not None or model._meta.parents:
        raise ValueError(f"insert() stores new, single-table {model.__name__} rows only")
    connection = connections[using]
    sql, fields = _statement(model, using)
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = using
    return obj


def insert_many(objs: list[M], match: str, using: str = "default") -> list[M]:
    """New rows of one model in one statement; `match` names a field whose value differs in every row, by which
    the returned ids are given back to their instances (the database may return them in any order)."""
    if len(objs) <= 1:
        return [insert(obj, using) for obj in objs]
    model = type(objs[0])
    connection = connections[using]
    quote = connection.ops.quote_name
    sql, fields = _statement(model, using)
    head, _, _ = sql.partition(" VALUES ")
    row_marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
    match_field = model._meta.get_field(match)
    by_value = {getattr(obj, match_field.attname): obj for obj in objs}
    if len(by_value) != len(objs) or any(obj.pk is not None for obj in objs):
        raise ValueError(f"insert_many() needs new rows with a distinct {match}")
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for obj in objs for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(f"{head} VALUES {', '.join([row_marks] * len(objs))} "
                       f"RETURNING {quote(model._meta.pk.column)}, {quote(match_field.column)}", params)
        for pk, value in cursor.fetchall():
            by_value[value].pk = pk
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using
    return objs


def set_column(obj: Model, attname: str, value, using: str = "default") -> None:
    """Update one column of one stored row (and the instance) without compiling a queryset."""
    connection = connections[using]
    quote = connection.ops.quote_name
    field = obj._meta.get_field(attname.removesuffix("_id"))
    setattr(obj, attname, value)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(obj._meta.db_table)} SET {quote(field.column)} = %s "
                       f"WHERE {quote(obj._meta.pk.column)} = %s",
                       [field.get_db_prep_save(value, connection), obj.pk])


_SELECTS: dict[tuple[type[Model], str], tuple[str, list[str], list]] = {}


def _select_statement(model: type[Model], using: str) -> tuple[str, list[str], list]:
    connection = connections[using]
    key = (model, connection.vendor)
    if key not in _SELECTS:
        quote = connection.ops.quote_name
        meta = model._meta
        fields = list(meta.concrete_fields)
        converters = []
        for index, field in enumerate(fields):
            column = field.get_col(meta.db_table)
            found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
            if found:
                converters.append((index, column, found))
        sql = f"SELECT {', '.join(quote(f.column) for f in fields)} FROM {quote(meta.db_table)}"
        _SELECTS[key] = (sql, [f.attname for f in fields], converters)
    return _SELECTS[key]


def select(model: type[M], where: str = "", params: list | tuple = (), tail: str = "",
           using: str = "default") -> list[M]:
    """Rows of one table as model instances, converted as the ORM converts them, without compiling a queryset.

    `where` and `tail` are SQL written by the caller (never user text); values go in `params`.
    """
    connection = connections[using]
    sql, attnames, converters = _select_statement(model, using)
    if where:
        sql += f" WHERE {where}"
    if tail:
        sql += f" {tail}"
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        rows = cursor.fetchall()
    found = []
    for row in rows:
        values = list(row)
        for index, column, functions in converters:
            for convert in functions:
                values[index] = convert(values[index], column, connection)
        found.append(model.from_db(using, attnames, values))
    return found
