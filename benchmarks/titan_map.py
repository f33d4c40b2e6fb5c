#!/usr/bin/env python
"""Titan Map at scale: SQL query counts and server time for the busiest screens.

Run from the repository root:

    .venv/bin/python benchmarks/titan_map.py [--out benchmarks/results/titan_map.txt]

Uses SQLite in a fresh temporary PAGETOJOB_DATA_DIR unless DATABASE_URL is set (then it migrates that
database, adds two benchmark workspaces and deletes them again at the end: use a throwaway database).

It generates a workspace with 10,000 pages (each with a binding; mixed kinds and statuses; zones and
pricebook services bound) and 20,000 taxonomy items across the families, and a 1,000-page workspace
built the same way at a tenth of the size. For each screen it counts the SQL queries of one request at
both sizes, then times REPEATS requests at 10k. Targets: the query count does not grow with the data,
and the median server time at 10k is under TARGET_MEDIAN_MS. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
REPEATS = 15
TARGET_MEDIAN_MS = 300.0
BIG, SMALL = 10_000, 1_000
PASSWORD = "bench-password-7f3k2"

# Share of the taxonomy items (2 per page) that each family gets.
FAMILY_SHARES = {
    "business_units": 0.005,
    "job_types": 0.25,
    "campaigns": 0.10,
    "zones": 0.05,
    "pricebook_services": 0.50,
    "membership_types": 0.02,
    "recurring_service_types": 0.07,
    "booking_providers": 0.005,
}
KIND_WEIGHTS = {"service": 40, "location": 25, "campaign": 10, "offer": 10, "membership": 5, "home": 1, "other": 9}
STATUS_WEIGHTS = {"approved": 50, "draft": 20, "suggested": 20, "retired": 10}


def _bootstrap_django() -> str | None:
    """Point Django at a temporary SQLite data directory (unless DATABASE_URL is set) and set it up."""
    temp_dir = None
    if not os.environ.get("DATABASE_URL"):
        temp_dir = tempfile.mkdtemp(prefix="pagetojob-bench-")
        os.environ["PAGETOJOB_DATA_DIR"] = temp_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pagetojob.settings")
    os.environ.setdefault("PAGETOJOB_LOG_LEVEL", "ERROR")
    src = str(REPO_ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    import django

    django.setup()
    return temp_dir


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def generate(key: str, pages: int, seed: int = 7):
    """Create a workspace with `pages` pages + bindings and 2 x `pages` taxonomy items; return (workspace, user)."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from pagetojob.accounts.models import AuditEntry, Membership, Role, Workspace
    from pagetojob.core import clock
    from pagetojob.sites.models import Binding, BookingPath, CapacityRule, Page, Site
    from pagetojob.taxonomy.models import (
        BookingProvider,
        BusinessUnit,
        Campaign,
        JobType,
        MembershipType,
        PricebookService,
        RecurringServiceType,
        Source,
        Zone,
        ZoneState,
    )

    rng = random.Random(seed)
    now = clock.now()
    items = 2 * pages
    n = {family: max(3, round(items * share)) for family, share in FAMILY_SHARES.items()}
    n["pricebook_services"] += items - sum(n.values())  # exactly 2 x pages in all

    def common(i: int, name: str, base: int) -> dict:
        return {"st_id": base + i, "name": f"{name} {i:05d}", "active": i % 10 != 7, "source": Source.API_IMPORT,
                "raw": {"id": base + i}, "last_seen_at": now - timedelta(hours=i % 72)}

    with transaction.atomic():
        workspace = Workspace.objects.create(key=key, name=f"Benchmark {pages:,} pages", trade="HVAC & Plumbing")
        user = get_user_model().objects.create_user(username=f"{key}@bench.test", email=f"{key}@bench.test",
                                                    password=PASSWORD, first_name="Bench", last_name="Owner")
        Membership.objects.create(user=user, workspace=workspace, role=Role.OWNER)
        ws = {"workspace": workspace}

        units = BusinessUnit.objects.bulk_create(
            [BusinessUnit(**ws, **common(i, "Business Unit", 1_000_000), trade=rng.choice(["HVAC", "Plumbing"]))
             for i in range(n["business_units"])])
        job_types = JobType.objects.bulk_create(
            [JobType(**ws, **common(i, "Job Type", 2_000_000), priority=rng.choice(["Low", "Normal", "High"]),
                     duration_minutes=rng.choice([60, 90, 120, 240])) for i in range(n["job_types"])])
        allowed: dict[int, list[JobType]] = {unit.pk: [] for unit in units}
        links = []
        for i, job_type in enumerate(job_types):
            for unit in {units[i % len(units)].pk, units[(i * 7 + 3) % len(units)].pk}:
                links.append(JobType.business_units.through(jobtype_id=job_type.pk, businessunit_id=unit))
                if job_type.active:
                    allowed[unit].append(job_type)
        JobType.business_units.through.objects.bulk_create(links, batch_size=2000)
        campaigns = Campaign.objects.bulk_create(
            [Campaign(**ws, **common(i, "Campaign", 3_000_000),
                      category=rng.choice(["Paid Search", "Organic", "Email"]), source_label="google", medium="cpc")
             for i in range(n["campaigns"])])
        states = list(ZoneState.values)
        zones = Zone.objects.bulk_create(
            [Zone(**ws, **common(i, "Zone", 4_000_000), state=states[i % len(states)], cities=[f"City {i}"],
                  zips=[f"{85000 + (i * 13 + k) % 999:05d}" for k in range(rng.randint(2, 12))])
             for i in range(n["zones"])], batch_size=1000)
        services = PricebookService.objects.bulk_create(
            [PricebookService(**ws, **common(i, "Service", 5_000_000), code=f"SVC-{i:05d}",
                              price=rng.randint(49, 9999), member_price=rng.randint(0, 49),
                              category=rng.choice(["Diagnostics", "Repair", "Maintenance", "Installation"]))
             for i in range(n["pricebook_services"])], batch_size=1000)
        memberships = MembershipType.objects.bulk_create(
            [MembershipType(**ws, **common(i, "Membership", 6_000_000), billing="Monthly", price=19)
             for i in range(n["membership_types"])])
        RecurringServiceType.objects.bulk_create(
            [RecurringServiceType(**ws, **common(i, "Recurring", 6_500_000),
                                  membership_type=memberships[i % len(memberships)], recurrence="Yearly")
             for i in range(n["recurring_service_types"])], batch_size=1000)
        providers = BookingProvider.objects.bulk_create(
            [BookingProvider(**ws, **common(i, "Provider", 7_000_000)) for i in range(n["booking_providers"])])
        CapacityRule.objects.bulk_create([
            CapacityRule(**ws, name=f"Hours {unit.name}", kind="business_hours", business_unit=unit,
                         weekdays=[0, 1, 2, 3, 4])
            for unit in units[:20]])

        site = Site.objects.create(**ws, key=key, name=f"{key}.example", base_url=f"https://{key}.example")
        page_rows = []
        for i in range(pages):
            kind = _weighted(rng, KIND_WEIGHTS)
            page_rows.append(Page(**ws, site=site, path=f"/{kind}/page-{i:05d}", title=f"{kind.title()} page {i:05d}",
                                  kind=kind, city=f"City {i % 50}", zips=[f"{85000 + i % 900:05d}"],
                                  promises=["same_day"] if i % 3 == 0 else []))
        page_rows = Page.objects.bulk_create(page_rows, batch_size=1000)

        bindings = []
        for page in page_rows:
            unit = rng.choice(units)
            roll = rng.random()
            if roll < 0.85 and allowed[unit.pk]:
                job_type = rng.choice(allowed[unit.pk])
            elif roll < 0.95:
                job_type = rng.choice(job_types)  # may be inactive or not allowed in the unit: a gap
            else:
                job_type = None
            status = _weighted(rng, STATUS_WEIGHTS)
            bindings.append(Binding(
                **ws, page=page, status=status, job_type=job_type,
                business_unit=None if rng.random() < 0.05 else unit,
                campaign=rng.choice(campaigns) if page.kind in ("campaign", "offer") or rng.random() < 0.3 else None,
                membership_type=rng.choice(memberships) if page.kind == "membership" and rng.random() < 0.9 else None,
                booking_provider=rng.choice(providers) if rng.random() < 0.8 else None,
                booking_path=BookingPath.REQUEST_FORM,
                approved_by=user if status == "approved" else None,
                approved_at=now - timedelta(days=rng.randint(1, 400)) if status == "approved" else None,
            ))
        bindings = Binding.objects.bulk_create(bindings, batch_size=1000)

        zone_links, service_links, audit_rows = [], [], []
        for binding, page in zip(bindings, page_rows, strict=True):
            if page.kind == "location" or rng.random() < 0.3:
                for zone in rng.sample(zones, k=min(len(zones), rng.randint(1, 3))):
                    zone_links.append(Binding.zones.through(binding_id=binding.pk, zone_id=zone.pk))
            if page.kind == "offer" or rng.random() < 0.4:
                for service in rng.sample(services, k=rng.randint(1, 3)):
                    service_links.append(Binding.pricebook_services.through(binding_id=binding.pk,
                                                                            pricebookservice_id=service.pk))
            if binding.status == "approved":
                audit_rows.append(AuditEntry(**ws, actor=user, actor_label="Bench Owner", action="binding.approve",
                                             target_type="Binding", target_id=str(binding.pk),
                                             summary=f"Approved the binding of {page.path}",
                                             created_at=binding.approved_at))
        Binding.zones.through.objects.bulk_create(zone_links, batch_size=2000)
        Binding.pricebook_services.through.objects.bulk_create(service_links, batch_size=2000)
        AuditEntry.objects.bulk_create(audit_rows, batch_size=1000)
    return workspace, user


def analyze_postgres() -> None:
    """Refresh PostgreSQL's planner statistics, as autovacuum soon would after bulk inserts (steady state).

    Without it the timings depend on whether autoanalyze happened to run yet. SQLite is left alone: the
    product never runs ANALYZE there.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def delete_workspace(workspace) -> None:
    from pagetojob.accounts.models import Workspace
    from pagetojob.sites.models import Binding, CapacityRule

    users = [m.user for m in workspace.memberships.select_related("user")]
    Binding.objects.filter(workspace=workspace).delete()
    CapacityRule.objects.filter(workspace=workspace).delete()
    Workspace.objects.filter(pk=workspace.pk).delete()
    for user in users:
        user.delete()


def screens(key: str) -> list[tuple[str, str]]:
    base = f"/w/{key}"
    return [
        ("titan map: first page", f"{base}/map/"),
        ("titan map: status+kind", f"{base}/map/?status=draft&kind=service"),
        ("titan map: sort job_type", f"{base}/map/?sort=job_type"),
        ("titan map: gap=any", f"{base}/map/?gap=any"),
        ("titan map: page 50", f"{base}/map/?page=50"),
        ("dashboard", f"{base}/"),
        ("readiness", f"{base}/readiness/"),
        ("taxonomy: pricebook", f"{base}/taxonomy/pricebook-services/"),
    ]


def login(user):
    from django.test import Client

    client = Client()
    if not client.login(username=user.email, password=PASSWORD):
        raise SystemExit(f"could not sign in as {user.email}")
    return client


def count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, secure=True)  # production settings redirect plain http
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    return len(captured.captured_queries)


def time_requests(client, url: str, repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url, secure=True)  # production settings redirect plain http
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
    return samples


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank


def hardware_line() -> str:
    import django
    from django.db import connection

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    if connection.vendor == "sqlite":
        import sqlite3

        database = f"sqlite {sqlite3.sqlite_version}"
    else:
        connection.ensure_connection()
        version = getattr(connection, "pg_version", None)
        database = f"{connection.vendor} {version // 10000}.{version % 10000}" if version else connection.vendor
        options = connection.settings_dict.get("OPTIONS", {}).get("options")
        if options:
            database += f" (options: {options})"
    return (f"Hardware: {cpu}; {os.cpu_count()} cores; Python {platform.python_version()}; "
            f"Django {django.get_version()}; database {database}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="also write the report to this file")
    parser.add_argument("--repeats", type=int, default=REPEATS, help=f"timed requests per screen (default {REPEATS})")
    args = parser.parse_args()

    temp_dir = _bootstrap_django()
    from django.core.management import call_command

    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    created = []
    failed = False
    try:
        call_command("migrate", interactive=False, verbosity=0)
        suffix = f"{os.getpid()}"
        started = time.perf_counter()
        small, small_user = generate(f"bench-1k-{suffix}", SMALL)
        created.append(small)
        big, big_user = generate(f"bench-10k-{suffix}", BIG)
        created.append(big)
        generated_s = time.perf_counter() - started
        analyze_postgres()

        small_client, big_client = login(small_user), login(big_user)
        results = []
        for (name, small_url), (_, big_url) in zip(screens(small.key), screens(big.key), strict=True):
            queries_small = count_queries(small_client, small_url)
            queries_big = count_queries(big_client, big_url)
            samples = time_requests(big_client, big_url, args.repeats)
            median = statistics.median(samples)
            ok = queries_big <= queries_small and median < TARGET_MEDIAN_MS
            failed |= not ok
            results.append((name, queries_small, queries_big, median, p95(samples), ok))

        from pagetojob.sites.models import Page
        from pagetojob.taxonomy.families import FAMILIES

        taxonomy = sum(f.model._default_manager.filter(workspace=big).count() for f in FAMILIES)
        say(f"Titan Map benchmark — {time.strftime('%Y-%m-%d %H:%M %Z')}")
        say(hardware_line())
        say(f"Data: {Page.objects.filter(workspace=big).count():,} pages / {taxonomy:,} taxonomy items "
            f"(and a {Page.objects.filter(workspace=small).count():,}-page workspace built the same way); "
            f"generated in {generated_s:.1f} s")
        say(f"Targets: queries at 10k <= queries at 1k; median < {TARGET_MEDIAN_MS:.0f} ms over {args.repeats} "
            f"requests (in-process django.test.Client, no network)")
        say()
        header = f"{'screen':<26} {'queries 1k':>10} {'queries 10k':>11} {'median ms':>10} {'p95 ms':>8}  result"
        say(header)
        say("-" * len(header))
        for name, q_small, q_big, median, p95_ms, ok in results:
            why = "" if ok else (" (queries grow)" if q_big > q_small else "") + (
                f" (median >= {TARGET_MEDIAN_MS:.0f} ms)" if median >= TARGET_MEDIAN_MS else "")
            say(f"{name:<26} {q_small:>10} {q_big:>11} {median:>10.1f} {p95_ms:>8.1f}  {'pass' if ok else 'FAIL'}{why}")
        say()
        say("Result: " + ("FAIL — a target was missed" if failed else "pass — every target met"))
    finally:
        if os.environ.get("DATABASE_URL"):
            for workspace in created:
                delete_workspace(workspace)
        if temp_dir:
            from django.db import connections

            connections.close_all()
            shutil.rmtree(temp_dir, ignore_errors=True)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(lines) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
