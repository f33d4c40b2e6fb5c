"""Arbitrary bytes never make the reader raise anything but its own, explained error."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pagetojob.taxonomy import readers
from pagetojob.taxonomy.columns import is_header_for


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2048), name=st.sampled_from(["x.csv", "x.xlsx", "x.txt"]))
def test_arbitrary_bytes_raise_only_import_file_error(data, name):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(data)
        try:
            shape = readers.sniff(path, name, is_header_for("zones"))
            for _ in readers.iter_rows(path, shape):
                pass
        except readers.ImportFileError as error:
            assert str(error)


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=400), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_arbitrary_text_in_any_supported_encoding(text, encoding):
    try:
        data = ("Name,Zips\n" + text).encode(encoding)
    except UnicodeEncodeError:
        return
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "zones.csv"
        path.write_bytes(data)
        try:
            shape = readers.sniff(path, "zones.csv", is_header_for("zones"))
            rows = list(readers.iter_rows(path, shape))
        except readers.ImportFileError as error:
            assert str(error)
        else:
            assert all(isinstance(number, int) for number, _ in rows)
