"""The Suggestions screen: who may suggest, accept and reject, and what each of them sees."""

from __future__ import annotations

from html import unescape

import pytest
from django.urls import reverse

from pagetojob.accounts.models import AuditEntry
from pagetojob.sites.models import Binding, BindingStatus, Page, PageKind

pytestmark = pytest.mark.django_db
ACME = "acme-air"


def url(name, key=ACME, **kwargs):
    return reverse(name, kwargs={"key": key, **kwargs})


def state(world):
    binding = Binding.objects.get(page=world.page)
    return (binding.status, binding.job_type_id, binding.business_unit_id, binding.suggestion_rejected_at,
            AuditEntry.objects.count())


@pytest.fixture
def suggested(world, client_for):
    """acme-air's /ac-repair page with a suggestion waiting for review."""
    response = client_for(world.marketer).post(url("suggestions-run"), follow=True)
    assert "Suggested bindings for 1 page." in response.content.decode()
    return world


def test_suggest_list_shows_score_evidence_and_actions(suggested, client_for):
    binding = Binding.objects.get(page=suggested.page)
    assert binding.status == BindingStatus.SUGGESTED and binding.job_type == suggested.ac_repair
    html = unescape(client_for(suggested.marketer).get(url("suggestions")).content.decode())
    assert "'ac' + 'repair' in URL matched job type AC Repair" in html
    assert "100%" in html and "HVAC Service" in html and "HVAC-DIAG" in html
    assert "Accept all above score" in html and ">Reject</button>" in html


def test_viewer_sees_the_list_read_only_and_cannot_post(suggested, client_for):
    client = client_for(suggested.viewer)
    html = client.get(url("suggestions")).content.decode()
    assert "/ac-repair" in html and ">Reject</button>" not in html and "Accept all above score" not in html
    before = state(suggested)
    for response in (client.post(url("suggestions-run")),
                     client.post(url("suggestions-accept"), {"only": suggested.page.pk}),
                     client.post(url("suggestions-accept"), {"min_score": "0"}),
                     client.post(url("suggestion-reject", page_id=suggested.page.pk))):
        assert response.status_code == 403
    assert state(suggested) == before


def test_operator_can_neither_suggest_nor_accept(world, client_for):
    client = client_for(world.operator)
    before = state(world)
    assert client.post(url("suggestions-run")).status_code == 403
    assert client.post(url("suggestions-accept"), {"min_score": "0"}).status_code == 403
    assert state(world) == before


def test_outsider_gets_404_and_changes_nothing(suggested, client_for):
    client = client_for(suggested.outsider)
    before = state(suggested)
    assert client.get(url("suggestions")).status_code == 404
    assert client.post(url("suggestions-run")).status_code == 404
    assert client.post(url("suggestions-accept"), {"min_score": "0"}).status_code == 404
    assert client.post(url("suggestion-reject", page_id=suggested.page.pk)).status_code == 404
    # Under their own workspace key, acme-air's page id is not theirs either.
    response = client.post(url("suggestion-reject", key="rival-plumbing", page_id=suggested.page.pk))
    assert response.status_code == 404
    response = client.post(url("suggestions-accept", key="rival-plumbing"), {"only": suggested.page.pk}, follow=True)
    assert "Accepted" not in response.content.decode()
    assert state(suggested) == before


def test_accept_one_row(suggested, client_for):
    response = client_for(suggested.marketer).post(url("suggestions-accept"), {"only": suggested.page.pk},
                                                   follow=True)
    assert "Accepted and approved 1 binding." in response.content.decode()
    binding = Binding.objects.get(page=suggested.page)
    assert binding.status == BindingStatus.APPROVED and binding.approved_by == suggested.marketer
    assert "No suggestions waiting for review" in response.content.decode()


def test_accept_above_a_score_and_explain_gaps(suggested, client_for):
    site = suggested.page.site
    location = Page.objects.create(workspace=suggested.workspace, site=site, path="/service-areas/tucson",
                                   title="AC Repair in Tucson", kind=PageKind.LOCATION)
    Binding.objects.create(workspace=suggested.workspace, page=location)
    client = client_for(suggested.owner)
    client.post(url("suggestions-run"))
    assert Binding.objects.get(page=location).status == BindingStatus.SUGGESTED
    response = client.post(url("suggestions-accept"), {"min_score": "0.5"}, follow=True)
    html = response.content.decode()
    assert "Accepted and approved 1 binding." in html
    assert "Not approved: /service-areas/tucson (no active zone)" in html


def test_accept_with_a_bad_score_says_what_to_type(suggested, client_for):
    response = client_for(suggested.owner).post(url("suggestions-accept"), {"min_score": "lots"}, follow=True)
    assert "give a score between 0 and 100" in response.content.decode()
    assert Binding.objects.get(page=suggested.page).status == BindingStatus.SUGGESTED


def test_reject_one_row(suggested, client_for):
    client = client_for(suggested.marketer)
    response = client.post(url("suggestion-reject", page_id=suggested.page.pk), follow=True)
    assert "Rejected the suggestion for /ac-repair; it will not be suggested again." in response.content.decode()
    binding = Binding.objects.get(page=suggested.page)
    assert binding.status == BindingStatus.DRAFT and binding.job_type is None
    again = client.post(url("suggestions-run"), follow=True).content.decode()
    assert "No unbound pages" in again
    twice = client.post(url("suggestion-reject", page_id=suggested.page.pk), follow=True).content.decode()
    assert "/ac-repair has no suggestion waiting for review." in twice


def test_edit_in_the_binding_editor_then_accept(suggested, client_for):
    client = client_for(suggested.marketer)
    client.post(url("binding", page_id=suggested.page.pk), {
        "action": "save", "business_unit": suggested.hvac.pk, "job_type": suggested.ac_repair.pk,
        "booking_path": "request_form", "cta_mode": "call_now"})
    assert Binding.objects.get(page=suggested.page).status == BindingStatus.SUGGESTED
    client.post(url("suggestions-accept"), {"page": [suggested.page.pk]})
    binding = Binding.objects.get(page=suggested.page)
    assert binding.status == BindingStatus.APPROVED and binding.cta_mode == "call_now"


def test_empty_state_says_what_to_do(world, client_for):
    html = client_for(world.marketer).get(url("suggestions")).content.decode()
    assert "No suggestions waiting for review" in html
    assert "1 unbound page can get a suggestion" in html
    assert 'href="/w/acme-air/suggestions/"' in html and ">Suggestions</a>" in html  # the nav link


def test_running_with_nothing_to_match_says_so(world, client_for):
    Binding.objects.filter(page=world.page).update(suggestion_rejected_at=world.page.created_at)
    page = Page.objects.create(workspace=world.workspace, site=world.page.site, path="/about-us", title="About Us")
    Binding.objects.create(workspace=world.workspace, page=page)
    html = client_for(world.owner).post(url("suggestions-run"), follow=True).content.decode()
    assert "Nothing to suggest for the 1 unbound page" in html
    assert Binding.objects.get(page=page).status == BindingStatus.DRAFT
