"""Export files in every format and every bad shape the importer must handle."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

JOB_TYPES_ROWS = [
    ["Id", "Name", "Business Units", "Active"],
    ["201", "AC Repair", "HVAC Service", "True"],
    ["202", "Drain Cleaning", "Plumbing Service", "True"],
    ["204", "Furnace Repair", "HVAC Service", "True"],
    ["205", "Sewer Line Repair", "Plumbing Service", "False"],
]


def write_csv(path: Path, rows, *, encoding="utf-8", delimiter=",", title_rows=(), newline="\r\n") -> Path:
    buffer = io.StringIO()
    for title in title_rows:
        buffer.write(title + newline)
    for row in rows:
        cells = []
        for cell in row:
            text = str(cell)
            if any(ch in text for ch in (delimiter, '"', "\n")):
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        buffer.write(delimiter.join(cells) + newline)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows, title_rows=()) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for title in title_rows:
        sheet.append([title])
    for row in rows:
        sheet.append([int(cell) if str(cell).isdigit() else cell for cell in row])
    workbook.save(path)
    return path


@pytest.fixture
def files(tmp_path):
    class Files:
        def csv(self, name="export.csv", rows=JOB_TYPES_ROWS, **options) -> Path:
            return write_csv(tmp_path / name, rows, **options)

        def xlsx(self, name="export.xlsx", rows=JOB_TYPES_ROWS, **options) -> Path:
            return write_xlsx(tmp_path / name, rows, **options)

        def raw(self, name: str, data: bytes) -> Path:
            path = tmp_path / name
            path.write_bytes(data)
            return path

    return Files()
