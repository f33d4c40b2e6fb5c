#!/usr/bin/env python
"""Drift review at scale: review time, SQL queries at two sizes, peak memory, precision and recall.

Run from the repository root:

    .venv/bin/python benchmarks/drift.py [--out benchmarks/results/drift.txt]

Uses SQLite in a fresh temporary PAGETOJOB_DATA_DIR unless DATABASE_URL is set (then it migrates that
database, adds two benchmark workspaces and deletes them again at the end: use a throwaway database).

It generates a workspace with 10,000 pages and 50,000 taxonomy items, and a 1,000-page / 5,000-item one
built the same way. About 5 % of the pages carry a seeded problem of each page rule (and 5 % of the active
zones have no location page, for rule 5); every other page is clean by construction. A separate process
(a worker's footprint, nothing else loaded) then runs the reviews: first and second review of each
workspace, with their SQL query counts and its peak resident memory. In the same run it measures a floor:
the same tables read with plain cursor fetches and nothing else. Targets on SQLite: a full review
<= 5 s, queries at 10k <= queries at 1k, peak memory <= 300 MB, precision and recall of the seeded
problems 1.0. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
BIG = 10_000
ITEMS_PER_PAGE = 5  # 50,000 taxonomy items for 10,000 pages
TARGET_SECONDS = 5.0
TARGET_MEMORY_MB = 300.0
STATES = ("AZ", "NM", "NV", "UT")
PAGE_RULES = ("inactive_object", "job_type_not_allowed", "campaign_mismatch", "outside_active_zones",
              "price_or_offer_mismatch", "retired_membership", "unbacked_promise", "unapproved_or_competing",
              "renamed_object")
CLEAN_KINDS = {"service": 40, "location": 25, "campaign": 10, "offer": 10, "membership": 5, "home": 1, "other": 9}


def _bootstrap_django() -> str | None:
    temp_dir = None
    if not os.environ.get("DATABASE_URL") and not os.environ.get("PAGETOJOB_DATA_DIR"):
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


def _cities() -> list[tuple[str, str, list[str]]]:
    """Real cities with their standard ZIPs, from the same offline data the review uses."""
    from pagetojob.drift import places

    found = []
    for state in STATES:
        for key, zips in sorted(places._state_cities(state).items()):
            found.append((key.title(), state, sorted(zips)))
    return found


def generate(key: str, pages: int, seed: int = 11) -> tuple[object, dict[tuple[str, int], str]]:
    """Create the workspace; return it and the seeded problems: (rule, page or zone id) -> variant."""
    from django.db import transaction

    from pagetojob.accounts.models import Workspace
    from pagetojob.core import clock
    from pagetojob.sites.models import Binding, CapacityRule, Page, Site
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
    )

    rng = random.Random(seed)
    now = clock.now()
    scale = pages / BIG
    n_units, n_after_hours = max(20, round(200 * scale)), max(18, round(180 * scale))
    n_campaigns, n_memberships = max(40, round(4000 * scale)), max(10, round(400 * scale))
    n_recurring, n_providers = max(20, round(2000 * scale)), max(5, round(50 * scale))
    cities = _cities()
    rng.shuffle(cities)
    n_zone_cities = min(len(cities) - 40, max(60, round(600 * scale)))
    zone_cities, spare_cities = cities[:n_zone_cities], cities[n_zone_cities:]

    def common(i: int, name: str, base: int, active: bool = True) -> dict:
        return {"st_id": base + i, "name": f"{name} {i:05d}", "active": active, "source": Source.API_IMPORT,
                "raw": {"id": base + i}, "last_seen_at": now - timedelta(hours=i % 72)}

    seeded: dict[tuple[str, int], str] = {}
    with transaction.atomic():
        workspace = Workspace.objects.create(key=key, name=f"Drift benchmark {pages:,} pages", trade="HVAC & Plumbing")
        ws = {"workspace": workspace}
        units = BusinessUnit.objects.bulk_create(
            [BusinessUnit(**ws, **common(i, "Business Unit", 1_000_000)) for i in range(n_units)])
        # One active job type per page (allowed in one unit), inactive ones for rule 1, and ones in the units
        # without after-hours cover for rule 8.
        job_types = JobType.objects.bulk_create(
            [JobType(**ws, **common(i, "Job Type", 2_000_000)) for i in range(pages)], batch_size=2000)
        retired_jobs = JobType.objects.bulk_create(
            [JobType(**ws, **common(i, "Retired Job Type", 2_500_000, active=False)) for i in range(pages // 20 + 1)])
        # Pages seeded for rule 8 (slot 6) book job types of the units that have no after-hours rule.
        unit_of = {jt.pk: units[n_after_hours + (i // 20) % (n_units - n_after_hours) if i % 20 == 6 and i < pages
                                else i % n_after_hours] for i, jt in enumerate(job_types + retired_jobs)}
        JobType.business_units.through.objects.bulk_create(
            [JobType.business_units.through(jobtype_id=pk, businessunit_id=unit.pk) for pk, unit in unit_of.items()],
            batch_size=4000)
        campaigns = Campaign.objects.bulk_create(
            [Campaign(**ws, **common(i, "Campaign", 3_000_000), category="Paid Search", source_label="google",
                      medium="cpc") for i in range(n_campaigns)])
        old_campaigns = Campaign.objects.bulk_create(
            [Campaign(**ws, **common(i, "Ended Campaign", 3_500_000, active=False)) for i in range(n_campaigns // 10)])
        zone_rows = []
        for i, (city, _state, zips) in enumerate(zone_cities):
            state = "active" if i % 10 < 8 else ("paused" if i % 10 == 8 else rng.choice(["expansion",
                                                                                      "emergency_only"]))
            zone_rows.append(Zone(**ws, **common(i, "Zone", 4_000_000), state=state, cities=[f"{city}, {_state}"],
                                  zips=zips))
        zones = Zone.objects.bulk_create(zone_rows)
        zones_named = list(zip(zones, zone_cities, strict=True))
        active_zones = [(z, c) for z, c in zones_named if z.state == "active"]
        paused_zones = [(z, c) for z, c in zones_named if z.state == "paused"]
        unpaged = active_zones[: max(1, len(active_zones) // 20)]  # rule 5: 5 % of the active zones get no page
        paged = active_zones[len(unpaged):]
        for zone, _ in unpaged:
            seeded[("zone_without_page", zone.pk)] = "no page"
        memberships = MembershipType.objects.bulk_create(
            [MembershipType(**ws, **common(i, "Membership", 6_000_000), billing="Monthly",
                            price=Decimal(rng.choice(["14.95", "19.95", "29.95"]))) for i in range(n_memberships)])
        retired_memberships = MembershipType.objects.bulk_create(
            [MembershipType(**ws, **common(i, "Retired Membership", 6_300_000, active=False), price=Decimal("9.95"))
             for i in range(n_memberships // 5)])
        RecurringServiceType.objects.bulk_create(
            [RecurringServiceType(**ws, **common(i, "Recurring", 6_500_000),
                                  membership_type=memberships[i % n_memberships], recurrence="Yearly")
             for i in range(n_recurring)], batch_size=2000)
        providers = BookingProvider.objects.bulk_create(
            [BookingProvider(**ws, **common(i, "Provider", 7_000_000)) for i in range(n_providers)])
        used = (len(units) + len(job_types) + len(retired_jobs) + len(campaigns) + len(old_campaigns) + len(zones)
                + len(memberships) + len(retired_memberships) + n_recurring + len(providers))
        n_services = pages * ITEMS_PER_PAGE - used
        services = PricebookService.objects.bulk_create(
            [PricebookService(**ws, **common(i, "Service", 5_000_000), code=f"SVC-{i:05d}",
                              price=Decimal(rng.randint(49, 4999)), member_price=Decimal(rng.randint(0, 48)))
             for i in range(n_services)], batch_size=2000)
        rules = []
        for index, unit in enumerate(units):
            rules.append(CapacityRule(**ws, name=f"Hours {unit.name}", kind="business_hours", business_unit=unit,
                                      weekdays=[0, 1, 2, 3, 4], same_day=True))
            if index < n_after_hours:
                rules.append(CapacityRule(**ws, name=f"After hours {unit.name}", kind="after_hours_emergency",
                                          business_unit=unit, same_day=True, cta="call_now"))
        CapacityRule.objects.bulk_create(rules)

        site = Site.objects.create(**ws, key=key, name=f"{key}.example", base_url=f"https://{key}.example")
        page_rows, specs = [], []
        waiting_pair: dict | None = None
        locations = 0  # clean location pages go round the paged zones, so each has at least one
        for i in range(pages):
            slot = i % 20
            rule = PAGE_RULES[slot] if slot < len(PAGE_RULES) else None
            kind = {"campaign_mismatch": "campaign", "outside_active_zones": "location", "retired_membership":
                    "membership", "price_or_offer_mismatch": "offer"}.get(rule or "", "service")
            if rule is None:
                kind = rng.choices(list(CLEAN_KINDS), weights=list(CLEAN_KINDS.values()))[0]
            job_type = job_types[i]
            spec = {"i": i, "rule": rule, "kind": kind, "status": "approved", "job_type": job_type,
                    "unit": unit_of[job_type.pk], "campaign": campaigns[i % n_campaigns], "zones": [],
                    "services": [], "membership": None, "provider": providers[i % n_providers],
                    "approved_names": None, "variant": ""}
            page = {"path": f"/{kind}/page-{i:05d}", "title": f"{kind.title()} page {i:05d}", "kind": kind,
                    "city": "", "zips": [], "advertised_price": None, "offer_text": "", "offer_expires_on": None,
                    "promises": ["same_day"] if i % 3 == 0 else [], "utm_campaign": ""}
            if kind == "campaign":
                page["utm_campaign"] = spec["campaign"].name
            if kind == "offer":
                service = services[i % n_services]
                spec["services"] = [service]
                page["advertised_price"] = service.price
                page["offer_text"] = f"{service.name} for ${service.price:,.2f}"
                page["offer_expires_on"] = date(2027, 6, 30)
            if kind == "membership":
                spec["membership"] = memberships[i % n_memberships]
                page["advertised_price"] = spec["membership"].price
            if kind == "location":
                zone, (city, state, zips) = paged[locations % len(paged)]
                locations += rule is None
                spec["zones"] = [zone]
                page["city"], page["zips"] = f"{city}, {state}", zips[:3]

            if rule == "inactive_object":
                spec["job_type"] = retired_jobs[i // 20]
                spec["unit"] = unit_of[spec["job_type"].pk]
            elif rule == "job_type_not_allowed":
                spec["unit"] = units[(unit_of[job_type.pk].pk + 1) % n_after_hours]
            elif rule == "campaign_mismatch":
                if i % 40 < 20:
                    spec["campaign"] = old_campaigns[i % len(old_campaigns)]
                    page["utm_campaign"], spec["variant"] = spec["campaign"].name, "inactive campaign"
                else:
                    page["utm_campaign"], spec["variant"] = spec["campaign"].name.lower().replace(" ", "-"), "utm"
            elif rule == "outside_active_zones":
                if i % 40 < 20 or not paused_zones:
                    city, state, zips = spare_cities[i % len(spare_cities)]
                    page["city"], page["zips"], spec["zones"] = f"{city}, {state}", zips[:2], []
                    spec["variant"] = "outside every zone"
                else:
                    zone, (city, state, zips) = paused_zones[i % len(paused_zones)]
                    page["city"], page["zips"], spec["zones"] = f"{city}, {state}", zips[:2], [zone]
                    spec["variant"] = "paused zone"
            elif rule == "price_or_offer_mismatch":
                if i % 40 < 20:
                    page["advertised_price"] = spec["services"][0].price + 10
                    page["offer_text"], spec["variant"] = "Limited-time offer", "price"
                else:
                    page["offer_expires_on"], spec["variant"] = date(2026, 1, 31), "expired"
            elif rule == "retired_membership":
                spec["membership"] = retired_memberships[i % len(retired_memberships)]
                page["advertised_price"] = spec["membership"].price
            elif rule == "unbacked_promise":
                page["promises"] = ["24_7", "emergency"]
            elif rule == "unapproved_or_competing":
                if i % 40 < 20:
                    spec["status"], spec["variant"] = "draft", "unapproved"
                elif waiting_pair is None:
                    waiting_pair, spec["variant"] = spec, "competing"
                else:
                    for name in ("job_type", "unit", "campaign", "provider"):
                        spec[name] = waiting_pair[name]
                    spec["variant"], waiting_pair = "competing", None
            elif rule == "renamed_object":
                spec["approved_names"], spec["variant"] = {"campaign": f"Old {spec['campaign'].name}"}, "renamed"
            page_rows.append(Page(**ws, site=site, **page))
            specs.append(spec)
        if waiting_pair is not None:  # an odd one out cannot compete: make it unapproved instead
            waiting_pair["status"], waiting_pair["variant"] = "draft", "unapproved"
        page_rows = Page.objects.bulk_create(page_rows, batch_size=2000)

        bindings = []
        for page, spec in zip(page_rows, specs, strict=True):
            names = {"job_type": spec["job_type"].name if spec["job_type"] else None,
                     "business_unit": spec["unit"].name, "campaign": spec["campaign"].name,
                     "membership_type": spec["membership"].name if spec["membership"] else None}
            names.update(spec["approved_names"] or {})
            bindings.append(Binding(
                **ws, page=page, status=spec["status"], job_type=spec["job_type"], business_unit=spec["unit"],
                campaign=spec["campaign"], membership_type=spec["membership"], booking_provider=spec["provider"],
                approved_at=now if spec["status"] == "approved" else None,
                approved_names=names if spec["status"] == "approved" else {}))
            if spec["rule"]:
                seeded[(spec["rule"], page.pk)] = spec["variant"] or spec["rule"]
        bindings = Binding.objects.bulk_create(bindings, batch_size=2000)
        zone_links, service_links = [], []
        for binding, spec in zip(bindings, specs, strict=True):
            zone_links += [Binding.zones.through(binding_id=binding.pk, zone_id=zone.pk) for zone in spec["zones"]]
            service_links += [Binding.pricebook_services.through(binding_id=binding.pk, pricebookservice_id=s.pk)
                              for s in spec["services"]]
        Binding.zones.through.objects.bulk_create(zone_links, batch_size=4000)
        Binding.pricebook_services.through.objects.bulk_create(service_links, batch_size=4000)
    return workspace, seeded


def taxonomy_count(workspace) -> int:
    from pagetojob.taxonomy.families import FAMILIES

    return sum(family.model._default_manager.filter(workspace=workspace).count() for family in FAMILIES)


def read_floor(workspace) -> float:
    """The same tables a review reads, fetched with plain cursor queries and nothing else: the floor."""
    from django.db import connection

    tables = {
        "sites_page": "workspace_id", "sites_binding": "workspace_id", "taxonomy_jobtype": "workspace_id",
        "taxonomy_businessunit": "workspace_id", "taxonomy_campaign": "workspace_id", "taxonomy_zone": "workspace_id",
        "taxonomy_pricebookservice": "workspace_id", "taxonomy_membershiptype": "workspace_id",
        "taxonomy_recurringservicetype": "workspace_id", "taxonomy_bookingprovider": "workspace_id",
        "sites_capacityrule": "workspace_id",
    }
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table, column in tables.items():
            cursor.execute(f"SELECT * FROM {table} WHERE {column} = %s", [workspace.pk])
            cursor.fetchall()
        cursor.execute("SELECT z.binding_id, z.zone_id FROM sites_binding_zones z JOIN sites_binding b "
                       "ON b.id = z.binding_id WHERE b.workspace_id = %s", [workspace.pk])
        cursor.fetchall()
        cursor.execute("SELECT j.jobtype_id, j.businessunit_id FROM taxonomy_jobtype_business_units j JOIN "
                       "taxonomy_jobtype t ON t.id = j.jobtype_id WHERE t.workspace_id = %s", [workspace.pk])
        cursor.fetchall()
    return time.perf_counter() - started


def child_reviews(keys: list[str]) -> dict:
    """Runs in a fresh process: two reviews per workspace, timed, with their query counts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pagetojob.accounts.models import Workspace
    from pagetojob.drift import reviews
    from pagetojob.drift.models import Trigger

    results = {}
    for key in keys:
        workspace = Workspace.objects.get(key=key)
        runs = []
        for _ in range(2):
            review = reviews.new_review(workspace, Trigger.ON_DEMAND)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                review = reviews.run_now(review)
                seconds = time.perf_counter() - started
            runs.append({"seconds": seconds, "queries": len(captured.captured_queries), "review_id": review.pk,
                         "new": review.new_count, "persisting": review.persisting_count,
                         "total": review.total, "pages": review.pages_checked, "objects": review.objects_checked})
        results[key] = runs
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return results


def accuracy(workspace, review_id: int, seeded: dict[tuple[str, int], str]) -> dict:
    from pagetojob.drift.models import DriftFinding

    found = set()
    on_clean = 0
    seeded_pages = {target for rule, target in seeded if rule != "zone_without_page"}
    for rule, page_id, object_id in DriftFinding.objects.filter(
            workspace=workspace, last_review_id=review_id).values_list("rule", "page_id", "object_id"):
        target = page_id if page_id is not None else object_id
        found.add((rule, target))
        if page_id is not None and page_id not in seeded_pages:
            on_clean += 1
    expected = set(seeded)
    hits = found & expected
    by_rule = {}
    for rule in sorted({r for r, _ in expected}):
        wanted = {pair for pair in expected if pair[0] == rule}
        by_rule[rule] = (len(wanted & found), len(wanted), len({p for p in found if p[0] == rule} - expected))
    return {"precision": len(hits) / len(found) if found else 0.0, "recall": len(hits) / len(expected),
            "found": len(found), "expected": len(expected), "on_clean_pages": on_clean, "by_rule": by_rule,
            "missed": sorted(expected - found)[:10], "extra": sorted(found - expected)[:10]}


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
    return (f"Hardware: {cpu}; {os.cpu_count()} cores; Python {platform.python_version()}; "
            f"Django {django.get_version()}; database {database}")


def delete_workspace(workspace) -> None:
    from pagetojob.accounts.models import Workspace
    from pagetojob.drift.models import DriftFinding, DriftReview
    from pagetojob.sites.models import Binding, CapacityRule

    DriftFinding.objects.filter(workspace=workspace).delete()
    DriftReview.objects.filter(workspace=workspace).delete()
    Binding.objects.filter(workspace=workspace).delete()
    CapacityRule.objects.filter(workspace=workspace).delete()
    Workspace.objects.filter(pk=workspace.pk).delete()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="also write the report to this file")
    parser.add_argument("--pages", type=int, default=BIG, help=f"pages of the big workspace (default {BIG:,}); "
                                                                  "the small one has a tenth")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _bootstrap_django()
        print(json.dumps(child_reviews(args.child)))
        return 0

    temp_dir = _bootstrap_django()
    from django.core.management import call_command
    from django.db import connection, connections

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
        small, small_seeded = generate(f"drift-1k-{suffix}", max(200, args.pages // 10))
        created.append(small)
        big, big_seeded = generate(f"drift-10k-{suffix}", args.pages)
        created.append(big)
        generated_s = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        floor = min(read_floor(big) for _ in range(3))
        connections.close_all()
        child = subprocess.run([sys.executable, __file__, "--child", small.key, big.key], capture_output=True,
                               text=True, env=dict(os.environ), check=False)
        if child.returncode != 0:
            raise SystemExit(f"the review process failed:\n{child.stderr[-3000:]}")
        measured = json.loads(child.stdout.strip().splitlines()[-1])
        small_runs, big_runs = measured[small.key], measured[big.key]
        result = accuracy(big, big_runs[-1]["review_id"], big_seeded)
        small_result = accuracy(small, small_runs[-1]["review_id"], small_seeded)

        say(f"Drift review benchmark — {time.strftime('%Y-%m-%d %H:%M %Z')}")
        say(hardware_line())
        say(f"Data: {big_runs[0]['pages']:,} pages / {taxonomy_count(big):,} taxonomy items, and "
            f"{small_runs[0]['pages']:,} pages / {taxonomy_count(small):,} items built the same way; generated in "
            f"{generated_s:.1f} s. Seeded: {len(big_seeded):,} problems at 10k (about 5 % of the pages per page "
            f"rule, 5 % of the active zones without a page).")
        say(f"Targets: review <= {TARGET_SECONDS:.0f} s; queries at 10k <= queries at 1k; peak memory <= "
            f"{TARGET_MEMORY_MB:.0f} MB; precision = recall = 1.0 and no finding on a clean page")
        say("The reviews ran in a separate process with nothing else loaded (a worker's footprint).")
        say()
        header = f"{'review':<34} {'seconds':>8} {'queries':>8} {'findings':>9} {'new':>6} {'persisting':>11}"
        say(header)
        say("-" * len(header))
        for label, runs in (("1k", small_runs), ("10k", big_runs)):
            for index, run in enumerate(runs):
                name = f"{label} {'first (all new)' if index == 0 else 'second (all persisting)'}"
                say(f"{name:<34} {run['seconds']:>8.2f} {run['queries']:>8} {run['total']:>9,} {run['new']:>6,} "
                    f"{run['persisting']:>11,}")
        slowest = max(run["seconds"] for run in big_runs)
        say()
        say(f"Floor: the same tables at 10k read with plain cursor fetches: {floor:.2f} s "
            f"(the slower 10k review is {slowest / floor:.1f}x the floor; it also builds records, runs the ten "
            f"rules and writes the findings).")
        say("The first 1k review also loads the offline ZIP data (about 1 s, once per process).")
        say(f"Peak resident memory of the review process: {measured['peak_rss_mb']:.0f} MB")
        say()
        say(f"Precision {result['precision']:.3f}, recall {result['recall']:.3f} at 10k "
            f"({result['found']:,} found, {result['expected']:,} seeded, {result['on_clean_pages']} on clean pages); "
            f"at 1k precision {small_result['precision']:.3f}, recall {small_result['recall']:.3f}")
        say(f"{'rule':<26} {'found':>7} {'seeded':>7} {'extra':>6}")
        for rule, (hit, wanted, extra) in result["by_rule"].items():
            say(f"{rule:<26} {hit:>7,} {wanted:>7,} {extra:>6}")
        if result["missed"] or result["extra"]:
            say(f"First missed: {result['missed']}; first extra: {result['extra']}")
        checks = {
            "review time": slowest <= TARGET_SECONDS,
            "queries": all(b["queries"] <= s["queries"] for s, b in zip(small_runs, big_runs, strict=True)),
            "memory": measured["peak_rss_mb"] <= TARGET_MEMORY_MB,
            "precision/recall": result["precision"] == 1.0 and result["recall"] == 1.0
            and result["on_clean_pages"] == 0,
        }
        failed = not all(checks.values())
        say()
        say("Result: " + ("pass — every target met" if not failed else
                          "FAIL — missed: " + ", ".join(name for name, ok in checks.items() if not ok)))
    finally:
        if os.environ.get("DATABASE_URL"):
            for workspace in created:
                delete_workspace(workspace)
        if temp_dir:
            connections.close_all()
            shutil.rmtree(temp_dir, ignore_errors=True)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text("\n".join(lines) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
