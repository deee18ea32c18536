"""Single-row inserts whose SQL is compiled once per model and database, then reused.

``Message.objects.create()`` ran Django's whole save path for every ``POST /messages``, building and
compiling the same INSERT each time: about 70 of the 220 µs of CPU the insert cost (measured
in-process), 7 % of a post's instructions (``make instructions``). ``insert`` does what ``save()``
does for a new row of a plain model (each field's ``pre_save``, the database's preparation of each
value, INSERT ... RETURNING, the returned values set on the instance, the instance marked as saved)
with the SQL Django compiled the first time.

Anything it would not do exactly as ``save()`` does goes through ``save()`` instead:
- a model with parents, ``order_with_respect_to``, relations, or a key the database does not assign;
- an instance whose key is already set, or a model with ``pre_save`` or ``post_save`` receivers;
- a backend that cannot return the key from the INSERT, or whose returned values need converting;
- compiled SQL whose parameters are not exactly the field values, one each, in order.
"""

from dataclasses import dataclass

from django.db import connections, router, transaction
from django.db.models import Model, signals
from django.db.models.sql import InsertQuery


@dataclass(frozen=True)
class CompiledInsert:
    sql: str
    fields: tuple
    returning: tuple


# A model and database whose inserts always go through save().
NOT_REUSABLE = CompiledInsert(sql="", fields=(), returning=())
_compiled: dict[tuple[type[Model], str], CompiledInsert] = {}


def insert(instance: Model) -> None:
    """Insert the new ``instance`` as ``instance.save(force_insert=True)`` would, and mark it saved."""
    model = type(instance)
    using = router.db_for_write(model, instance=instance)
    compiled = _compiled.get((model, using))
    if compiled is None:
        compiled = _compiled[(model, using)] = _compile(model, using)
    values = None if compiled is NOT_REUSABLE else _new_row_values(instance, compiled.fields)
    if values is None:
        instance.save(force_insert=True, using=using)
        return
    connection = connections[using]
    params = _db_params(compiled.fields, values, connection)
    # As save() does outside transaction.atomic: a failed insert inside an atomic block marks it for rollback.
    with transaction.mark_for_rollback_on_error(using), connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        returned = cursor.fetchone()
    for field, value in zip(compiled.returning, returned, strict=True):
        setattr(instance, field.attname, value)
    instance._state.adding = False
    instance._state.db = using


def _new_row_values(instance: Model, fields: tuple) -> list | None:
    """The values save() would insert for ``instance``; None if save() would do more than that INSERT.

    Checked on every insert: receivers can be connected at any time, and a value can be an expression
    (``Now()``, ``F()``), which Django compiles into the SQL instead of sending it as a parameter.
    """
    model = type(instance)
    if not instance._state.adding or instance.pk is not None:
        return None
    if signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model):
        return None
    values = [field.pre_save(instance, True) for field in fields]
    if any(hasattr(value, "resolve_expression") for value in values):
        return None
    return values


def _db_params(fields: tuple, values: list, connection) -> list:
    """The values as the INSERT sends them: one rule for the compiled check and every insert after it."""
    return [field.get_db_prep_save(value, connection) for field, value in zip(fields, values, strict=True)]


def _compile(model: type[Model], using: str) -> CompiledInsert:
    """The INSERT save() runs for a new ``model`` row, if the model and backend allow reusing it."""
    meta = model._meta
    connection = connections[using]
    returning = tuple(meta.db_returning_fields)
    if (
        meta.parents
        or meta.order_with_respect_to
        or meta.pk is not meta.auto_field
        or returning != (meta.pk,)
        or any(field.is_relation for field in meta.concrete_fields)
        or not connection.features.can_return_columns_from_insert
    ):
        return NOT_REUSABLE
    fields = tuple(field for field in meta.local_concrete_fields if not field.generated and field is not meta.pk)
    # Compiled for an instance with the model's defaults: the SQL of plain values does not depend on them.
    probe = model()
    values = _db_params(fields, [field.pre_save(probe, True) for field in fields], connection)
    query = InsertQuery(model)
    query.insert_values(fields, [probe])
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = returning
    statements = compiler.as_sql()
    columns = [field.get_col(meta.db_table) for field in returning]
    if len(statements) != 1 or compiler.returning_params or compiler.get_converters(columns):
        return NOT_REUSABLE
    [(sql, params)] = statements
    if list(params) != values:
        return NOT_REUSABLE
    return CompiledInsert(sql=sql, fields=fields, returning=returning)
