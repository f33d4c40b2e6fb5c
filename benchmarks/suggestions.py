#!/usr/bin/env python
"""Mapping suggestions against a labelled set of contractor pages: precision, recall and top-3 accuracy.

Run from the repository root:

    .venv/bin/python benchmarks/suggestions.py [--out benchmarks/results/suggestions.txt]

Always uses SQLite in a fresh temporary PAGETOJOB_DATA_DIR (DATABASE_URL is ignored). It loads a fixed
job-type catalogue (a multi-trade contractor's ServiceTitan: business units, active and inactive job
types) into one workspace, adds every row of data/suggestions_eval.csv as a page of its contractor's site,
and runs the suggester on each page, the way `suggest_for_workspace` does. Top-1 precision is correct
top-1 / rows where a job type was suggested; recall is rows with a correct top-1 / all rows; top-3
accuracy is rows whose label is among the three best-ranked job types / all rows. Targets: precision
>= 0.90 at recall >= 0.80. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA = REPO_ROOT / "benchmarks" / "data" / "suggestions_eval.csv"
TARGET_PRECISION = 0.90
TARGET_RECALL = 0.80

HVAC_SVC, HVAC_REPL = "HVAC Service", "HVAC Replacement"
PLB_SVC, PLB_INS, DRAIN = "Plumbing Service", "Plumbing Install", "Drain & Sewer"
ELEC_SVC, ELEC_INS, MAINT = "Electrical Service", "Electrical Install", "Maintenance Agreements"
BUSINESS_UNITS = [(HVAC_SVC, True), (HVAC_REPL, True), (PLB_SVC, True), (PLB_INS, True), (DRAIN, True),
                  (ELEC_SVC, True), (ELEC_INS, True), (MAINT, True), ("Commercial HVAC", False)]
# (name, business units, active): a contractor's own names, as they would appear in ServiceTitan.
JOB_TYPES = [
    ("AC Repair", (HVAC_SVC,), True), ("AC Tune-Up", (HVAC_SVC, MAINT), True),
    ("AC Replacement", (HVAC_REPL,), True), ("Emergency AC Repair", (HVAC_SVC,), True),
    ("Furnace Repair", (HVAC_SVC,), True), ("Furnace Tune-Up", (HVAC_SVC, MAINT), True),
    ("Furnace Install", (HVAC_REPL,), True), ("Emergency Heating Repair", (HVAC_SVC,), True),
    ("Heat Pump Repair", (HVAC_SVC,), True), ("Heat Pump Install", (HVAC_REPL,), True),
    ("Ductless Mini-Split Install", (HVAC_REPL,), True), ("Boiler Service", (HVAC_SVC,), True),
    ("Boiler Install", (HVAC_REPL,), True), ("Thermostat Install", (HVAC_SVC, HVAC_REPL), True),
    ("Indoor Air Quality", (HVAC_SVC, HVAC_REPL), True), ("Duct Cleaning", (HVAC_SVC,), True),
    ("Drain Cleaning", (DRAIN,), True), ("Hydro Jetting", (DRAIN,), True),
    ("Sewer Line Repair", (DRAIN,), True), ("Sewer Camera Inspection", (DRAIN,), True),
    ("Water Heater Repair", (PLB_SVC,), True), ("Water Heater Install", (PLB_INS,), True),
    ("Tankless Water Heater Install", (PLB_INS,), True), ("Leak Detection", (PLB_SVC,), True),
    ("Slab Leak Repair", (PLB_SVC,), True), ("Emergency Plumbing", (PLB_SVC,), True),
    ("Plumbing Repair", (PLB_SVC,), True), ("Whole-Home Repipe", (PLB_INS,), True),
    ("Water Softener Install", (PLB_INS,), True), ("Gas Line Service", (PLB_SVC,), True),
    ("Electrical Repair", (ELEC_SVC,), True), ("Panel Upgrade", (ELEC_INS,), True),
    ("EV Charger Install", (ELEC_INS,), True), ("Generator Install", (ELEC_INS,), True),
    ("Generator Service", (ELEC_SVC, MAINT), True), ("Lighting & Ceiling Fan Install", (ELEC_INS,), True),
    ("Whole-Home Rewire", (ELEC_INS,), True), ("Emergency Electrician", (ELEC_SVC,), True),
    ("Electrical Safety Inspection", (ELEC_SVC,), True), ("Maintenance Visit", (MAINT,), True),
    ("Swamp Cooler Repair", (HVAC_SVC,), False), ("Water Heater Service Call (old)", (PLB_SVC,), False),
    ("Generator Repair - DO NOT USE", (ELEC_SVC,), False),
]


def _bootstrap_django() -> str:
    temp_dir = tempfile.mkdtemp(prefix="pagetojob-suggest-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["PAGETOJOB_DATA_DIR"] = temp_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pagetojob.settings")
    sys.path.insert(0, str(REPO_ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return temp_dir


def _load(rows: list[dict[str, str]]):
    from pagetojob.accounts.models import Workspace
    from pagetojob.sites.models import Page, PageKind, Site
    from pagetojob.taxonomy.models import BusinessUnit, JobType

    workspace = Workspace.objects.create(key="suggestions-benchmark", name="Benchmark Home Services")
    units = {name: BusinessUnit.objects.create(workspace=workspace, name=name, active=active)
             for name, active in BUSINESS_UNITS}
    for name, unit_names, active in JOB_TYPES:
        job_type = JobType.objects.create(workspace=workspace, name=name, active=active)
        job_type.business_units.set([units[u] for u in unit_names])
    sites: dict[str, Site] = {}
    pages = []
    for row in rows:
        url = urlsplit(row["url"])
        if url.netloc not in sites:
            sites[url.netloc] = Site.objects.create(workspace=workspace, key=url.netloc.replace(".", "-")[:60],
                                                    name=row["contractor"], base_url=f"https://{url.netloc}")
        path = url.path + (f"?{url.query}" if url.query else "")
        kind = PageKind.OTHER if "/blog/" in path else PageKind.SERVICE
        pages.append(Page.objects.create(workspace=workspace, site=sites[url.netloc], path=path,
                                         title=row["title"], kind=kind))
    return workspace, pages


def run(out: Path | None) -> int:
    rows = list(csv.DictReader(DATA.open(encoding="utf-8")))
    temp_dir = _bootstrap_django()
    try:
        from pagetojob.sites import suggestions
        from pagetojob.sites.models import Page

        workspace, pages = _load(rows)
        started = time.perf_counter()
        catalogue = suggestions.Catalogue(workspace)
        brands = suggestions.repeated_title_segments(Page.objects.filter(workspace=workspace))
        results = [suggestions.suggest_for_page(page, catalogue, brands.get(page.site_id, [])) for page in pages]
        elapsed = time.perf_counter() - started
        inactive = {name for name, _, active in JOB_TYPES if not active}
        lines, passed = _report(rows, results, elapsed, inactive)
    finally:
        shutil.rmtree(temp_dir, ignore_errors=True)
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return 0 if passed else 1


def _report(rows, results, elapsed: float, inactive: set[str]) -> tuple[list[str], bool]:
    from pagetojob.sites.suggestions import CONFIDENCE_THRESHOLD, confidence

    total = len(rows)
    graded = []
    for row, result in zip(rows, results, strict=True):
        ranked = [r.job_type.name for r in result.ranked]
        graded.append({"row": row, "top": ranked[0] if ranked else "", "top3": ranked[:3],
                       "confidence": confidence(result.ranked), "suggested": result.job_type is not None})
    made = [g for g in graded if g["suggested"]]
    correct = [g for g in made if g["top"] == g["row"]["job_type"]]
    top3 = [g for g in graded if g["row"]["job_type"] in g["top3"]]
    precision = len(correct) / len(made) if made else 0.0
    recall = len(correct) / total if total else 0.0
    passed = precision >= TARGET_PRECISION and recall >= TARGET_RECALL
    lines = [
        "Mapping suggestions: job type top-1 on benchmarks/data/suggestions_eval.csv",
        f"rows {total} from {len({r['contractor'] for r in rows})} contractors; catalogue "
        f"{sum(1 for j in JOB_TYPES if j[2])} active job types (+{len(inactive)} inactive), "
        f"{len(BUSINESS_UNITS)} business units",
        f"confidence threshold {CONFIDENCE_THRESHOLD:.2f} (no job type is suggested below it)",
        "",
        f"suggested       {len(made):4d} of {total} rows",
        f"correct top-1   {len(correct):4d}",
        f"top-1 precision {precision:.3f}   (target >= {TARGET_PRECISION:.2f})",
        f"recall          {recall:.3f}   (target >= {TARGET_RECALL:.2f})",
        f"top-3 accuracy  {len(top3) / total:.3f}   ({len(top3)} rows; ranked regardless of the threshold)",
        f"inactive job types suggested: {sum(1 for g in made if g['top'] in inactive)}",
        f"time            {elapsed * 1000 / max(total, 1):.2f} ms per page ({elapsed:.2f} s in all)",
        f"result          {'PASS' if passed else 'FAIL'}",
        "",
        "Precision and recall at other thresholds (for choosing it; the run above uses the one set in code):",
        "  threshold  suggested  precision  recall",
    ]
    for threshold in (0.5, 0.55, 0.6, 0.62, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9):
        above = [g for g in graded if g["top"] and g["confidence"] >= threshold]
        right = sum(1 for g in above if g["top"] == g["row"]["job_type"])
        lines.append(f"  {threshold:9.2f}  {len(above):9d}  {right / len(above) if above else 0:9.3f}  "
                     f"{right / total:6.3f}")
    wrong = sorted((g for g in made if g["top"] != g["row"]["job_type"]), key=lambda g: -g["confidence"])
    lines += ["", f"Wrong suggestions ({len(wrong)}), most confident first:"]
    lines += [f"  {g['confidence']:.2f}  {urlsplit(g['row']['url']).path}  “{g['row']['title']}”  "
              f"expected {g['row']['job_type']}, got {g['top']}" for g in wrong[:25]]
    missed = [g for g in graded if not g["suggested"]]
    lines += ["", f"No suggestion ({len(missed)} rows), best guess shown:"]
    lines += [f"  {g['confidence']:.2f}  {urlsplit(g['row']['url']).path}  expected {g['row']['job_type']}, "
              f"best {g['top'] or '—'}" for g in sorted(missed, key=lambda g: -g["confidence"])[:25]]
    by_label = Counter(g["row"]["job_type"] for g in graded if g not in correct)
    lines += ["", "Rows not right at top-1, by expected job type: "
              + ", ".join(f"{name} {count}" for name, count in by_label.most_common())]
    return lines, passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the report to this file")
    return run(parser.parse_args().out)


if __name__ == "__main__":
    sys.exit(main())
