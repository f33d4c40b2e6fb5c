"""Every common export format reads to the same candidates; every bad file is refused with a reason."""

from __future__ import annotations

import pytest

from pagetojob.taxonomy import importer
from pagetojob.taxonomy.models import ImportBatch

from .conftest import JOB_TYPES_ROWS


def read(world, path, family="job-types"):
    batch = importer.create_batch(world.workspace, world.owner, family, path.name, [path.read_bytes()])
    importer.confirm_mapping(batch, world.owner, batch.column_mapping)
    return importer.read_batch(batch)


def names(batch):
    return [c.name for c in batch.candidates.exclude(row_number=None).order_by("row_number")]


EXPECTED = ["AC Repair", "Drain Cleaning", "Furnace Repair", "Sewer Line Repair"]


@pytest.mark.django_db
@pytest.mark.parametrize("options", [
    {"encoding": "utf-8"},
    {"encoding": "utf-8-sig"},
    {"encoding": "utf-16"},
    {"encoding": "cp1252"},
    {"delimiter": ";"},
    {"delimiter": "\t"},
    {"newline": "\n"},
    {"title_rows": ["Job Types Report", "Exported 11/28/2026 by Dana", ""]},
], ids=["utf8", "utf8-bom", "utf16", "cp1252", "semicolon", "tab", "lf", "title-rows"])
def test_csv_variants_read_the_same_rows(world, files, options):
    batch = read(world, files.csv(**options))
    assert names(batch) == EXPECTED
    assert batch.counts["changed"] + batch.counts["unchanged"] == 2  # AC Repair and Drain Cleaning exist
    assert batch.counts["new"] == 2


@pytest.mark.django_db
def test_xlsx_with_a_title_row(world, files):
    batch = read(world, files.xlsx(title_rows=["Job Types"]))
    assert batch.file_format == "xlsx" and batch.header_row == 2
    assert batch.rows_estimate == 4  # progress has a total for workbooks too
    assert names(batch) == EXPECTED


@pytest.mark.django_db
def test_windows_1252_characters_and_quoted_newlines_survive(world, files):
    rows = [["Name", "Business Units"], ["Caf\u00e9 Cooling \u2013 Repair", "HVAC Service"],
            ["Two\nline name", "HVAC Service"]]
    batch = read(world, files.csv(rows=rows, encoding="cp1252"))
    assert names(batch) == ["Caf\u00e9 Cooling \u2013 Repair", "Two line name"]


@pytest.mark.django_db
@pytest.mark.parametrize("name,data,message", [
    ("empty.csv", b"", "The file is empty"),
    ("blank.csv", b"\r\n\r\n  \r\n", "The file has no rows"),
    ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "contains binary data"),
    ("export.xlsx", b"PK\x03\x04\x14\x00\x00\x00broken", "damaged or incomplete"),
    ("fake.xlsx", b"Name,Active\nAC,yes\n", "is not an Excel workbook"),
    ("mixed.csv", "Name,Business Units\nCaf\u00e9,HVAC\n".encode() + b"Fa\xe7ade Repair,HVAC\n",
     "mixes text encodings: it is UTF-8 up to line 3"),
    ("headers-only.csv", b"Name,Business Units\n", "no data rows"),
])
def test_bad_files_are_refused_with_a_reason_and_leave_nothing(world, files, name, data, message):
    with pytest.raises(importer.ImportFileError, match=message):
        read(world, files.raw(name, data))
    assert not ImportBatch.objects.filter(status__in=["mapping", "review"]).exists()


@pytest.mark.django_db
def test_truncated_xlsx_is_refused(world, files):
    good = files.xlsx().read_bytes()
    with pytest.raises(importer.ImportFileError, match="damaged or incomplete"):
        read(world, files.raw("cut.xlsx", good[: len(good) // 2]))


@pytest.mark.django_db
def test_a_file_of_another_family_is_refused_with_its_columns(world, files):
    rows = [["Code", "Display Name", "Price", "Member Price"], ["HVAC-1", "AC Diagnostic", "89", "0"]]
    with pytest.raises(importer.ImportFileError, match="look like a pricebook service export"):
        read(world, files.csv(rows=rows), family="zones")


@pytest.mark.django_db
def test_missing_name_column_lists_the_columns_found(world, files):
    rows = [["Id", "Colour", "Size"], ["1", "red", "L"]]
    with pytest.raises(importer.ImportFileError) as error:
        read(world, files.csv(rows=rows), family="business-units")
    assert "“Id”, “Colour”, “Size”" in str(error.value)


@pytest.mark.django_db
def test_upload_size_limit_gives_a_clear_message(world, files, settings):
    settings.PAGETOJOB_MAX_UPLOAD_MB = 0
    with pytest.raises(importer.ImportFileError, match="larger than the upload limit"):
        read(world, files.csv())
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_column_variants_are_recognised(world, files):
    rows = [["  JOB TYPE NAME ", "job_type_id", "Business Unit", "Status"],
            ["AC Repair", "201", "HVAC Service", "Active"]]
    data = files.csv(rows=rows).read_bytes()
    batch = importer.create_batch(world.workspace, world.owner, "job-types", "x.csv", [data])
    assert batch.column_mapping == {"name": "JOB TYPE NAME", "st_id": "job_type_id", "business_units": "Business Unit",
                                    "active": "Status"}
    assert JOB_TYPES_ROWS  # the shared fixture stays untouched


@pytest.mark.django_db
def test_an_unreadable_csv_row_is_named_by_its_row_number(world, files):
    # Two title lines, the header on row 3, 30 good rows (past the rows read to find the header), then on row 34 a
    # cell past the reader's 1 MB field limit.
    good = "".join(f"Repair {n},HVAC\r\n" for n in range(30))
    data = f"Job Types Report\r\n\r\nName,Business Units\r\n{good}{'x' * (1024 * 1024 + 1)},HVAC\r\nAC,HVAC\r\n"
    with pytest.raises(importer.ImportFileError, match=r"^Row 34 cannot be read as CSV"):
        read(world, files.raw("long-cell.csv", data.encode()))
