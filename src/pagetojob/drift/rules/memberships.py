"""Rule 7: a membership page bound to a retired membership type, or whose recurring services are gone."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from pagetojob.drift.models import Severity
from pagetojob.drift.rules.base import Detected, Rule, day, described, missing_since
from pagetojob.drift.snapshot import Item, Snapshot
from pagetojob.sites.models import PageKind

RULE_ID = "retired_membership"


def check(snapshot: Snapshot) -> Iterator[Detected]:
    recurring: dict[int, list[Item]] = defaultdict(list)
    for service in snapshot.items["recurring-service-types"].values():
        if service.membership_type_id is not None:
            recurring[service.membership_type_id].append(service)
    for page in snapshot.live_pages:
        if page.kind != PageKind.MEMBERSHIP or page.binding_id is None:
            continue
        membership = snapshot.item("membership-types", page.membership_type_id)
        if membership is None:
            continue  # an unbound membership page is a Titan Map gap, not drift
        gone_at = missing_since(snapshot, membership)
        if not membership.active or gone_at is not None:
            state = "retired (inactive in ServiceTitan)" if not membership.active else \
                f"not in the newest export of membership types (applied {day(gone_at)})" if gone_at else ""
            yield Detected(
                RULE_ID, Severity.HIGH,
                f"The page sells the membership “{membership.name}”, which is {state}: sign-ups cannot be sold "
                "or renewed in ServiceTitan.",
                "Bind the membership type that replaced it and update the page's name and price, or retire the page.",
                page, membership, aspect="retired",
                evidence=[f"Membership type {described(membership)}: {state}", f"Binding status: {page.status}"])
            continue
        for service in sorted(recurring.get(membership.id, []), key=lambda s: s.name):
            service_gone = missing_since(snapshot, service)
            if service.active and service_gone is None:
                continue
            state = "inactive in ServiceTitan" if not service.active else "not in the newest export"
            yield Detected(
                RULE_ID, Severity.MEDIUM,
                f"The membership “{membership.name}” on this page includes the recurring service “{service.name}”, "
                f"which is {state}: the visits the page promises will not be scheduled.",
                "Add the replacement recurring service to the membership in ServiceTitan, or change what the page "
                "promises members.",
                page, service, aspect="recurring",
                evidence=[f"Membership type {described(membership)}: active",
                          f"Recurring service {described(service)}: {state}"])


RULE = Rule(
    RULE_ID, 7, "Membership page bound to a retired membership", Severity.HIGH,
    "A membership page sells a ServiceTitan membership type and promises its recurring visits. If the membership "
    "type is retired, or a recurring service it includes no longer exists, the page sells what ServiceTitan can no "
    "longer deliver.",
    "Bind the current membership type, or change what the page promises.",
    check,
)
