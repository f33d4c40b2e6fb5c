"""What else happens after an import is applied (a drift review, for one).

Apps above taxonomy register here from AppConfig.ready(), so taxonomy never imports them. Callbacks run
after the apply has committed; a failing callback is logged and never undoes or fails the import.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("pagetojob.taxonomy")

_APPLIED: list[Callable[[Any, Any], object]] = []


def on_import_applied(callback: Callable[[Any, Any], object]) -> None:
    if callback not in _APPLIED:
        _APPLIED.append(callback)


def import_applied(batch: Any, actor: Any) -> None:
    for callback in _APPLIED:
        try:
            callback(batch, actor)
        except Exception:
            log.exception("after-import step %s failed for import %s", getattr(callback, "__name__", callback),
                          getattr(batch, "pk", None))


# The read-only API import lives above taxonomy (it needs readiness and titan); it registers itself here so
# the Imports screen can offer it without importing upward. The provider has `screen_state(workspace)` and
# `start(workspace, actor, families)`; its refusals are exceptions whose message is shown as is.
_API_IMPORT: list[Any] = []


def provide_api_import(provider: Any) -> None:
    _API_IMPORT[:] = [provider]


def api_import() -> Any | None:
    return _API_IMPORT[0] if _API_IMPORT else None
