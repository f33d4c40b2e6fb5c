"""Email goes through the worker: queued as a row, delivered with retries, its status recorded."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable

from django.core.mail import send_mail
from django.db import transaction

from pagetojob.accounts.models import OutboundEmail, Workspace
from pagetojob.core import clock, fastsql, queue

log = logging.getLogger("pagetojob.mail")

# Apps above accounts (intake, for one) learn of deliveries here; they register from AppConfig.ready().
_DELIVERED: list[Callable[[OutboundEmail], None]] = []


def on_delivered(callback: Callable[[OutboundEmail], None]) -> None:
    if callback not in _DELIVERED:
        _DELIVERED.append(callback)


def enqueue(kind: str, to: str, subject: str, body: str, workspace: Workspace | None = None) -> OutboundEmail:
    return enqueue_many(kind, [to], subject, body, workspace)[0]


def stage_many(kind: str, recipients: list[str], subject: str, body: str,
               workspace: Workspace | None = None) -> fastsql.Pending | None:
    """One email per distinct recipient, prepared now and inserted in one statement by `.run()` (the intake
    path prepares before it takes the write lock). None without recipients."""
    now = clock.now()
    emails = [OutboundEmail(workspace=workspace, kind=kind, to=to, subject=subject, body=body, run_after=now)
              for to in dict.fromkeys(recipients)]
    return fastsql.Pending(emails, match="to") if emails else None


def enqueue_many(kind: str, recipients: list[str], subject: str, body: str,
                 workspace: Workspace | None = None) -> list[OutboundEmail]:
    staged = stage_many(kind, recipients, subject, body, workspace)
    return staged.run() if staged is not None else []


def deliver(email: OutboundEmail) -> None:
    try:
        send_mail(email.subject, email.body, None, [email.to], fail_silently=False)
    except (TimeoutError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError) as error:
        raise queue.TransientError(f"Mail server unavailable: {error}") from error
    except smtplib.SMTPRecipientsRefused as error:
        raise queue.PermanentError(f"The mail server refused {email.to}") from error
    email.sent_at = clock.now()
    with transaction.atomic():
        OutboundEmail.objects.filter(pk=email.pk).update(sent_at=email.sent_at)
        for callback in _DELIVERED:
            try:
                with transaction.atomic():
                    callback(email)
            except Exception:  # the email did go out; a failing follow-up must not make it look unsent
                log.exception("after-delivery hook %s failed for email %s", callback.__name__, email.pk)
