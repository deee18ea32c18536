"""Inserts through compiled SQL store and return exactly what save() does, and leave to save() what it must do."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.db.models import signals
from django.db.models.functions import Now
from django.db.models.sql.compiler import SQLInsertCompiler

from messaging import compiled_insert
from messaging.compiled_insert import NOT_REUSABLE, insert
from messaging.models import Message
from messaging.services import message_create

pytestmark = pytest.mark.django_db

CREATED_AT = datetime(2026, 11, 29, 6, 0, 0, 123456, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch):
    """Each test compiles its own INSERTs, so none sees another's."""
    monkeypatch.setattr(compiled_insert, "_compiled", {})


@pytest.fixture
def compilations(monkeypatch):
    """How many INSERTs Django compiled."""
    calls = []
    as_sql = SQLInsertCompiler.as_sql

    def counting(self, *args, **kwargs):
        calls.append(self.query.model)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLInsertCompiler, "as_sql", counting)
    return calls


@pytest.fixture
def saves(monkeypatch):
    """The instances that went through Model.save()."""
    saved = []
    save = Message.save

    def recording(self, *args, **kwargs):
        saved.append(self)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Message, "save", recording)
    return saved


def _row(pk):
    return Message.objects.filter(pk=pk).values("sender", "content", "created_at").get()


def test_stores_and_returns_what_save_does(saves):
    compiled = Message(sender="alice", content="héllo ✓", created_at=CREATED_AT)
    insert(compiled)
    saved = Message.objects.create(sender="alice", content="héllo ✓", created_at=CREATED_AT)

    assert type(compiled.pk) is int
    assert compiled.pk == saved.pk - 1
    assert _row(compiled.pk) == _row(saved.pk) == {"sender": "alice", "content": "héllo ✓", "created_at": CREATED_AT}
    assert (compiled._state.adding, compiled._state.db) == (saved._state.adding, saved._state.db) == (False, "default")
    assert saves == [saved]


def test_the_default_timestamp_is_set_on_the_instance_and_stored():
    before = datetime.now(UTC)
    message = message_create(sender="bob", content="hi")

    assert before <= message.created_at <= datetime.now(UTC)
    assert _row(message.pk)["created_at"] == message.created_at


def test_compiles_once_for_every_insert(compilations):
    ids = [message_create(sender="carol", content=f"message {n}").pk for n in range(5)]

    assert compilations == [Message]
    assert ids == sorted(ids)
    assert [_row(pk)["content"] for pk in ids] == [f"message {n}" for n in range(5)]


@pytest.mark.parametrize("signal", [signals.pre_save, signals.post_save])
def test_a_model_with_save_receivers_goes_through_save(signal, saves):
    heard = []

    def receiver(sender, instance, **kwargs):
        heard.append((instance.content, kwargs.get("created")))

    signal.connect(receiver, sender=Message)
    try:
        message = message_create(sender="dave", content="heard")
    finally:
        signal.disconnect(receiver, sender=Message)

    assert heard == [("heard", None if signal is signals.pre_save else True)]
    assert saves == [message]
    assert _row(message.pk)["content"] == "heard"


def test_an_instance_with_its_own_key_goes_through_save(saves):
    message = Message(id=424242, sender="erin", content="keyed", created_at=CREATED_AT)
    insert(message)

    assert saves == [message]
    assert _row(424242)["content"] == "keyed"


def test_an_expression_value_goes_through_save_and_reuse_resumes_after_it(saves, compilations):
    message = Message(sender="frank", content="now", created_at=Now())
    insert(message)
    following = message_create(sender="frank", content="plain")

    assert saves == [message]
    assert abs(_row(message.pk)["created_at"] - datetime.now(UTC)) < timedelta(minutes=1)
    assert _row(following.pk)["content"] == "plain"
    # One compilation for save(), one for the reusable SQL, none for the later plain insert.
    assert len(compilations) == 2


def test_a_model_whose_key_the_database_does_not_assign_is_never_reused():
    session = Session(session_key="k" * 32, session_data="data", expire_date=CREATED_AT)
    insert(session)

    assert compiled_insert._compiled[(Session, "default")] is NOT_REUSABLE
    assert Session.objects.get(session_key="k" * 32).session_data == "data"
    assert session._state.adding is False


def test_a_failed_insert_raises_and_marks_the_enclosing_atomic_block_for_rollback():
    message_create(sender="gina", content="compile first")

    with transaction.atomic():
        with pytest.raises(IntegrityError):
            insert(Message(sender=None, content="no sender"))
        assert transaction.get_connection().needs_rollback

    assert not Message.objects.filter(content="no sender").exists()
