"""The hosted form and the Website form settings screen, through the Django test client."""

from __future__ import annotations

import pytest

from pagetojob.accounts.models import AuditEntry
from pagetojob.intake.models import IntakeSettings
from pagetojob.readiness.models import FeatureFlag
from pagetojob.sites.models import Binding


@pytest.fixture
def site(world):
    site = world.page.site
    site.phone = "(602) 555-0148"
    site.save()
    IntakeSettings.objects.create(site=site, allowed_origins=["https://partner.example"],
                                  consent_sms_text="Text me <b>please</b> about it.")
    Binding.objects.filter(page=world.page).update(job_type=world.ac_repair, business_unit=world.hvac)
    return site


@pytest.mark.django_db
def test_the_page_form_renders_its_fields_and_frame_ancestors(world, site, client):
    response = client.get(f"/f/acme/p/{world.page.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for field in ("service", "urgency", "preferred_date", "preferred_window", "name", "phone", "email", "street",
                  "unit", "city", "state", "zip", "notes", "consent_sms", "consent_email", "membership_interest",
                  "customer_type"):
        assert f'name="{field}"' in html, field
    assert '<option value="AC Repair">' in html and "Drain Cleaning" not in html  # only the page's business unit
    assert "Water Heater Repair" not in html  # inactive job types are never offered
    assert "Text me &lt;b&gt;please&lt;/b&gt; about it." in html  # consent text verbatim, escaped
    assert 'href="tel:6025550148"' in html and 'aria-live="polite"' in html
    assert response["Content-Security-Policy"] == "frame-ancestors 'self' https://acme.test https://partner.example"
    assert "X-Frame-Options" not in response


@pytest.mark.django_db
def test_the_site_form_offers_every_active_job_type(world, site, client):
    html = client.get("/f/acme/").content.decode()
    assert "AC Repair" in html and "Drain Cleaning" in html and "Water Heater Repair" not in html


@pytest.mark.django_db
def test_unknown_site_or_another_sites_page_is_404(world, site, client):
    assert client.get("/f/nope/").status_code == 404
    assert client.get(f"/f/acme/p/{world.other_page.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_phone_first_kill_switch_shows_only_the_call_cta(world, site, client):
    FeatureFlag.objects.create(workspace=world.workspace, key="phone_first_cta", enabled=True)
    html = client.get(f"/f/acme/p/{world.page.pk}/").content.decode()
    assert 'id="booking-form"' not in html and 'name="name"' not in html
    assert "Call (602) 555-0148" in html and 'href="tel:6025550148"' in html


@pytest.mark.django_db
def test_embed_js_is_served_as_javascript(client):
    response = client.get("/embed.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert "max-age" in response["Cache-Control"] and b"pagetojob:context" in response.content


@pytest.mark.django_db
def test_an_admin_edits_origins_and_consent_and_the_change_is_audited(world, site, client_for):
    client = client_for(world.admin)
    page = client.get("/w/acme-air/website-form/")
    assert page.status_code == 200 and b'data-site=&quot;acme&quot;' in page.content
    assert f"/f/acme/p/{world.page.pk}/".encode() in page.content
    response = client.post("/w/acme-air/website-form/", {
        "notification_emails": "Office@Acme.test\nowner@acme.test", "allowed_origins": "http://127.0.0.1:9999",
        "consent_sms_text": "Text me.", "consent_email_text": "Email me."})
    assert response.status_code == 302
    intake = IntakeSettings.objects.get(site=site)
    assert intake.allowed_origins == ["http://127.0.0.1:9999"] and intake.consent_sms_text == "Text me."
    assert intake.notification_emails == ["office@acme.test", "owner@acme.test"]
    entry = AuditEntry.objects.get(workspace=world.workspace, action="intake.settings")
    assert entry.details["allowed_origins"]["to"] == ["http://127.0.0.1:9999"]


@pytest.mark.django_db
def test_a_bad_origin_is_refused_with_a_message(world, site, client_for):
    response = client_for(world.owner).post("/w/acme-air/website-form/", {
        "notification_emails": "", "allowed_origins": "https://partner.example/contact",
        "consent_sms_text": "x", "consent_email_text": "y"})
    assert response.status_code == 200 and "is not an origin" in response.content.decode()
    assert IntakeSettings.objects.get(site=site).allowed_origins == ["https://partner.example"]


@pytest.mark.django_db
def test_outsiders_get_404_and_viewers_cannot_change_settings(world, site, client_for):
    assert client_for(world.outsider).get("/w/acme-air/website-form/").status_code == 404
    viewer = client_for(world.viewer)
    assert viewer.get("/w/acme-air/website-form/").status_code == 200
    response = viewer.post("/w/acme-air/website-form/", {"allowed_origins": "https://evil.example",
                                                        "consent_sms_text": "x", "consent_email_text": "y"})
    assert response.status_code == 403
    assert IntakeSettings.objects.get(site=site).allowed_origins == ["https://partner.example"]
