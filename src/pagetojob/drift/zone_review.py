"""The zone review: service-area pages against active, paused, emergency-only and expansion zones."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pagetojob.accounts.models import Workspace
from pagetojob.core import clock
from pagetojob.drift import snapshot
from pagetojob.drift.models import UNRESOLVED, DriftFinding
from pagetojob.drift.reviews import local_date
from pagetojob.drift.rules.zones import AREA_RULE, GAP_RULE
from pagetojob.drift.service_areas import Claim, build_index, claim_of, serving
from pagetojob.drift.snapshot import Item, PageFacts
from pagetojob.sites.models import PageKind
from pagetojob.taxonomy.models import ZoneState

STATE_ORDER = [ZoneState.ACTIVE, ZoneState.EMERGENCY_ONLY, ZoneState.PAUSED, ZoneState.EXPANSION]


@dataclass
class ZoneRow:
    zone: Item
    pages: list[PageFacts] = field(default_factory=list)
    findings: list[DriftFinding] = field(default_factory=list)

    @property
    def serving(self) -> bool:
        return serving(self.zone)

    @property
    def state_key(self) -> str:
        return self.zone.state if self.zone.active else "inactive"

    @property
    def state_label(self) -> str:
        return ZoneState(self.zone.state).label if self.zone.state in ZoneState.values else self.zone.state


@dataclass
class PageRow:
    page: PageFacts
    claim: Claim
    bound: list[Item]
    covering: list[Item]
    findings: list[DriftFinding] = field(default_factory=list)

    @property
    def to_bind(self) -> list[Item]:
        """Serving zones the page's place falls in but its binding leaves out."""
        bound_ids = {zone.id for zone in self.bound}
        return [zone for zone in self.covering if zone.id not in bound_ids and serving(zone)]

    @property
    def has_zone(self) -> bool:
        return bool(self.bound or self.covering)


@dataclass
class ZoneReview:
    zones: list[ZoneRow]
    pages: list[PageRow]
    state_counts: dict[str, int]

    @property
    def without_zone(self) -> list[PageRow]:
        return [row for row in self.pages if not row.has_zone]

    @property
    def unbound(self) -> list[PageRow]:
        return [row for row in self.pages if row.to_bind]

    @property
    def uncovered(self) -> list[PageRow]:
        return [row for row in self.pages if row.claim.uncovered]

    @property
    def active_without_page(self) -> list[ZoneRow]:
        return [row for row in self.zones if row.serving and not row.pages]


def build(workspace: Workspace, state: str = "") -> ZoneReview:
    snap = snapshot.load(workspace, local_date(workspace, clock.now()), families=("zones",))
    index = build_index(snap)
    findings = list(DriftFinding.objects.filter(workspace=workspace, status__in=UNRESOLVED,
                                                rule__in=[AREA_RULE, GAP_RULE]))
    by_page: dict[int, list[DriftFinding]] = defaultdict(list)
    by_zone: dict[int, list[DriftFinding]] = defaultdict(list)
    for finding in findings:
        if finding.page_id:
            by_page[finding.page_id].append(finding)
        if finding.object_id and finding.object_type == "zone":
            by_zone[finding.object_id].append(finding)
    rows = {zone.id: ZoneRow(zone, findings=by_zone.get(zone.id, [])) for zone in index.zones.values()}
    pages = []
    for page in snap.live_pages:
        if page.kind != PageKind.LOCATION:
            continue
        claim = claim_of(index, page)
        bound = [index.zones[zid] for zid in page.zone_ids if zid in index.zones]
        covering = sorted((index.zones[zid] for zid in claim.covering), key=lambda z: z.name)
        pages.append(PageRow(page, claim, bound, covering, by_page.get(page.id, [])))
        for zone_id in {zone.id for zone in bound} | claim.covering:
            rows[zone_id].pages.append(page)
    ordered = sorted(rows.values(), key=lambda row: (
        not row.zone.active, STATE_ORDER.index(ZoneState(row.zone.state)) if row.zone.state in ZoneState.values
        else 9, row.zone.name))
    counts = {value: sum(1 for row in ordered if row.state_key == value) for value in [*STATE_ORDER, "inactive"]}
    if state:
        ordered = [row for row in ordered if row.state_key == state]
    return ZoneReview(ordered, pages, counts)
