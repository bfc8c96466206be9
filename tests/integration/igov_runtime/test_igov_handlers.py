"""iGov's mail tasks and beans run by the platform's handlers on a real application (database, outbox)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from engine.db import unit_of_work
from engine.models import Application, OutboxMessage
from engine.services.cases.applications import start_application
from engine.services.context import Actor, Platform
from engine.services.handlers import HandlerContext, HandlerError
from engine.services.handlers.registry import get_handler
from engine.store import applications, directory

SERVICE = "zhitomir_mvk_2"  # the iGov demo service (processes/igov/zhitomir_mvk-2.bpmn)


@pytest.fixture
def context(platform: Platform) -> Iterator[tuple[Session, Application, HandlerContext]]:
    with unit_of_work(platform.write_sessions) as db:
        user = directory.find_user(db, "citizen")
        assert user is not None
        reference = start_application(db, platform, Actor.of(user), SERVICE).reference
        application = applications.find_by_reference(db, reference)
        assert application is not None
        ctx = HandlerContext(
            db=db,
            platform=platform,
            application=application,
            element_id="mailtask1",
            task_id="t-1",
            now=platform.clock.now(),
            data={"decision": "reject", "visitDay": "14.03.2031 10:30", "comment": "<script>x</script>"},
        )
        yield db, application, ctx


def _bean(ctx: HandlerContext, **params: object) -> object:
    handler = get_handler("igov_bean")
    assert handler is not None and handler.merge
    return handler.function(ctx, dict(params))


def test_a_mail_bean_queues_the_letter_with_igov_tags_rendered(
    context: tuple[Session, Application, HandlerContext],
) -> None:
    db, application, ctx = context
    result = _bean(
        ctx,
        bean="MailTaskWithAttachments",
        to='"maria@example.org"',
        subject="Звернення [sID_Order]",
        text="[pattern/mail/_common_header.html]<p>Коментар: <script>x</script></p>[pattern/mail/_common_footer.html]",
        saAttachmentsForSend='"sFile"',
    )
    assert result == {}  # a mail bean sets no variables
    (message,) = db.query(OutboxMessage).filter(OutboxMessage.application_id == application.id).all()
    assert message.to_address == "maria@example.org"
    assert message.subject == f"Звернення {application.reference}"
    assert message.body_html is not None and "<script>" not in message.body_html
    assert "Портал державних послуг" in message.body_html and "автоматично" in message.body_text
    again = _bean(ctx, bean="MailTaskWithAttachments", to="maria@example.org", subject="x", text="y")
    assert again == {}
    assert db.query(OutboxMessage).filter(OutboxMessage.application_id == application.id).count() == 1  # same key


def test_native_mail_tasks_need_an_address(context: tuple[Session, Application, HandlerContext]) -> None:
    _db, _application, ctx = context
    mail = get_handler("igov_mail")
    assert mail is not None
    with pytest.raises(HandlerError, match="no e-mail address"):
        mail.function(ctx, {"to": "", "subject": "s", "text": "t"})


def test_counter_queue_ticket_and_file_upload_beans(context: tuple[Session, Application, HandlerContext]) -> None:
    _db, application, ctx = context
    counted = _bean(ctx, bean="ProcessCountTaskCustomListener", sPattern="[sID_Custom_GovPublic]", nDigits="5")
    assert isinstance(counted, dict) and counted["sID_Custom_GovPublic"].startswith("0000")
    assert int(counted["sID_Custom_GovPublic"]) >= 1
    ticket = _bean(ctx, bean="procedQueueTickets")
    assert isinstance(ticket, dict) and ticket["date_of_visit"] == "2031-03-14 10:30:00.00"
    assert json.loads(ticket["visitDay"])["sDate"] == "2031-03-14 10:30:00.00"
    assert _bean(ctx, bean="fileTaskUpload") == {}
    assert application.status == "active"


def test_an_unknown_bean_is_a_failure_for_an_incident(context: tuple[Session, Application, HandlerContext]) -> None:
    _db, _application, ctx = context
    with pytest.raises(HandlerError, match="unknown iGov bean 'Update_ARM'"):
        _bean(ctx, bean="Update_ARM")
    with pytest.raises(HandlerError, match="not a date"):
        _bean(HandlerContext(**{**ctx.__dict__, "data": {"visitDay": "завтра"}}), bean="procedQueueTickets")
