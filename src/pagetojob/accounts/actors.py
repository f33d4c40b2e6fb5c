"""Who a command-line action is recorded as: a user named by email, or the command line itself."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def command_line_actor(email: str | None) -> Any:
    if not email:
        return "command line"
    user = get_user_model()._default_manager.filter(email__iexact=email).first()
    if user is None:
        raise CommandError(f"No user with the email {email}.")
    return user
