"""What the drift screens, exports and the command line show: counts, trend, filtered findings, CSV rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet

from pagetojob.accounts.models import Workspace
from pagetojob.core.models import WorkState
from pagetojob.drift.models import DriftFinding, DriftReview, FindingStatus, Severity
from pagetojob.drift.rules import BY_ID, RULES

SEVERITIES = list(Severity.values)
SEVERITY_CHOICES = Severity.choices
TREND_LENGTH = 12


def finding_json(finding: DriftFinding, change: str = "") -> dict[str, Any]:
    data = {
        "id": finding.pk, "rule": finding.rule, "severity": finding.severity, "status": finding.status,
        "page": finding.page_path, "object": finding.object_name, "object_type": finding.object_type,
        "message": finding.message, "evidence": finding.evidence, "fix": finding.fix,
    }
    if change:
        data["change"] = change
    return data


def review_summary(review: DriftReview) -> dict[str, Any]:
    """The `pagetojob drift run --json` object."""
    seen = DriftFinding.objects.filter(workspace=review.workspace, last_review=review).select_related("workspace")
    resolved = DriftFinding.objects.filter(workspace=review.workspace, resolved_review=review)
    return {
        "review_id": review.pk,
        "workspace": review.workspace.key,
        "reviewed_at": review.reviewed_at.isoformat() if review.reviewed_at else None,
        "counts": {severity: (review.counts or {}).get(severity, 0) for severity in SEVERITIES},
        "new": review.new_count,
        "persisting": review.persisting_count,
        "resolved": review.resolved_count,
        "findings": [finding_json(f, "new" if f.first_review_id == review.pk else "persisting") for f in seen],
        "resolved_findings": [finding_json(f) for f in resolved],
    }


def latest_review(workspace: Workspace) -> DriftReview | None:
    return (DriftReview.objects.filter(workspace=workspace, work_state=WorkState.DONE)
            .order_by("-reviewed_at", "-pk").first())


def pending_review(workspace: Workspace) -> DriftReview | None:
    return (DriftReview.objects.filter(workspace=workspace, work_state__in=[WorkState.QUEUED, WorkState.RETRYING,
                                                                              WorkState.IN_FLIGHT])
            .order_by("created_at", "pk").first())


def status_counts(workspace: Workspace) -> dict[str, Any]:
    """Unresolved findings by status, and open ones by severity (the dashboard's numbers), in one query."""
    aggregates: dict[str, Any] = {status: Count("pk", filter=Q(status=status)) for status in FindingStatus.values}
    for severity in SEVERITIES:
        aggregates[f"open_{severity}"] = Count("pk", filter=Q(status=FindingStatus.OPEN, severity=severity))
    row = DriftFinding.objects.filter(workspace=workspace).aggregate(**aggregates)
    return {"by_status": {status: row[status] for status in FindingStatus.values},
            "open_by_severity": {severity: row[f"open_{severity}"] for severity in SEVERITIES}}


def rule_rows(workspace: Workspace) -> list[dict[str, Any]]:
    """Per rule: its open and acknowledged findings, with the rule's text."""
    counts = dict(DriftFinding.objects.filter(workspace=workspace, status__in=[FindingStatus.OPEN,
                                                                              FindingStatus.ACKNOWLEDGED])
                  .values_list("rule").annotate(n=Count("pk")).order_by())
    return [{"rule": rule, "count": counts.get(rule.id, 0)} for rule in RULES]


def trend(workspace: Workspace, length: int = TREND_LENGTH) -> list[DriftReview]:
    """The last reviews, oldest first, with their counts by severity."""
    reviews = list(DriftReview.objects.filter(workspace=workspace, work_state=WorkState.DONE)
                   .order_by("-reviewed_at", "-pk")[:length])
    return list(reversed(reviews))


@dataclass
class TrendBar:
    review: DriftReview
    x: float
    segments: list[tuple[str, float, float, int]]  # severity, y, height, count
    label: str
    center: float


def trend_chart(reviews: list[DriftReview], width: int = 640, height: int = 190) -> dict[str, Any]:
    """Stacked bars by severity for the server-rendered SVG chart; its table shows the same numbers."""
    top = max([review.total for review in reviews] + [1])
    ceiling = 5
    while ceiling < top:
        ceiling = ceiling * 2 if str(ceiling)[0] in "15" else ceiling * 5 // 2
    left, right, top_pad, label_room = 36, 8, 10, 24
    plot_height = height - top_pad - label_room
    baseline = top_pad + plot_height
    slot = (width - left - right) / max(len(reviews), 1)
    bar = min(44.0, slot * 0.62)
    bars = []
    for index, review in enumerate(reviews):
        stacked = 0.0
        segments = []
        for severity in SEVERITIES:
            count = (review.counts or {}).get(severity, 0)
            if not count:
                continue
            h = plot_height * count / ceiling
            stacked += h
            segments.append((severity, round(baseline - stacked, 1), round(h, 1), count))
        when = review.reviewed_at or review.created_at
        x = left + index * slot + (slot - bar) / 2
        bars.append(TrendBar(review, round(x, 1), segments, f"{when:%b} {when.day}", round(x + bar / 2, 1)))
    ticks = [(round(baseline - plot_height * value / ceiling, 1), value) for value in (0, ceiling // 2, ceiling)]
    return {"bars": bars, "bar_width": round(bar, 1), "width": width, "height": height, "ticks": ticks,
            "left": left, "right": width - right, "baseline": baseline, "label_y": baseline + 16}


@dataclass
class FindingFilters:
    status: str = "open"
    severity: str = ""
    rule: str = ""
    q: str = ""

    @classmethod
    def from_params(cls, params: Any) -> FindingFilters:
        status = params.get("status", "open")
        return cls(
            status=status if status in (*FindingStatus.values, "unresolved", "all") else "open",
            severity=params.get("severity", "") if params.get("severity", "") in SEVERITIES else "",
            rule=params.get("rule", "") if params.get("rule", "") in BY_ID else "",
            q=params.get("q", "").strip()[:200],
        )

    def as_query(self, **overrides: str) -> str:
        values = {"status": self.status, "severity": self.severity, "rule": self.rule, "q": self.q}
        values.update(overrides)
        return urlencode({key: value for key, value in values.items() if value})


def findings(workspace: Workspace, filters: FindingFilters) -> QuerySet[DriftFinding]:
    rows = DriftFinding.objects.filter(workspace=workspace)
    if filters.status == "unresolved":
        rows = rows.exclude(status=FindingStatus.RESOLVED)
    elif filters.status != "all":
        rows = rows.filter(status=filters.status)
    if filters.severity:
        rows = rows.filter(severity=filters.severity)
    if filters.rule:
        rows = rows.filter(rule=filters.rule)
    if filters.q:
        rows = rows.filter(Q(page_path__icontains=filters.q) | Q(object_name__icontains=filters.q)
                           | Q(message__icontains=filters.q))
    order = ["-resolved_at"] if filters.status == FindingStatus.RESOLVED else []
    return rows.select_related("page__site", "first_review", "acknowledged_by", "suppressed_by").order_by(
        *order, "severity_rank", "rule_number", "page_path", "pk")


CSV_COLUMNS = [
    "severity", "rule", "rule_title", "status", "page_url", "page_path", "object_type", "object",
    "object_servicetitan_id", "message", "evidence", "fix", "first_seen", "last_seen", "resolved_at",
    "acknowledged_note", "suppressed_until", "suppressed_reason",
]


def csv_rows(workspace: Workspace, filters: FindingFilters) -> Iterator[str]:
    """The filtered findings as CSV, chunk by chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for finding in findings(workspace, filters).iterator(chunk_size=500):
        rule = BY_ID.get(finding.rule)
        writer.writerow([
            finding.severity, finding.rule, rule.title if rule else "", finding.status,
            finding.page.url if finding.page else "", finding.page_path, finding.object_type, finding.object_name,
            finding.object_st_id or "", finding.message, "; ".join(finding.evidence or []), finding.fix,
            f"{finding.first_seen_at:%Y-%m-%d}", f"{finding.last_seen_at:%Y-%m-%d}",
            f"{finding.resolved_at:%Y-%m-%d}" if finding.resolved_at else "", finding.acknowledged_note,
            finding.suppressed_until.isoformat() if finding.suppressed_until else "", finding.suppressed_reason,
        ])
        if buffer.tell() > 32_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
