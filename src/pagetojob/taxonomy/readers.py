"""Reading ServiceTitan exports: CSV (any common encoding and delimiter) and XLSX, row by row.

Every problem a user can cause becomes an ImportFileError whose message says what is wrong and what to
do, with the row where possible. Nothing here touches the database.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HEADER_SEARCH_ROWS = 25
SAMPLE_BYTES = 64 * 1024
csv.field_size_limit(1024 * 1024)


class ImportFileError(Exception):
    """A file that cannot be read; the message is shown to the user as is."""


@dataclass
class FileShape:
    file_format: str  # csv or xlsx
    encoding: str = ""
    delimiter: str = ""
    header_row: int = 1  # 1-based line/row number of the header
    headers: list[str] | None = None
    sample: list[list[str]] | None = None


def _looks_binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in head[:4096]


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM, or Windows-1252; mixed files are refused."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        else:
            encoding = "utf-8"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        line = 1
        saw_multibyte = False
        while chunk := handle.read(1024 * 1024):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                bad_line = line + chunk[: error.start].count(b"\n")
                if saw_multibyte or any(b >= 0xC2 for b in chunk[: error.start] if b >= 0x80):
                    raise ImportFileError(
                        f"The file mixes text encodings: it is UTF-8 up to line {bad_line}, which is not. "
                        "Open it in a spreadsheet and save it again as “CSV UTF-8”."
                    ) from error
                return "cp1252"
            saw_multibyte = saw_multibyte or any(b >= 0x80 for b in chunk)
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252" if not saw_multibyte else encoding
        return encoding


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:HEADER_SEARCH_ROWS] if line.strip()]
    best, best_score = ",", -1
    for delimiter in (",", ";", "\t", "|"):
        counts = [line.count(delimiter) for line in lines]
        widest = max(counts, default=0)
        score = sum(1 for count in counts if count == widest and count > 0) * 10 + widest
        if score > best_score:
            best, best_score = delimiter, score
    return best


def open_text(path: Path, encoding: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(path.open("rb"), encoding=encoding, newline="")


def sniff(path: Path, file_name: str, is_header) -> FileShape:
    """Find the format, encoding, delimiter and header row; `is_header(cells)` recognises a header."""
    if path.stat().st_size == 0:
        raise ImportFileError("The file is empty. Export the list from ServiceTitan again and upload that file.")
    with path.open("rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    lower = file_name.lower()
    if head.startswith(b"PK\x03\x04") or lower.endswith((".xlsx", ".xlsm")):
        return _sniff_xlsx(path, head, is_header)
    if _looks_binary(head):
        raise ImportFileError(
            "This is not a text CSV file: it contains binary data. If it came from Excel, upload the .xlsx "
            "file itself or save it as “CSV UTF-8”."
        )
    encoding = detect_encoding(path)
    try:
        with open_text(path, encoding) as text:
            sample_text = text.read(SAMPLE_BYTES)
    except UnicodeDecodeError as error:
        raise ImportFileError(
            "The file is not readable text in UTF-8, UTF-16 or Windows-1252. Open it in a spreadsheet and save it "
            "again as “CSV UTF-8”."
        ) from error
    if not sample_text.strip():
        raise ImportFileError("The file has no rows. Export the list from ServiceTitan again and upload that file.")
    delimiter = _sniff_delimiter(sample_text)
    with open_text(path, encoding) as text:
        reader = csv.reader(text, delimiter=delimiter)
        rows = []
        try:
            for row in reader:
                rows.append(row)
                if len(rows) >= HEADER_SEARCH_ROWS:
                    break
        except csv.Error as error:
            raise ImportFileError(f"Line {reader.line_num} cannot be read as CSV: {error}.") from error
        except UnicodeDecodeError as error:
            raise ImportFileError(
                f"Line {reader.line_num + 1} is not valid {encoding} text. Save the file again as “CSV UTF-8”."
            ) from error
    return _shape_from_rows("csv", rows, is_header, encoding=encoding, delimiter=delimiter)


def _shape_from_rows(file_format: str, rows: list[list[str]], is_header, **shape) -> FileShape:
    for index, row in enumerate(rows):
        cells = [str(cell).strip() if cell is not None else "" for cell in row]
        if is_header(cells):
            sample = [[str(c) if c is not None else "" for c in r] for r in rows[index + 1: index + 6]]
            return FileShape(file_format, header_row=index + 1, headers=cells, sample=sample, **shape)
    found = next((r for r in rows if any(str(c or "").strip() for c in r)), [])
    listed = ", ".join(f"“{str(c).strip()}”" for c in found if str(c or "").strip()) or "nothing"
    raise ImportFileError(
        f"No header row with a name column was found in the first {HEADER_SEARCH_ROWS} rows. "
        f"The first row with values has: {listed}. Check that you exported the right list."
    )


def _sniff_xlsx(path: Path, head: bytes, is_header) -> FileShape:
    if not head.startswith(b"PK\x03\x04"):
        raise ImportFileError("The file is named .xlsx but is not an Excel workbook. Export it from ServiceTitan "
                              "again, or upload it as CSV.")
    rows = []
    try:
        for row in _xlsx_rows(path):
            rows.append(row)
            if len(rows) >= HEADER_SEARCH_ROWS:
                break
    except ImportFileError:
        raise
    return _shape_from_rows("xlsx", rows, is_header)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    import openpyxl

    # openpyxl is a parser of untrusted input: whatever it raises on a broken workbook becomes our error.
    with path.open("rb") as handle:
        try:
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as error:
            raise ImportFileError(
                "The Excel file is damaged or incomplete (it may have been cut off while uploading). "
                "Export it again and upload the new file."
            ) from error
        try:
            if not workbook.worksheets:
                raise ImportFileError("The Excel file has no worksheet.")
            sheet = workbook.worksheets[0]
            for row in sheet.iter_rows(values_only=True):
                yield ["" if cell is None else _cell_text(cell) for cell in row]
        except ImportFileError:
            raise
        except Exception as error:
            raise ImportFileError(
                "The Excel file is damaged or incomplete part-way through. Export it again and upload the new file."
            ) from error
        finally:
            workbook.close()


def xlsx_row_count(path: Path) -> int:
    """The sheet's declared size, for progress; 0 when the workbook does not say."""
    import openpyxl

    try:
        with path.open("rb") as handle:
            workbook = openpyxl.load_workbook(handle, read_only=True)
            try:
                return int(workbook.worksheets[0].max_row or 0)
            finally:
                workbook.close()
    except Exception:  # a damaged workbook is reported when its rows are read
        return 0


def _cell_text(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def iter_rows(path: Path, shape: FileShape) -> Iterator[tuple[int, list[str]]]:
    """Yield (row number, cells) for every row after the header, streaming."""
    if shape.file_format == "xlsx":
        for number, row in enumerate(_xlsx_rows(path), start=1):
            if number > shape.header_row:
                yield number, row
        return
    with open_text(path, shape.encoding) as text:
        reader = csv.reader(text, delimiter=shape.delimiter)
        # zip draws a row's number before reading the row: after a failure the next number is one past that row.
        numbers = itertools.count(1)
        numbered = zip(numbers, reader, strict=False)
        try:
            for _ in itertools.islice(numbered, shape.header_row):
                pass
            yield from numbered
        except csv.Error as error:
            raise ImportFileError(f"Row {next(numbers) - 1} cannot be read as CSV: {error}.") from error
        except UnicodeDecodeError as error:
            raise ImportFileError(
                f"Row {next(numbers) - 1} is not valid {shape.encoding} text. Save the file again as “CSV UTF-8”."
            ) from error
