"""What each capability needs before it may touch a tenant: gates, modules, scopes and flags.

Scopes follow ServiceTitan's `tn.<module>.<resource>:r|w` naming from the official OpenAPI documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Gate:
    key: str
    label: str
    owner: str  # "product" (ours to satisfy) or "customer"
    explains: str


CONNECTION_GATES: tuple[Gate, ...] = (
    Gate("app_approval", "ServiceTitan app approval", "product",
         "ServiceTitan has approved the PageToJob app and its app key for the scopes below."),
    Gate("customer_authorization", "Customer authorization", "customer",
         "A ServiceTitan admin of this contractor has connected the app to their tenant."),
    Gate("credentials", "Credential and token storage", "customer",
         "Tenant id, client id and client secret are stored encrypted and a token can be fetched."),
    Gate("webhooks", "Webhook readiness", "product",
         "Signed webhook deliveries have been validated end to end (signature, replay, persistence)."),
    Gate("sync_worker", "Async sync worker", "product",
         "A PageToJob worker is running and has written a heartbeat in the last 90 seconds."),
)


@dataclass(frozen=True)
class Module:
    key: str
    label: str
    question: str


MODULES: tuple[Module, ...] = (
    Module("scheduling_pro", "Scheduling Pro", "Does the contractor pay for ServiceTitan Scheduling Pro?"),
    Module("marketing_ads", "Marketing Pro / Marketing Ads", "Is Marketing Pro (Ads attribution) enabled?"),
    Module("pricebook", "Pricebook", "Is the ServiceTitan pricebook kept current for online prices?"),
    Module("memberships", "Memberships", "Does the contractor sell memberships in ServiceTitan?"),
    Module("accounting", "Accounting", "Are invoices and payments recorded in ServiceTitan Accounting?"),
    Module("dispatch", "Dispatch", "Are dispatch zones and capacity set up in ServiceTitan?"),
)

SCOPE_FAMILIES: tuple[tuple[str, str, str], ...] = (
    ("crm", "CRM", "tn.crm."),
    ("jobs", "Jobs", "tn.jpm."),
    ("settings", "Settings", "tn.stt."),
    ("dispatch", "Dispatch", "tn.dis."),
    ("marketing", "Marketing", "tn.mrk. / tn.mads."),
    ("pricebook", "Pricebook", "tn.pb."),
    ("memberships", "Memberships", "tn.mem."),
    ("accounting", "Accounting", "tn.acc."),
    ("scheduling", "Scheduling Pro", "tn.sp."),
)


def scope_family(scope: str) -> str:
    prefix = scope.split(".")[1] if scope.count(".") >= 2 else ""
    return {
        "crm": "crm", "jpm": "jobs", "stt": "settings", "dis": "dispatch", "mrk": "marketing",
        "mads": "marketing", "pb": "pricebook", "mem": "memberships", "acc": "accounting", "sp": "scheduling",
    }.get(prefix, "other")


@dataclass(frozen=True)
class Capability:
    key: str
    label: str
    manual_now: str
    needs_customer: str
    waits_for: str
    touches_tenant: bool = True
    gates: tuple[str, ...] = ("app_approval", "customer_authorization", "credentials", "sync_worker")
    modules: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    kill_switches: tuple[str, ...] = field(default=())


CAPABILITIES: tuple[Capability, ...] = (
    Capability(
        "titan_map", "Titan Map workbench",
        "Bind every page to business units, job types, campaigns, zones, services and memberships.",
        "ServiceTitan exports (or screenshots turned into rows) of the objects to bind.",
        "Nothing: the map never writes to ServiceTitan.", touches_tenant=False, gates=(),
    ),
    Capability(
        "taxonomy_import_manual", "Manual taxonomy import",
        "Upload CSV/XLSX exports, review every candidate, apply atomically.",
        "Exports of business units, job types, campaigns, zones, pricebook and memberships.",
        "Nothing.", touches_tenant=False, gates=(),
    ),
    Capability(
        "taxonomy_import_api", "Read-only API import",
        "Use the manual importer with exports.",
        "Authorize the app in ServiceTitan and share tenant id and client credentials.",
        "App approval and the read scopes.",
        scopes=("tn.stt.businessunits:r", "tn.jpm.jobtypes:r", "tn.mrk.campaigns:r", "tn.dis.zones:r",
                "tn.pb.services:r", "tn.mem.membershiptypes:r", "tn.mem.recurringservicetypes:r",
                "tn.crm.bookingprovidertags:r"),
    ),
    Capability(
        "booking_form", "Booking request form",
        "The hosted form and embed store every request and email the office.",
        "The office email address and phone number to show.",
        "Nothing: the form never waits on ServiceTitan.", touches_tenant=False, gates=(),
    ),
    Capability(
        "booking_handoff", "Booking handoff to ServiceTitan",
        "Requests are emailed to the office and marked manual-complete when entered by hand.",
        "Authorize the app; choose the booking provider tag bookings should carry.",
        "App approval and a running sync worker.",
        scopes=("tn.crm.bookings:r", "tn.crm.bookings:w", "tn.crm.bookingprovidertags:r"),
        kill_switches=("pause_all_sync",),
    ),
    Capability(
        "lead_handoff", "Lead handoff to ServiceTitan",
        "Requests outside booking hours are emailed to the office as leads.",
        "Authorize the app; confirm the call reason and campaign for web leads.",
        "App approval and a running sync worker.",
        scopes=("tn.crm.leads:r", "tn.crm.leads:w", "tn.crm.customers:r"),
        kill_switches=("pause_all_sync",),
    ),
    Capability(
        "attribution_post", "Web booking and lead attribution",
        "Source context is stored with every request and shown in reports.",
        "Confirm Marketing Pro / Ads is enabled.",
        "App approval and the Marketing Ads write scopes.",
        modules=("marketing_ads",),
        scopes=("tn.mads.webbookingattributions:w", "tn.mads.webleadformattributions:w"),
        kill_switches=("pause_all_sync",),
    ),
    Capability(
        "capacity_check", "Live capacity check",
        "Capacity rules entered in PageToJob choose each page's call to action.",
        "Confirm Dispatch capacity is maintained in ServiceTitan.",
        "App approval and the dispatch capacity scope.",
        modules=("dispatch",), scopes=("tn.dis.capacity:w", "tn.dis.zones:r"),
    ),
    Capability(
        "scheduling_pro", "Scheduling Pro embed alignment",
        "Install guidance for the scheduler embed; the request form stays active without it.",
        "Confirm Scheduling Pro is owned and share the scheduler ids.",
        "App approval and the scheduler read scope.",
        modules=("scheduling_pro",), scopes=("tn.sp.schedulers:r",),
        kill_switches=("disable_scheduler_embed",),
    ),
    Capability(
        "webhooks", "ServiceTitan webhooks",
        "Booking outcomes are marked by the office; revenue comes from exports.",
        "Authorize the app's webhook subscriptions.",
        "App approval and validated webhook deliveries.",
        gates=("app_approval", "customer_authorization", "credentials", "webhooks", "sync_worker"),
        scopes=("tn.crm.bookings:r", "tn.jpm.jobs:r"),
    ),
    Capability(
        "pricebook_read", "Pricebook prices for drift checks",
        "Prices from a pricebook export feed the drift monitor.",
        "Confirm the pricebook is the source of truth for advertised prices.",
        "App approval and the pricebook read scope.",
        modules=("pricebook",), scopes=("tn.pb.services:r", "tn.pb.categories:r"),
    ),
    Capability(
        "memberships_read", "Membership types and recurring services",
        "Membership exports bind membership pages.",
        "Confirm memberships are sold through ServiceTitan.",
        "App approval and the membership read scopes.",
        modules=("memberships",),
        scopes=("tn.mem.membershiptypes:r", "tn.mem.recurringservicetypes:r", "tn.mem.memberships:r"),
    ),
    Capability(
        "revenue_api", "Revenue proof from the API",
        "Revenue proof from job, invoice and payment exports.",
        "Confirm Accounting holds invoices and payments.",
        "App approval and the job, invoice and payment read scopes.",
        modules=("accounting",),
        scopes=("tn.jpm.jobs:r", "tn.acc.invoices:r", "tn.acc.payments:r", "tn.mrk.costs:r"),
    ),
    Capability(
        "direct_job_creation", "Direct job creation",
        "Bookings are converted to jobs by the office in ServiceTitan.",
        "A written approval from the contractor for PageToJob to create jobs.",
        "App approval, validated customer/location/job type/campaign rules, and capacity.",
        modules=("dispatch",),
        scopes=("tn.crm.customers:w", "tn.crm.locations:w", "tn.jpm.jobs:w", "tn.dis.capacity:w"),
        kill_switches=("pause_all_sync",),
    ),
)

CAPABILITIES_BY_KEY = {capability.key: capability for capability in CAPABILITIES}


@dataclass(frozen=True)
class Flag:
    key: str
    label: str
    explains: str


FLAGS: tuple[Flag, ...] = (
    Flag("phone_first_cta", "Phone-first CTA", "Replace every form and scheduler with the call-now button."),
    Flag("disable_scheduler_embed", "Disable scheduler embed",
         "Hide a broken Scheduling Pro embed; pages fall back to the request form."),
    Flag("discard_unreviewed_imports", "Discard unreviewed imports",
         "Throw away import candidates nobody has reviewed; applied items stay."),
    Flag("pause_all_sync", "Pause all sync", "Hold every outbound ServiceTitan write; requests keep arriving."),
    Flag("approve_direct_jobs", "Direct job creation approved",
         "The contractor approved in writing that PageToJob may create jobs directly (each job still passes the "
         "customer, location, job type, campaign and capacity rules)."),
)
FLAGS_BY_KEY = {flag.key: flag for flag in FLAGS}
