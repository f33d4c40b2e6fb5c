"""What else must be stored in the same transaction as a booking request (the handoff draft, for one).

Apps at the same level register here from AppConfig.ready(), so intake never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_STORED: list[Callable[[Any], None]] = []


def on_request_stored(callback: Callable[[Any], None]) -> None:
    if callback not in _STORED:
        _STORED.append(callback)


def request_stored(booking_request: Any) -> None:
    for callback in _STORED:
        callback(booking_request)
