"""Inserts and reads for the busiest write path (a public booking request and what commits with it).

`insert(obj)` stores an unsaved model instance with one prepared INSERT ... RETURNING statement whose
text is built once per model and database. Values go through each field's own `pre_save` and
`get_db_prep_save`, exactly as `Model.save()` prepares them (defaults, `auto_now_add`, JSON, time
zones), so the stored row is the same; what it skips is the per-call SQL compilation and the save
signals. Use it only for models without signal receivers or custom `save()` methods.
"""

from __future__ import annotations

from typing import Generic, TypeVar, cast

from django.db import connections
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)
_STATEMENTS: dict[tuple[type[Model], str], tuple[str, list]] = {}


def _statement(model: type[Model], using: str) -> tuple[str, list]:
    key = (model, connections[using].vendor)
    if key not in _STATEMENTS:
        quote = connections[using].ops.quote_name
        meta = model._meta
        assert meta.pk is not None
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        columns = ", ".join(quote(str(f.column)) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        _STATEMENTS[key] = (f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks}) "
                            f"RETURNING {quote(str(meta.pk.column))}", fields)
    return _STATEMENTS[key]


class Pending(Generic[M]):
    """New rows of one model, prepared now and inserted later in one statement.

    Preparing (defaults, `pre_save`, `get_db_prep_save`) is the Python-heavy part; doing it before a write
    lock is taken keeps the locked part down to the statement itself. `link()` fills a foreign key that
    only exists once an earlier row of the same transaction is stored. With several rows, `match` names a
    field whose value differs in every row: the database may return ids in any order, and they are given
    back to their instances by that value.
    """

    def __init__(self, objs: list[M], match: str = "", using: str = "default") -> None:
        self.objs: list[M]
        if not objs:
            raise ValueError("Pending() needs at least one row")
        model = type(objs[0])
        if model._meta.parents or any(type(obj) is not model or obj.pk is not None for obj in objs):
            raise ValueError(f"Pending() stores new, single-table {model.__name__} rows of one model only")
        self.objs, self.using, self.model = objs, using, model
        connection = connections[using]
        sql, self.fields = _statement(model, using)
        self.match = cast(Field, model._meta.get_field(match)) if match else None
        if len(objs) > 1:
            if self.match is None:
                raise ValueError("Pending() with several rows needs `match`")
            values = [getattr(obj, self.match.attname) for obj in objs]
            if len(set(values)) != len(values):
                raise ValueError(f"Pending() needs new rows with a distinct {match}")
            quote = connection.ops.quote_name
            head, _, _ = sql.partition(" VALUES ")
            row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
            sql = (f"{head} VALUES {', '.join([row] * len(objs))} "
                   f"RETURNING {quote(str(model._meta.pk.column))}, {quote(str(self.match.column))}")
        self.sql = sql
        self.params = [field.get_db_prep_save(field.pre_save(obj, True), connection)
                       for obj in objs for field in self.fields]

    def link(self, attname: str, value) -> None:
        """Set a column of every row (a foreign key id known only now), in the instances and the statement."""
        connection = connections[self.using]
        index = next(i for i, field in enumerate(self.fields) if field.attname == attname)
        prepared = self.fields[index].get_db_prep_save(value, connection)
        for number, obj in enumerate(self.objs):
            setattr(obj, attname, value)
            self.params[number * len(self.fields) + index] = prepared

    def run(self) -> list[M]:
        with connections[self.using].cursor() as cursor:
            cursor.execute(self.sql, self.params)
            if len(self.objs) == 1:
                self.objs[0].pk = cursor.fetchone()[0]
            else:
                assert self.match is not None
                by_value = {getattr(obj, self.match.attname): obj for obj in self.objs}
                for pk, value in cursor.fetchall():
                    by_value[value].pk = pk
        for obj in self.objs:
            obj._state.adding = False
            obj._state.db = self.using
        return self.objs


def insert(obj: M, using: str = "default") -> M:
    return Pending([obj], using=using).run()[0]


def insert_many(objs: list[M], match: str, using: str = "default") -> list[M]:
    """New rows of one model in one statement (see Pending for `match`)."""
    return Pending(objs, match, using).run() if objs else []


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
        sql = f"SELECT {', '.join(quote(str(f.column)) for f in fields)} FROM {quote(meta.db_table)}"
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
