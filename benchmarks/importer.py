#!/usr/bin/env python
"""Taxonomy importer at scale: a 100,000-row pricebook export, read to candidates and applied.

Run from the repository root:

    .venv/bin/python benchmarks/importer.py [--rows 100000] [--out benchmarks/results/importer.txt]

Uses SQLite in a fresh temporary PAGETOJOB_DATA_DIR unless DATABASE_URL is set (then use a throwaway
database: the benchmark workspace is deleted at the end). For the CSV and the XLSX file it measures
(1) upload + read + diff + candidate write and (2) accept-all-safe + apply, with the peak memory of this
process. In the same run it measures a floor: the same CSV parsed with the csv module and inserted into a
bare SQLite table with executemany, and prints the import time as a multiple of that floor.
Targets (SQLite, CSV): read <= 15 s, apply <= 15 s, peak memory <= 400 MB, read <= 5x the floor.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
TARGET_READ_S = 15.0
TARGET_APPLY_S = 15.0
TARGET_PEAK_MB = 400.0
TARGET_FLOOR_MULTIPLE = 5.0
CATEGORIES = ["Diagnostics", "Repair", "Maintenance", "Install", "Plumbing", "Electrical", "Indoor Air", "Parts"]
WORDS = ["Condenser", "Capacitor", "Contactor", "Blower Motor", "Drain Line", "Water Heater", "Thermostat", "Breaker",
         "Panel", "Flush", "Inspection", "Replacement", "Tune-Up", "Coil", "Valve", "Faucet", "Disposal", "Sump Pump"]


def bootstrap() -> str | None:
    temp_dir = None
    if not os.environ.get("DATABASE_URL"):
        temp_dir = tempfile.mkdtemp(prefix="pagetojob-import-bench-")
        os.environ["PAGETOJOB_DATA_DIR"] = temp_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pagetojob.settings")
    sys.path.insert(0, str(REPO_ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return temp_dir


def make_rows(count: int, seed: int = 11) -> list[list[str]]:
    rng = random.Random(seed)
    rows = [["Code", "Display Name", "Description", "Price", "Member Price", "Category", "Active"]]
    for index in range(count):
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {index:06d}"
        price = rng.randint(20, 4000)
        rows.append([f"SVC-{index:06d}", name, f"{name} — parts and labor", f"{price}.00",
                     f"{int(price * 0.85)}.00", rng.choice(CATEGORIES), "True" if rng.random() > 0.03 else "False"])
    return rows


def write_files(rows: list[list[str]], directory: Path) -> tuple[Path, Path]:
    csv_path = directory / "pricebook-services.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        handle.write("Pricebook Services Export\r\n\r\n")
        csv.writer(handle).writerows(rows)
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Services")
    for row in rows:
        sheet.append(row)
    xlsx_path = directory / "pricebook-services.xlsx"
    workbook.save(xlsx_path)
    return csv_path, xlsx_path


def floor_seconds(csv_path: Path, directory: Path) -> float:
    """The least any importer could do: parse with csv and insert into a bare table with executemany."""
    database = directory / "floor.sqlite3"
    started = time.perf_counter()
    connection = sqlite3.connect(database)
    connection.execute("create table rows (code text, name text, description text, price text, member text, "
                       "category text, active text)")
    with csv_path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        for _ in range(3):
            next(reader)
        connection.executemany("insert into rows values (?, ?, ?, ?, ?, ?, ?)", reader)
    connection.commit()
    connection.close()
    return time.perf_counter() - started


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_import(workspace, path: Path):
    from pagetojob.taxonomy import importer
    from pagetojob.taxonomy.apply import apply_batch

    started = time.perf_counter()
    with path.open("rb") as handle:
        batch = importer.create_batch(workspace, None, "pricebook-services", path.name,
                                      iter(lambda: handle.read(1 << 20), b""))
    importer.confirm_mapping(batch, None, batch.column_mapping)
    importer.read_batch(batch)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    importer.accept_safe(batch, None)
    summary = apply_batch(batch, None)
    apply_s = time.perf_counter() - started
    return batch, read_s, apply_s, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    temp_dir = bootstrap()
    from django import get_version
    from django.db import connection

    from pagetojob.accounts.models import Workspace
    from pagetojob.taxonomy.models import PricebookService

    lines = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    say(f"Importer benchmark — {args.rows:,} pricebook rows")
    say(f"Hardware: {cpu}; {os.cpu_count()} cores; Python {platform.python_version()}; Django {get_version()}; "
        f"database {connection.vendor}")
    work = Path(tempfile.mkdtemp(prefix="pagetojob-import-files-"))
    failures = []
    try:
        rows = make_rows(args.rows)
        csv_path, xlsx_path = write_files(rows, work)
        del rows
        say(f"Files: CSV {csv_path.stat().st_size / 1e6:.1f} MB, XLSX {xlsx_path.stat().st_size / 1e6:.1f} MB")
        floor = floor_seconds(csv_path, work)
        say(f"Floor (csv module + executemany into bare SQLite): {floor:.2f} s")
        say("")
        say(f"{'file':6} {'read s':>8} {'x floor':>8} {'apply s':>8} {'peak MB':>8}  candidates")
        for label, path in (("CSV", csv_path), ("XLSX", xlsx_path)):
            workspace = Workspace.objects.create(key=f"bench-import-{label.lower()}", name=f"Import bench {label}")
            batch, read_s, apply_s, summary = run_import(workspace, path)
            multiple = read_s / floor if floor else float("inf")
            say(f"{label:6} {read_s:8.2f} {multiple:8.1f} {apply_s:8.2f} {peak_mb():8.0f}  "
                f"{batch.counts.get('new', 0):,} new, {summary['created']:,} created")
            assert PricebookService.objects.filter(workspace=workspace).count() == summary["created"]
            if label == "CSV":
                if read_s > TARGET_READ_S:
                    failures.append(f"CSV read {read_s:.1f} s > {TARGET_READ_S} s")
                if apply_s > TARGET_APPLY_S:
                    failures.append(f"CSV apply {apply_s:.1f} s > {TARGET_APPLY_S} s")
                if connection.vendor == "sqlite" and multiple > TARGET_FLOOR_MULTIPLE:
                    failures.append(f"CSV read is {multiple:.1f}x the floor > {TARGET_FLOOR_MULTIPLE}x")
            workspace.delete()
        if peak_mb() > TARGET_PEAK_MB:
            failures.append(f"peak memory {peak_mb():.0f} MB > {TARGET_PEAK_MB:.0f} MB")
        say("")
        say("Targets (CSV on SQLite): read <= 15 s, apply <= 15 s, peak <= 400 MB, read <= 5x floor")
        say("Result: " + ("pass — every target met" if not failures else "FAIL — " + "; ".join(failures)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if temp_dir:
            shutil.rmtree(temp_dir, ignore_errors=True)
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
