from __future__ import annotations

from typing import Any

from django import forms

from pagetojob.accounts.models import Workspace
from pagetojob.sites.discovery import DiscoveryError, site_address
from pagetojob.sites.models import PageKind, Site
from pagetojob.sites.sitemaps import MAX_SITEMAP_BYTES

MAX_UPLOAD_BYTES = MAX_SITEMAP_BYTES
SOURCES = {
    "sitemap_file": "Sitemap file",
    "sitemap_url": "Sitemap address",
    "csv": "CSV of URLs",
}


class PageImportForm(forms.Form):
    """One of three sources (a sitemap file, a sitemap address, a CSV) for the pages of one site."""

    site = forms.ModelChoiceField(queryset=Site.objects.none(), label="Site", empty_label=None)
    new_site = forms.CharField(label="Website address", max_length=200, required=False,
                               help_text="The contractor's site, e.g. https://www.example.com. "
                                         "URLs on other hosts are skipped and listed.")
    upload = forms.FileField(label="File", required=False)
    address = forms.CharField(label="Sitemap address", max_length=2000, required=False,
                              widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url",
                                                            "placeholder": "https://www.example.com/sitemap.xml"}))

    def __init__(self, *args: Any, workspace: Workspace, source: str, **kwargs: Any) -> None:
        super().__init__(*args, prefix=source, **kwargs)
        self.source = source
        sites = list(workspace.sites.all())
        self.only_site = sites[0] if len(sites) == 1 else None
        self.fields["site"].queryset = workspace.sites.all()
        if len(sites) != 1:
            del self.fields["new_site" if sites else "site"]
        else:
            del self.fields["new_site"], self.fields["site"]
        if not sites:
            self.fields["new_site"].required = True
        if source == "sitemap_url":
            del self.fields["upload"]
            self.fields["address"].required = True
        else:
            del self.fields["address"]
            self.fields["upload"].required = True
            if source == "csv":
                self.fields["upload"].label = "CSV file"
                self.fields["upload"].help_text = ("Columns “url” and “title” (a crawler export works), UTF-8 "
                                                   "with or without BOM; or one URL per line.")
                self.fields["upload"].widget.attrs["accept"] = ".csv,.txt,text/csv,text/plain"
            else:
                self.fields["upload"].label = "Sitemap file"
                self.fields["upload"].help_text = "sitemap.xml, a sitemap index, or sitemap.xml.gz."
                self.fields["upload"].widget.attrs["accept"] = ".xml,.gz,application/xml,text/xml,application/gzip"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.only_site is not None:
            cleaned["site"] = self.only_site
        return cleaned

    def clean_new_site(self) -> str:
        try:
            return site_address(self.cleaned_data.get("new_site", ""))
        except DiscoveryError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_upload(self) -> Any:
        upload = self.cleaned_data.get("upload")
        if upload is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"The file is {upload.size / 1024 / 1024:.0f} MB; the limit is "
                                        f"{MAX_UPLOAD_BYTES // 1024 // 1024} MB. Split it into smaller files.")
        return upload


class PageKindForm(forms.Form):
    kind = forms.ChoiceField(label="Kind", choices=[("auto", "Automatic (from URL and title)"), *PageKind.choices])
