"""`pagetojob import_sitemap` and `pagetojob import_pages_csv` (behind `pagetojob import sitemap|pages-csv`)."""

from __future__ import annotations

import gzip
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pagetojob import cli
from pagetojob.accounts.models import AuditEntry
from pagetojob.sites.models import Binding, Page, Site
from tests.sites.sitemap_server import running_server, urlset

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_sitemap_file_with_json(world, tmp_path):
    path = tmp_path / "sitemap.xml.gz"
    path.write_bytes(gzip.compress(urlset("/", "/ac-repair", "/lp/summer-ac", "/x", host="https://acme.test")
                                   .replace(b"/x<", b"/x?utm=1<").replace(b"https://acme.test/x",
                                                                          b"https://rival.test/x")))
    output = json.loads(run("import_sitemap", str(path), "--workspace", "acme-air", "--json"))
    assert output["workspace"] == "acme-air" and output["site"] == "acme"
    assert output["source"] == "sitemap file sitemap.xml.gz"
    assert output["counts"] == {"created": 2, "updated": 0, "unchanged": 1, "missing": 0, "skipped": 1}
    assert output["skipped"] == [{"url": "https://rival.test/x?utm=1",
                                  "reason": "on rival.test, not on this site (acme.test)"}]
    assert AuditEntry.objects.get(pk=output["audit_id"]).actor_label == "command line"
    assert Binding.objects.filter(page__path="/lp/summer-ac", workspace=world.workspace).exists()


def test_sitemap_url_and_human_output(world):
    with running_server() as server:
        text = run("import_sitemap", server.url("/sitemap_index.xml"), "--workspace", "acme-air", "--site", "acme",
                   "--as", world.marketer.email)
    assert text.startswith(f"Imported the pages of Acme from sitemap {server.url('/sitemap_index.xml')}: "
                           "5 created, 0 updated, 1 unchanged, 0 missing, 0 skipped")
    assert AuditEntry.objects.get(action="pages.import").actor == world.marketer


def test_pages_csv_with_json(world, tmp_path):
    path = tmp_path / "pages.csv"
    path.write_text("url,title\n/ac-repair,AC Repair Pros\n/comfort-club,Comfort Club\n,Orphan\n",
                    encoding="utf-8-sig")
    output = json.loads(run("import_pages_csv", str(path), "--workspace", "acme-air", "--json"))
    assert output["counts"] == {"created": 1, "updated": 1, "unchanged": 0, "missing": 0, "skipped": 1}
    assert output["skipped"] == [{"url": "row 4", "reason": "no URL in this row"}]
    assert Page.objects.get(pk=world.page.pk).title == "AC Repair Pros"


@pytest.mark.parametrize(("args", "message"), [
    (["import_sitemap", "/nonexistent/sitemap.xml"], "does not exist or is not a file"),
    (["import_sitemap", "ftp://acme.test/sitemap.xml"], "is not an http:// or https:// address"),
    (["import_pages_csv", "/nonexistent/pages.csv"], "does not exist or is not a file"),
])
def test_unreadable_sources_fail_and_change_nothing(world, args, message):
    before = (Page.objects.count(), AuditEntry.objects.count())
    with pytest.raises(CommandError, match=message):
        run(*args, "--workspace", "acme-air")
    assert (Page.objects.count(), AuditEntry.objects.count()) == before
    assert Page.objects.get(pk=world.page.pk).missing_since is None


def test_not_xml_exits_non_zero_with_the_message_on_stderr(world, tmp_path, capsys, monkeypatch):
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)  # the test database outlives the command
    path = tmp_path / "sitemap.xml"
    path.write_bytes(b"<html><body>Oops</body></html>")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["import_sitemap", str(path), "--workspace", "acme-air", "--json"])
    assert exit_info.value.code != 0
    captured = capsys.readouterr()
    assert "sitemap.xml is a web page (HTML), not a sitemap" in captured.err and captured.out == ""
    assert not AuditEntry.objects.filter(action="pages.import").exists()


def test_workspace_and_site_must_exist_and_be_unambiguous(world, tmp_path):
    path = tmp_path / "sitemap.xml"
    path.write_bytes(urlset("/a", host="https://acme.test"))
    with pytest.raises(CommandError, match="No workspace with the key 'nope'"):
        run("import_sitemap", str(path), "--workspace", "nope")
    with pytest.raises(CommandError, match="no site “rival”"):
        run("import_sitemap", str(path), "--workspace", "acme-air", "--site", "rival")
    Site.objects.create(workspace=world.workspace, key="second", name="Second", base_url="https://second.test")
    with pytest.raises(CommandError, match="several sites"):
        run("import_sitemap", str(path), "--workspace", "acme-air")
    assert not Page.objects.filter(path="/a").exists()
