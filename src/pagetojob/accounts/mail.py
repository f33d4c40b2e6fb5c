"""Email goes through the worker: queued as a row, delivered with retries, its status recorded."""

from __future__ import annotations

import smtplib

from django.core.mail import send_mail

from pagetojob.accounts.models import OutboundEmail, Workspace
from pagetojob.core import clock, queue


def enqueue(kind: str, to: str, subject: str, body: str, workspace: Workspace | None = None) -> OutboundEmail:
    return OutboundEmail.objects.create(
        workspace=workspace, kind=kind, to=to, subject=subject, body=body, run_after=clock.now()
    )


def deliver(email: OutboundEmail) -> None:
    try:
        send_mail(email.subject, email.body, None, [email.to], fail_silently=False)
    except (TimeoutError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError) as error:
        raise queue.TransientError(f"Mail server unavailable: {error}") from error
    except smtplib.SMTPRecipientsRefused as error:
        raise queue.PermanentError(f"The mail server refused {email.to}") from error
    OutboundEmail.objects.filter(pk=email.pk).update(sent_at=clock.now())
