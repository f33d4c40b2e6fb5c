"""Sent whenever a workspace's ServiceTitan connection changes, so upper layers can react without titan
importing them: readiness records or withdraws the credentials gate, the sync queue holds or releases jobs.

Arguments: `workspace`; `connected` — True only when credentials are stored and their last test fetched a
token; `environment` (integration, production or sandbox); `detail` (a plain sentence for the gate's
evidence); `actor` (the user, or a label for the system); `reason` (connected, tested, test failed,
disconnected).
"""

from __future__ import annotations

from django.dispatch import Signal

connection_changed = Signal()
