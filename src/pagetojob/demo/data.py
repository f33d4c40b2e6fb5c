"""The demo data set: Desert Peak Heating & Air (Phoenix metro) and Saguaro Plumbing & Drain (Tucson).

Plain Python rows only; `pagetojob.demo.loader` turns them into database rows. Names are the keys that tie
rows together (a job type lists its business units by name, a binding names its job type, and so on),
always within one workspace. Some Desert Peak pages carry deliberate drift problems for the drift monitor.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

DEMO_PASSWORD = "desertpeak-demo"
LOGIN_EMAIL = "demo@pagetojob.local"
PRIMARY_WORKSPACE_KEY = "desert-peak"


@dataclass(frozen=True)
class BusinessUnitRow:
    st_id: int
    name: str
    trade: str
    active: bool = True


@dataclass(frozen=True)
class JobTypeRow:
    st_id: int
    name: str
    business_units: tuple[str, ...]
    priority: str = "Normal"
    duration_minutes: int = 60
    active: bool = True


@dataclass(frozen=True)
class CampaignRow:
    st_id: int
    name: str
    category: str
    source_label: str
    medium: str
    dnis: str = ""
    active: bool = True


@dataclass(frozen=True)
class ZoneRow:
    st_id: int
    name: str
    state: str  # active, paused, emergency_only, expansion
    cities: tuple[str, ...]
    zips: tuple[str, ...]
    active: bool = True


@dataclass(frozen=True)
class PricebookRow:
    st_id: int
    code: str
    name: str
    price: Decimal
    member_price: Decimal | None
    category: str
    active: bool = True


@dataclass(frozen=True)
class MembershipTypeRow:
    st_id: int
    name: str
    billing: str
    price: Decimal
    active: bool = True


@dataclass(frozen=True)
class RecurringServiceRow:
    st_id: int
    name: str
    membership_type: str
    recurrence: str
    active: bool = True


@dataclass(frozen=True)
class BookingProviderRow:
    st_id: int
    name: str
    kind: str = "V2Api"
    active: bool = True


@dataclass(frozen=True)
class CapacityRuleRow:
    name: str
    kind: str
    business_unit: str | None = None
    job_type: str | None = None
    zone: str | None = None
    weekdays: tuple[int, ...] = ()
    starts_at: str | None = None  # "HH:MM"
    ends_at: str | None = None
    cta: str = "request_appointment"
    cta_label: str = ""
    same_day: bool = False
    notes: str = ""


@dataclass(frozen=True)
class BindingRow:
    status: str = "draft"
    job_type: str | None = None
    business_unit: str | None = None
    campaign: str | None = None
    zones: tuple[str, ...] = ()
    services: tuple[str, ...] = ()  # pricebook service names or codes
    membership_type: str | None = None
    booking_provider: str | None = None
    booking_path: str = "request_form"
    scheduler_id: str = ""
    cta_mode: str = "auto"
    notes: str = ""
    approved_days_ago: int = 30
    approved_names: tuple[tuple[str, str], ...] = ()  # names at approval that ServiceTitan has since changed


@dataclass(frozen=True)
class PageRow:
    path: str
    title: str
    kind: str
    binding: BindingRow
    city: str = ""
    zips: tuple[str, ...] = ()
    advertised_price: Decimal | None = None
    offer_text: str = ""
    offer_expires_on: str | None = None  # ISO date
    promises: tuple[str, ...] = ()
    utm_campaign: str = ""


@dataclass(frozen=True)
class SchedulerRow:
    scheduler_id: str
    name: str
    job_types: tuple[str, ...]
    zones: tuple[str, ...]
    notes: str = ""


@dataclass(frozen=True)
class UserRow:
    email: str
    first_name: str
    last_name: str
    roles: tuple[tuple[str, str], ...]  # (workspace key, role)


@dataclass(frozen=True)
class EarlierValue:
    """Until `changed_days_ago`, the object (a page by path, or a taxonomy item by name) had `value` in `field`."""

    changed_days_ago: int
    model: str  # page, job_type, campaign, zone, pricebook_service, membership_type
    name: str
    field: str
    value: Any


@dataclass(frozen=True)
class DriftHistory:
    """The drift monitor's past for the demo: reviews replayed over the data as it was, then people's triage."""

    onboarded_days_ago: int
    earlier: tuple[EarlierValue, ...]
    acknowledged: tuple[tuple[str, str, str], ...] = ()  # (rule, page path or object name, note)
    suppressed: tuple[tuple[str, str, int, str], ...] = ()  # (rule, page path or object name, days ahead, reason)


@dataclass(frozen=True)
class WorkspaceData:
    key: str
    name: str
    trade: str
    phone: str
    time_zone: str
    site_key: str
    site_name: str
    base_url: str
    approver: str  # email of the user who approved the bindings
    business_units: tuple[BusinessUnitRow, ...]
    job_types: tuple[JobTypeRow, ...]
    campaigns: tuple[CampaignRow, ...]
    zones: tuple[ZoneRow, ...]
    pricebook: tuple[PricebookRow, ...]
    membership_types: tuple[MembershipTypeRow, ...]
    recurring_services: tuple[RecurringServiceRow, ...]
    booking_providers: tuple[BookingProviderRow, ...]
    capacity_rules: tuple[CapacityRuleRow, ...]
    pages: tuple[PageRow, ...]
    schedulers: tuple[SchedulerRow, ...] = ()
    modules_owned: tuple[str, ...] = ()  # readiness answers recorded as "the contractor has it"
    drift_history: DriftHistory | None = None


D = Decimal

# --------------------------------------------------------------------------- Desert Peak Heating & Air

HVAC_SVC = "HVAC Service"
HVAC_INS = "HVAC Install"
PLB_SVC = "Plumbing Service"
PLB_INS = "Plumbing Install & Water Heaters"
MAINT = "Maintenance & Memberships"

PHX = "Phoenix Metro"
EAST = "East Valley"
WEST = "West Valley"
QUEEN = "Queen Creek & San Tan Valley"
BUCKEYE = "Buckeye & Goodyear"
NORTH = "Cave Creek & Anthem"
NSCOTT = PHX  # Scottsdale is served from the Phoenix Metro zone
SERVED = (PHX, EAST, WEST)

WEB = "PageToJob Website"
SCHED = "Scheduling Pro Website"
ORGANIC = "Organic Search"
CLUB = "Desert Peak Comfort Club"
CLUB_PLUS = "Comfort Club Plus"
GOLD = "Legacy Gold Plan"

DP_BUSINESS_UNITS = (
    BusinessUnitRow(1000201, HVAC_SVC, "HVAC"),
    BusinessUnitRow(1000202, HVAC_INS, "HVAC"),
    BusinessUnitRow(1000203, PLB_SVC, "Plumbing"),
    BusinessUnitRow(1000204, PLB_INS, "Plumbing"),
    BusinessUnitRow(1000205, MAINT, "HVAC & Plumbing"),
)

DP_JOB_TYPES = (
    JobTypeRow(2100301, "AC Repair", (HVAC_SVC,), "Normal", 90),
    JobTypeRow(2100302, "Emergency AC Repair", (HVAC_SVC,), "Urgent", 120),
    JobTypeRow(2100303, "AC Tune-Up", (HVAC_SVC, MAINT), "Low", 60),
    JobTypeRow(2100304, "Furnace Repair", (HVAC_SVC,), "Normal", 90),
    JobTypeRow(2100305, "Furnace Tune-Up", (HVAC_SVC, MAINT), "Low", 60),
    JobTypeRow(2100306, "Heat Pump Repair", (HVAC_SVC,), "Normal", 90),
    JobTypeRow(2100307, "Heat Pump Install", (HVAC_INS,), "Normal", 480),
    JobTypeRow(2100308, "Ductless Mini-Split Install", (HVAC_INS,), "Normal", 360),
    JobTypeRow(2100309, "AC Replacement Estimate", (HVAC_INS,), "High", 90),
    JobTypeRow(2100310, "Indoor Air Quality", (HVAC_SVC, HVAC_INS), "Low", 60),
    JobTypeRow(2100311, "Thermostat Install", (HVAC_SVC, HVAC_INS), "Low", 60),
    JobTypeRow(2100312, "Drain Cleaning", (PLB_SVC,), "Normal", 90),
    JobTypeRow(2100313, "Water Heater Repair", (PLB_SVC,), "Normal", 90, active=False),
    JobTypeRow(2100314, "Water Heater Service", (PLB_SVC, MAINT), "Normal", 90),
    JobTypeRow(2100315, "Water Heater Install", (PLB_INS,), "High", 240),
    JobTypeRow(2100316, "Tankless Water Heater Install", (PLB_INS,), "Normal", 360),
    JobTypeRow(2100317, "Leak Detection", (PLB_SVC,), "High", 120),
    JobTypeRow(2100318, "Sewer Line Inspection", (PLB_SVC,), "Normal", 90),
    JobTypeRow(2100319, "Emergency Plumbing", (PLB_SVC,), "Urgent", 120),
    JobTypeRow(2100320, "Maintenance Visit", (MAINT,), "Low", 60),
)

DP_CAMPAIGNS = (
    CampaignRow(3300401, "Summer AC Demand", "Paid Search", "google", "cpc", "(602) 555-0192"),
    CampaignRow(3300402, "Google Ads - Brand", "Paid Search", "google", "cpc", "(602) 555-0193"),
    CampaignRow(3300403, "Google Local Services Ads", "Local Services Ads", "google", "lsa",
                "(602) 555-0194"),
    CampaignRow(3300404, ORGANIC, "Organic", "google", "organic"),
    CampaignRow(3300405, "Google Business Profile", "Organic", "google", "gbp", "(602) 555-0195"),
    CampaignRow(3300406, "Email - Maintenance Members", "Email", "newsletter", "email"),
    CampaignRow(3300407, "Facebook Ads - Water Heaters", "Paid Social", "facebook", "paid_social",
                "(602) 555-0196"),
    CampaignRow(3300408, "Yard Signs", "Offline", "yard_sign", "offline", "(602) 555-0197"),
    CampaignRow(3300409, "Direct Mail Spring", "Direct Mail", "postcard", "direct_mail", "(602) 555-0198"),
    CampaignRow(3300410, "Winter Furnace Promo 2025", "Paid Search", "google", "cpc", "(602) 555-0199",
                active=False),
)

DP_ZONES = (
    ZoneRow(4400501, PHX, "active", ("Phoenix", "Paradise Valley", "Scottsdale"),
            ("85003", "85004", "85006", "85008", "85012", "85013", "85014", "85015", "85016", "85018",
             "85020", "85021", "85028", "85032", "85253", "85255", "85258", "85259", "85260", "85262",
             "85266")),
    ZoneRow(4400502, EAST, "active", ("Mesa", "Tempe", "Chandler", "Gilbert"),
            ("85201", "85202", "85203", "85204", "85205", "85206", "85210", "85213", "85281", "85282",
             "85283", "85284", "85224", "85225", "85226", "85248", "85249", "85286", "85233", "85234",
             "85295", "85296", "85297", "85298")),
    ZoneRow(4400503, WEST, "active", ("Glendale", "Peoria", "Surprise"),
            ("85301", "85302", "85303", "85304", "85306", "85308", "85310", "85345", "85381", "85382",
             "85383", "85374", "85378", "85379", "85388")),
    ZoneRow(4400505, QUEEN, "paused", ("Queen Creek", "San Tan Valley"), ("85142", "85140", "85143")),
    ZoneRow(4400506, BUCKEYE, "emergency_only", ("Buckeye", "Goodyear"),
            ("85326", "85396", "85338", "85395")),
    ZoneRow(4400507, NORTH, "expansion", ("Cave Creek", "Anthem", "New River"), ("85331", "85086", "85087")),
    # Drift: served, but the site has no page for it yet.
    ZoneRow(4400508, "Fountain Hills", "active", ("Fountain Hills",), ("85268",)),
)

DP_PRICEBOOK = (
    PricebookRow(5500601, "HVAC-DIAG-001", "AC Diagnostic", D("89.00"), D("0.00"), "Diagnostics"),
    PricebookRow(5500602, "HVAC-DIAG-002", "After-Hours AC Diagnostic", D("149.00"), D("99.00"),
                 "Diagnostics"),
    PricebookRow(5500603, "HVAC-DIAG-003", "Furnace Diagnostic", D("89.00"), D("0.00"), "Diagnostics"),
    PricebookRow(5500604, "HVAC-MNT-101", "AC Tune-Up", D("129.00"), D("99.00"), "Maintenance"),
    PricebookRow(5500605, "HVAC-MNT-102", "Furnace Safety Inspection", D("99.00"), D("0.00"), "Maintenance"),
    PricebookRow(5500606, "HVAC-MNT-103", "Heat Pump Tune-Up", D("139.00"), D("99.00"), "Maintenance"),
    PricebookRow(5500607, "HVAC-REP-201", "Capacitor Replacement", D("245.00"), D("208.25"), "Repair"),
    PricebookRow(5500608, "HVAC-REP-202", "Contactor Replacement", D("225.00"), D("191.25"), "Repair"),
    PricebookRow(5500609, "HVAC-REP-210", "Refrigerant Recharge R-410A (per lb)", D("95.00"), D("80.75"),
                 "Repair"),
    PricebookRow(5500610, "HVAC-REP-211", "Refrigerant Recharge R-22 (per lb)", D("165.00"), D("140.25"),
                 "Repair", active=False),
    PricebookRow(5500611, "HVAC-REP-220", "Condenser Fan Motor Replacement", D("585.00"), D("497.25"),
                 "Repair"),
    PricebookRow(5500612, "HVAC-REP-221", "Blower Motor Replacement", D("795.00"), D("675.75"), "Repair"),
    PricebookRow(5500613, "HVAC-REP-230", "Furnace Igniter Replacement", D("265.00"), D("225.25"), "Repair"),
    PricebookRow(5500614, "HVAC-ACC-301", "Smart Thermostat Install", D("389.00"), D("349.00"),
                 "Accessories"),
    PricebookRow(5500615, "HVAC-INS-400", "In-Home Replacement Estimate", D("0.00"), D("0.00"),
                 "Installation"),
    PricebookRow(5500616, "HVAC-INS-420", "Ductless Mini-Split Install (single zone)", D("4850.00"),
                 D("4607.50"), "Installation"),
    PricebookRow(5500617, "HVAC-INS-430", "Heat Pump System Install (3 ton)", D("11950.00"), D("11352.50"),
                 "Installation"),
    PricebookRow(5500618, "HVAC-IAQ-501", "Whole-Home Air Purifier Install", D("1295.00"), D("1165.50"),
                 "Indoor Air Quality"),
    PricebookRow(5500619, "HVAC-IAQ-502", "Media Filter Replacement", D("89.00"), D("75.00"),
                 "Indoor Air Quality"),
    PricebookRow(5500620, "PLB-DIAG-001", "Plumbing Diagnostic", D("79.00"), D("0.00"), "Diagnostics"),
    PricebookRow(5500621, "PLB-DIAG-002", "After-Hours Plumbing Dispatch", D("199.00"), D("149.00"),
                 "Diagnostics"),
    PricebookRow(5500622, "PLB-DRN-101", "Drain Clearing - Main Line", D("289.00"), D("245.65"), "Drains"),
    PricebookRow(5500623, "PLB-DRN-102", "Drain Clearing - Secondary Line", D("179.00"), D("152.15"),
                 "Drains"),
    PricebookRow(5500624, "PLB-DRN-110", "Hydro Jetting", D("595.00"), D("505.75"), "Drains"),
    PricebookRow(5500625, "PLB-SWR-201", "Sewer Camera Inspection", D("249.00"), D("199.00"), "Sewer"),
    PricebookRow(5500626, "PLB-WH-301", "Water Heater Flush", D("149.00"), D("119.00"), "Water Heaters"),
    PricebookRow(5500627, "PLB-WH-310", "Water Heater Thermocouple Repair", D("219.00"), D("186.15"),
                 "Water Heaters", active=False),
    PricebookRow(5500628, "PLB-WH-401", "50-Gallon Gas Water Heater Install", D("2150.00"), D("1935.00"),
                 "Water Heaters"),
    PricebookRow(5500629, "PLB-WH-410", "Tankless Water Heater Install", D("4495.00"), D("4045.50"),
                 "Water Heaters"),
    PricebookRow(5500630, "PLB-LK-501", "Electronic Leak Detection", D("325.00"), D("276.25"),
                 "Leak Detection"),
)

DP_MEMBERSHIP_TYPES = (
    MembershipTypeRow(6600701, CLUB, "Monthly", D("19.95")),
    MembershipTypeRow(6600702, CLUB_PLUS, "Monthly", D("29.95")),
    MembershipTypeRow(6600703, GOLD, "Annual", D("179.00"), active=False),
)

DP_RECURRING_SERVICES = (
    RecurringServiceRow(6700801, "Spring AC Tune-Up", CLUB, "Yearly, March–May"),
    RecurringServiceRow(6700802, "Fall Furnace Tune-Up", CLUB, "Yearly, October–November"),
    RecurringServiceRow(6700803, "Annual Water Heater Flush", CLUB_PLUS, "Yearly"),
    RecurringServiceRow(6700804, "Whole-Home Plumbing Inspection", CLUB_PLUS, "Yearly"),
    RecurringServiceRow(6700805, "Gold Plan Semi-Annual Visit", GOLD, "Every 6 months", active=False),
)

DP_BOOKING_PROVIDERS = (
    BookingProviderRow(7700901, WEB, "V2Api"),
    BookingProviderRow(7700902, SCHED, "V2Api"),
)

WEEKDAYS = (0, 1, 2, 3, 4)
EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)

DP_CAPACITY_RULES = (
    CapacityRuleRow("HVAC service — weekday hours", "business_hours", business_unit=HVAC_SVC,
                    weekdays=WEEKDAYS, starts_at="07:00", ends_at="18:00", cta="request_appointment",
                    same_day=True, cta_label="Request an appointment — same-day slots available"),
    CapacityRuleRow("HVAC service — Saturday hours", "business_hours", business_unit=HVAC_SVC, weekdays=(5,),
                    starts_at="08:00", ends_at="14:00", cta="request_appointment", same_day=True,
                    cta_label="Request an appointment — same-day slots available"),
    CapacityRuleRow("Plumbing service — weekday hours", "business_hours", business_unit=PLB_SVC,
                    weekdays=WEEKDAYS, starts_at="07:00", ends_at="17:00", cta="request_appointment",
                    same_day=True, cta_label="Request a plumber"),
    CapacityRuleRow("After-hours emergency HVAC", "after_hours_emergency", business_unit=HVAC_SVC,
                    weekdays=EVERY_DAY, starts_at="18:00", ends_at="07:00", cta="call_now", same_day=True,
                    cta_label="Call now / Request the next available appointment",
                    notes="On-call technician rotation; dispatch answers (602) 555-0148 around the clock."),
    CapacityRuleRow("Queen Creek & San Tan Valley paused", "zone_pause", zone=QUEEN, cta="paused",
                    cta_label="We're not scheduling in Queen Creek or San Tan Valley right now",
                    notes="Paused until a second East Valley crew is hired."),
    CapacityRuleRow("Buckeye & Goodyear — emergencies only", "emergency_only_zone", zone=BUCKEYE,
                    cta="call_now", weekdays=EVERY_DAY, cta_label="Emergency service only — call now",
                    notes="Drive time makes routine calls unprofitable; no-cool emergencies only."),
    CapacityRuleRow("Ductless installs need a consultation", "service_exception", business_unit=HVAC_INS,
                    job_type="Ductless Mini-Split Install", cta="request_appointment", same_day=False,
                    cta_label="Request an in-home consultation"),
)


def _b(status: str, job_type: str | None = None, business_unit: str | None = None,
       campaign: str | None = ORGANIC, zones: tuple[str, ...] = SERVED, services: tuple[str, ...] = (),
       **extra: Any) -> BindingRow:
    return BindingRow(status=status, job_type=job_type, business_unit=business_unit, campaign=campaign,
                      zones=zones, services=services, booking_provider=extra.pop("booking_provider", WEB),
                      **extra)


EMPTY = BindingRow()

DP_PAGES = (
    PageRow("/", "Desert Peak Heating & Air | Phoenix AC, Heating & Plumbing", "home",
            _b("approved", approved_days_ago=95), promises=("same_day",)),
    PageRow("/ac-repair", "AC Repair in the Valley | Desert Peak Heating & Air", "service",
            _b("approved", "AC Repair", HVAC_SVC, zones=(PHX,), services=("HVAC-DIAG-001", "HVAC-REP-201"),
               notes="Older general AC page.", approved_days_ago=120), promises=("same_day",)),
    PageRow("/ac-repair-phoenix", "AC Repair Phoenix, AZ | Same-Day Service", "service",
            _b("approved", "AC Repair", HVAC_SVC, zones=(PHX,), services=("HVAC-DIAG-001", "HVAC-REP-201"),
               approved_days_ago=40),
            city="Phoenix", zips=("85003", "85004", "85006", "85008", "85012", "85016", "85018"),
            promises=("same_day",)),
    PageRow("/emergency-ac-repair", "24/7 Emergency AC Repair | Desert Peak Heating & Air", "service",
            _b("approved", "Emergency AC Repair", HVAC_SVC, services=("HVAC-DIAG-002",),
               approved_days_ago=60),
            promises=("24_7", "emergency", "same_day")),
    PageRow("/ac-tune-up", "AC Tune-Up $129 | Members $99", "service",
            _b("approved", "AC Tune-Up", HVAC_SVC, services=("AC Tune-Up",), membership_type=CLUB,
               booking_provider=SCHED, booking_path="scheduling_pro", scheduler_id="dp-sched-tuneup-41c9"),
            advertised_price=D("129.00"), offer_text="$129 AC tune-up, $99 for Comfort Club members"),
    PageRow("/ac-replacement", "AC Replacement & New System Installation", "service",
            _b("approved", "AC Replacement Estimate", HVAC_INS, services=("HVAC-INS-400",),
               booking_path="phone_first", cta_mode="request_appointment", approved_days_ago=75),
            offer_text="Free in-home replacement estimate", advertised_price=D("0.00")),
    PageRow("/furnace-repair", "Furnace Repair in Phoenix & the East Valley", "service",
            _b("approved", "Furnace Repair", HVAC_SVC, services=("HVAC-DIAG-003",), approved_days_ago=70)),
    PageRow("/furnace-tune-up", "Furnace Tune-Up & Safety Inspection", "service",
            _b("suggested", "Furnace Tune-Up", HVAC_SVC, services=("Furnace Safety Inspection",),
               membership_type=CLUB)),
    PageRow("/heat-pump-repair", "Heat Pump Repair | Desert Peak Heating & Air", "service",
            _b("approved", "Heat Pump Repair", HVAC_SVC, zones=(PHX, EAST, WEST),
               services=("HVAC-DIAG-001",))),
    PageRow("/heat-pump-installation", "Heat Pump Installation in Phoenix", "service",
            BindingRow(job_type="Heat Pump Install")),
    PageRow("/ductless-mini-splits", "Ductless Mini-Split Installation", "service",
            _b("approved", "Ductless Mini-Split Install", HVAC_INS, services=("HVAC-INS-420",),
               cta_mode="request_appointment", approved_days_ago=50)),
    PageRow("/indoor-air-quality", "Indoor Air Quality: Purifiers, Filters & Humidity", "service",
            _b("suggested", "Indoor Air Quality", HVAC_SVC, services=("HVAC-IAQ-501", "HVAC-IAQ-502"))),
    PageRow("/thermostat-installation", "Smart Thermostat Installation", "service",
            _b("suggested", "Thermostat Install", HVAC_SVC, services=("Smart Thermostat Install",))),
    PageRow("/drain-cleaning", "Drain Cleaning & Clog Removal | Phoenix Plumbers", "service",
            _b("approved", "Drain Cleaning", PLB_SVC, zones=(PHX, EAST, WEST),
               services=("PLB-DRN-101", "PLB-DRN-102")), promises=("same_day",)),
    # Drift: approved long ago, bound to the job type ServiceTitan has since deactivated.
    PageRow("/water-heater-repair", "Water Heater Repair | Desert Peak Plumbing", "service",
            _b("approved", "Water Heater Repair", PLB_SVC, zones=(PHX, EAST, WEST),
               services=("PLB-DIAG-001",), approved_days_ago=210), promises=("same_day",)),
    PageRow("/water-heater-installation", "Water Heater Installation & Replacement", "service",
            _b("approved", "Water Heater Install", PLB_INS, zones=(PHX, EAST, WEST),
               services=("PLB-WH-401",))),
    PageRow("/tankless-water-heaters", "Tankless Water Heaters: Install & Upgrade", "service",
            _b("suggested", "Tankless Water Heater Install", PLB_INS, zones=(PHX, EAST, WEST),
               services=("PLB-WH-410",))),
    # Drift: Leak Detection is only allowed in Plumbing Service.
    PageRow("/leak-detection", "Leak Detection & Slab Leak Repair", "service",
            _b("approved", "Leak Detection", HVAC_SVC, zones=(PHX, EAST, WEST), services=("PLB-LK-501",),
               approved_days_ago=35)),
    PageRow("/sewer-line-inspection", "Sewer Line Camera Inspection", "service",
            BindingRow(job_type="Sewer Line Inspection", business_unit=PLB_SVC)),
    # Drift: promises 24/7 plumbing, but no after-hours rule exists for plumbing.
    PageRow("/emergency-plumber", "24/7 Emergency Plumber in Phoenix", "service",
            _b("approved", "Emergency Plumbing", PLB_SVC, campaign="Google Local Services Ads",
               zones=(PHX, EAST, WEST), services=("PLB-DIAG-002",), approved_days_ago=25),
            promises=("24_7", "emergency")),
    PageRow("/service-areas/mesa", "AC Repair & Plumbing in Mesa, AZ", "location",
            _b("approved", "AC Repair", HVAC_SVC, zones=(EAST,)),
            city="Mesa", zips=("85201", "85202", "85203", "85204", "85205", "85206")),
    PageRow("/service-areas/tempe", "AC Repair & Plumbing in Tempe, AZ", "location",
            _b("approved", "AC Repair", HVAC_SVC, campaign="Google Business Profile", zones=(EAST,)),
            city="Tempe", zips=("85281", "85282", "85283", "85284"), utm_campaign="Google Business Profile"),
    PageRow("/service-areas/chandler", "AC Repair & Plumbing in Chandler, AZ", "location",
            _b("suggested", "AC Repair", HVAC_SVC, zones=(EAST,)),
            city="Chandler", zips=("85224", "85225", "85226", "85248", "85249", "85286")),
    PageRow("/service-areas/gilbert", "AC Repair & Plumbing in Gilbert, AZ", "location",
            BindingRow(zones=(EAST,)),
            city="Gilbert", zips=("85233", "85234", "85295", "85296", "85297", "85298")),
    PageRow("/service-areas/glendale", "AC Repair & Plumbing in Glendale, AZ", "location",
            _b("approved", "AC Repair", HVAC_SVC, zones=(WEST,)),
            city="Glendale", zips=("85301", "85302", "85303", "85304", "85306", "85308", "85310")),
    PageRow("/service-areas/peoria", "AC Repair & Plumbing in Peoria, AZ", "location", EMPTY,
            city="Peoria", zips=("85345", "85381", "85382", "85383")),
    PageRow("/service-areas/scottsdale", "AC Repair & Heating in North Scottsdale", "location",
            _b("suggested", "AC Repair", HVAC_SVC, zones=(NSCOTT,)),
            city="Scottsdale", zips=("85255", "85258", "85260", "85262")),
    # Drift: still promoting a paused zone.
    PageRow("/service-areas/queen-creek", "AC Repair in Queen Creek & San Tan Valley", "location",
            _b("approved", "AC Repair", HVAC_SVC, zones=(QUEEN,), approved_days_ago=150),
            city="Queen Creek", zips=("85142", "85140"), promises=("same_day",)),
    # Drift: Flagstaff is outside every zone.
    PageRow("/service-areas/flagstaff", "AC Repair & Heating in Flagstaff, AZ", "location",
            _b("approved", "AC Repair", HVAC_SVC, zones=(), approved_days_ago=180),
            city="Flagstaff", zips=("86001", "86004"), promises=("same_day",)),
    # Drift: utm_campaign is a slug, the ServiceTitan campaign is "Summer AC Demand".
    PageRow("/lp/summer-ac-demand", "Beat the Heat: $89 AC Diagnostic, Same-Day Service", "campaign",
            _b("approved", "AC Repair", HVAC_SVC, campaign="Summer AC Demand", services=("AC Diagnostic",),
               booking_provider=SCHED, booking_path="scheduling_pro", scheduler_id="dp-sched-ac-7f3k2",
               approved_days_ago=20),
            advertised_price=D("89.00"), offer_text="$89 AC diagnostic, waived with any repair",
            promises=("same_day",), utm_campaign="summer-ac-demand"),
    # Drift: the campaign was renamed in ServiceTitan after this binding was approved.
    PageRow("/lp/google-lsa", "Google Guaranteed AC Repair | Desert Peak", "campaign",
            _b("approved", "AC Repair", HVAC_SVC, campaign="Google Local Services Ads",
               services=("HVAC-DIAG-001",), approved_days_ago=45,
               approved_names=(("campaign", "Google LSA - Phoenix"),)),
            utm_campaign="Google Local Services Ads"),
    # Drift: bound to a retired campaign.
    PageRow("/lp/winter-furnace-promo", "Winter Furnace Safety Check $79", "campaign",
            _b("approved", "Furnace Repair", HVAC_SVC, campaign="Winter Furnace Promo 2025",
               services=("HVAC-MNT-102",), approved_days_ago=330),
            advertised_price=D("79.00"), offer_text="Furnace safety inspection for $79",
            utm_campaign="Winter Furnace Promo 2025"),
    PageRow("/lp/facebook-water-heaters", "Is Your Water Heater Over 10 Years Old?", "campaign",
            BindingRow(campaign="Facebook Ads - Water Heaters"), utm_campaign="Facebook Ads - Water Heaters"),
    PageRow("/lp/monsoon-2024", "Monsoon Season AC Check-Up", "campaign",
            _b("retired", "AC Tune-Up", HVAC_SVC, campaign="Google Ads - Brand", services=("HVAC-MNT-101",)),
            offer_text="Monsoon check-up $99", advertised_price=D("99.00"), offer_expires_on="2024-09-30",
            utm_campaign="monsoon-2024"),
    # Drift: advertises $79 while the pricebook says $89.
    PageRow("/offers/89-ac-diagnostic", "$89 AC Diagnostic | Desert Peak Heating & Air", "offer",
            _b("approved", "AC Repair", HVAC_SVC, campaign="Google Ads - Brand", services=("HVAC-DIAG-001",),
               approved_days_ago=15),
            advertised_price=D("79.00"), offer_text="AC diagnostic for just $79, waived with repair",
            offer_expires_on="2027-05-31", utm_campaign="Google Ads - Brand"),
    PageRow("/offers/water-heater-flush", "Water Heater Flush $149 (Members $119)", "offer",
            _b("suggested", "Water Heater Service", PLB_SVC, campaign="Email - Maintenance Members",
               zones=(PHX, EAST, WEST), services=("Water Heater Flush",), membership_type=CLUB_PLUS),
            advertised_price=D("149.00"), offer_text="Water heater flush $149, $119 for members",
            offer_expires_on="2027-03-31", utm_campaign="Email - Maintenance Members"),
    PageRow("/offers/free-second-opinion", "Free Second Opinion on Any AC Replacement Quote", "offer",
            BindingRow(job_type="AC Replacement Estimate", business_unit=HVAC_INS),
            advertised_price=D("0.00"), offer_text="Free second opinion on any AC replacement quote"),
    # Drift: the offer expired in May.
    PageRow("/offers/spring-tune-up-special", "Spring AC Tune-Up Special", "offer",
            _b("approved", "AC Tune-Up", HVAC_SVC, campaign="Direct Mail Spring", services=("HVAC-MNT-101",),
               approved_days_ago=250),
            advertised_price=D("129.00"), offer_text="Spring AC tune-up $129 with free filter",
            offer_expires_on="2026-05-31", utm_campaign="Direct Mail Spring"),
    PageRow("/coupons", "Coupons & Specials", "offer",
            _b("retired", None, None, campaign="Yard Signs", services=("HVAC-REP-211",)),
            offer_text="$25 off any repair", utm_campaign="Yard Signs"),
    PageRow("/comfort-club", "Desert Peak Comfort Club Membership", "membership",
            _b("approved", "Maintenance Visit", MAINT, campaign="Email - Maintenance Members",
               services=("HVAC-MNT-101", "HVAC-MNT-102"), membership_type=CLUB, approved_days_ago=90),
            advertised_price=D("19.95"),
            offer_text="Two tune-ups a year and priority service for $19.95/month"),
    # Drift: membership page bound to a retired membership type.
    PageRow("/gold-plan-members", "Gold Plan Members: Schedule Your Visit", "membership",
            _b("approved", "Maintenance Visit", MAINT, campaign="Email - Maintenance Members",
               membership_type=GOLD, approved_days_ago=400),
            advertised_price=D("179.00"), offer_text="Gold Plan: two visits a year for $179"),
    PageRow("/about", "About Desert Peak Heating & Air", "other", EMPTY),
    PageRow("/contact", "Contact Us | Desert Peak Heating & Air", "other", EMPTY),
    PageRow("/financing", "HVAC & Water Heater Financing", "other", EMPTY),
    PageRow("/blog/when-to-replace-your-ac", "When Should You Replace Your AC in Phoenix?", "other", EMPTY),
)

DP_DRIFT_HISTORY = DriftHistory(
    onboarded_days_ago=95,
    earlier=(
        EarlierValue(70, "page", "/ac-tune-up", "advertised_price", D("119.00")),
        EarlierValue(45, "page", "/service-areas/tempe", "utm_campaign", "google business profile"),
        EarlierValue(40, "campaign", "Winter Furnace Promo 2025", "active", True),
        EarlierValue(18, "job_type", "Water Heater Repair", "active", True),
        EarlierValue(9, "page", "/offers/89-ac-diagnostic", "advertised_price", D("89.00")),
        EarlierValue(9, "page", "/offers/89-ac-diagnostic", "offer_text",
                     "AC diagnostic for just $89, waived with repair"),
    ),
    acknowledged=(
        ("outside_active_zones", "/service-areas/flagstaff",
         "Kept for search traffic; the booking form comes off in the December site update."),
        ("unapproved_or_competing", "/ac-repair",
         "Redirecting /ac-repair to /ac-repair-phoenix with the next site release."),
    ),
    suppressed=(
        ("zone_without_page", "Fountain Hills", 45,
         "The Fountain Hills page is being written; it launches in January."),
    ),
)

DESERT_PEAK = WorkspaceData(
    key="desert-peak",
    name="Desert Peak Heating & Air",
    trade="HVAC & Plumbing",
    phone="(602) 555-0148",
    time_zone="America/Phoenix",
    site_key="desert-peak",
    site_name="desertpeakair.com",
    base_url="https://www.desertpeakair.com",
    approver="owner@desertpeakair.com",
    business_units=DP_BUSINESS_UNITS,
    job_types=DP_JOB_TYPES,
    campaigns=DP_CAMPAIGNS,
    zones=DP_ZONES,
    pricebook=DP_PRICEBOOK,
    membership_types=DP_MEMBERSHIP_TYPES,
    recurring_services=DP_RECURRING_SERVICES,
    booking_providers=DP_BOOKING_PROVIDERS,
    capacity_rules=DP_CAPACITY_RULES,
    schedulers=(
        SchedulerRow("dp-sched-tuneup-41c9", "Tune-up scheduler", ("AC Tune-Up", "Furnace Tune-Up"), SERVED,
                     notes="Maintenance visits only; members see their price in the scheduler."),
        # Drift for the alignment check: no West Valley, a paused zone and a retired job type.
        SchedulerRow("dp-sched-ac-7f3k2", "Repair scheduler",
                     ("AC Repair", "Emergency AC Repair", "Furnace Repair", "Water Heater Repair"), (PHX, EAST, QUEEN),
                     notes="Set up for the summer campaign landing page."),
    ),
    modules_owned=("scheduling_pro",),
    pages=DP_PAGES,
    drift_history=DP_DRIFT_HISTORY,
)

# --------------------------------------------------------------------------- Saguaro Plumbing & Drain

SG_PLB = "Plumbing Service"
SG_DRAIN = "Drain & Sewer"
TUCSON = "Tucson Metro"
ORO = "Oro Valley & Marana"
SG_WEB = "PageToJob Website"
GUARD = "Drain Guard Plan"


def _sg(status: str, job_type: str | None, business_unit: str | None, campaign: str | None = ORGANIC,
        zones: tuple[str, ...] = (TUCSON,), services: tuple[str, ...] = (), **extra: Any) -> BindingRow:
    return BindingRow(status=status, job_type=job_type, business_unit=business_unit, campaign=campaign,
                      zones=zones, services=services, booking_provider=SG_WEB, **extra)


SAGUARO = WorkspaceData(
    key="saguaro-plumbing",
    name="Saguaro Plumbing & Drain",
    trade="Plumbing",
    phone="(520) 555-0137",
    time_zone="America/Phoenix",
    site_key="saguaro-plumbing",
    site_name="saguaroplumbing.com",
    base_url="https://www.saguaroplumbing.com",
    approver="owner@saguaroplumbing.com",
    business_units=(
        BusinessUnitRow(1400101, SG_PLB, "Plumbing"),
        BusinessUnitRow(1400102, SG_DRAIN, "Plumbing"),
    ),
    job_types=(
        JobTypeRow(1400201, "Drain Cleaning", (SG_DRAIN,), "Normal", 90),
        JobTypeRow(1400202, "Water Heater Repair", (SG_PLB,), "Normal", 90),
        JobTypeRow(1400203, "Water Heater Replacement", (SG_PLB,), "High", 240),
        JobTypeRow(1400204, "Leak Repair", (SG_PLB,), "High", 120),
        JobTypeRow(1400205, "Sewer Camera Inspection", (SG_DRAIN,), "Normal", 90),
    ),
    campaigns=(
        CampaignRow(1400301, ORGANIC, "Organic", "google", "organic"),
        CampaignRow(1400302, "Google Local Services Ads", "Local Services Ads", "google", "lsa",
                    "(520) 555-0161"),
        CampaignRow(1400303, "Google Business Profile", "Organic", "google", "gbp", "(520) 555-0162"),
    ),
    zones=(
        ZoneRow(1400401, TUCSON, "active", ("Tucson", "South Tucson"),
                ("85701", "85704", "85705", "85710", "85711", "85712", "85713", "85715", "85716", "85718",
                 "85719", "85730", "85741", "85745", "85747", "85748", "85750")),
        ZoneRow(1400402, ORO, "active", ("Oro Valley", "Marana"),
                ("85737", "85742", "85755", "85653", "85658")),
    ),
    pricebook=(
        PricebookRow(1400501, "DR-101", "Drain Clearing - Kitchen Line", D("189.00"), D("159.00"), "Drains"),
        PricebookRow(1400502, "DR-102", "Drain Clearing - Main Line", D("299.00"), D("254.15"), "Drains"),
        PricebookRow(1400503, "SW-201", "Sewer Camera Inspection", D("275.00"), D("225.00"), "Sewer"),
        PricebookRow(1400504, "WH-301", "Water Heater Diagnostic", D("69.00"), D("0.00"), "Water Heaters"),
        PricebookRow(1400505, "WH-401", "40-Gallon Gas Water Heater Replacement", D("1895.00"), D("1705.50"),
                     "Water Heaters"),
        PricebookRow(1400506, "LK-501", "Slab Leak Detection", D("350.00"), D("297.50"), "Leak Detection"),
    ),
    membership_types=(MembershipTypeRow(1400601, GUARD, "Annual", D("149.00")),),
    recurring_services=(RecurringServiceRow(1400701, "Annual Drain Maintenance", GUARD, "Yearly"),),
    booking_providers=(BookingProviderRow(1400801, SG_WEB, "V2Api"),),
    capacity_rules=(
        CapacityRuleRow("Plumbing — weekday hours", "business_hours", business_unit=SG_PLB, weekdays=WEEKDAYS,
                        starts_at="07:30", ends_at="17:30", cta="request_appointment", same_day=True,
                        cta_label="Request a plumber"),
        CapacityRuleRow("After-hours emergency plumbing", "after_hours_emergency", business_unit=SG_PLB,
                        weekdays=EVERY_DAY, starts_at="17:30", ends_at="07:30", cta="call_now", same_day=True,
                        cta_label="Call now / Request the next available appointment"),
    ),
    pages=(
        PageRow("/", "Saguaro Plumbing & Drain | Tucson Plumbers", "home",
                _sg("approved", None, None, zones=(TUCSON, ORO), approved_days_ago=60)),
        PageRow("/drain-cleaning-tucson", "Drain Cleaning in Tucson", "service",
                _sg("approved", "Drain Cleaning", SG_DRAIN, services=("DR-101", "DR-102")),
                city="Tucson", zips=("85705", "85711", "85716", "85719"), promises=("same_day",)),
        PageRow("/water-heater-repair", "Water Heater Repair | Saguaro Plumbing", "service",
                _sg("approved", "Water Heater Repair", SG_PLB, services=("WH-301",))),
        PageRow("/water-heater-replacement", "Water Heater Replacement in Tucson", "service",
                _sg("approved", "Water Heater Replacement", SG_PLB, services=("WH-401",))),
        PageRow("/leak-repair", "Slab Leak Detection & Repair", "service",
                _sg("suggested", "Leak Repair", SG_PLB, services=("LK-501",))),
        PageRow("/sewer-camera-inspection", "Sewer Camera Inspection", "service",
                BindingRow(job_type="Sewer Camera Inspection")),
        PageRow("/service-areas/oro-valley", "Plumber in Oro Valley & Marana", "location",
                _sg("approved", "Drain Cleaning", SG_DRAIN, campaign="Google Business Profile", zones=(ORO,)),
                city="Oro Valley", zips=("85737", "85755"), utm_campaign="Google Business Profile"),
        PageRow("/drain-guard", "Drain Guard Plan: Annual Drain Maintenance", "membership",
                BindingRow(membership_type=GUARD), advertised_price=D("149.00")),
    ),
)

WORKSPACES: tuple[WorkspaceData, ...] = (DESERT_PEAK, SAGUARO)

USERS: tuple[UserRow, ...] = (
    UserRow(LOGIN_EMAIL, "Morgan", "Hayes", (("desert-peak", "owner"), ("saguaro-plumbing", "admin"))),
    UserRow("owner@desertpeakair.com", "Dana", "Whitfield", (("desert-peak", "owner"),)),
    UserRow("office@desertpeakair.com", "Rosa", "Delgado", (("desert-peak", "operator"),)),
    UserRow("viewer@desertpeakair.com", "Chris", "Lang", (("desert-peak", "viewer"),)),
    UserRow("owner@saguaroplumbing.com", "Luis", "Ortega", (("saguaro-plumbing", "owner"),)),
)


# Requests a visitor might have sent from Desert Peak's site, stored through the real intake path when the demo
# loads, so the inbox and the sync queue have something to show (held until the ServiceTitan gates hold).
SAMPLE_REQUESTS: tuple[dict, ...] = (
    {"submission_id": "demo-sample-0001", "page_url": "https://www.desertpeakair.com/ac-repair-phoenix",
     "service": "AC Repair", "urgency": "today", "preferred_window": "morning", "name": "Dana Whitfield",
     "phone": "(602) 555-0148", "email": "dana.whitfield@example.com",
     "address": {"street": "1 W Washington St", "city": "Phoenix", "state": "AZ", "zip": "85004"},
     "notes": "Upstairs unit blowing warm air since last night.", "consent_sms": True, "customer_type": "new",
     "context": {"landing_page": "https://www.desertpeakair.com/ac-repair-phoenix?utm_source=google&utm_medium=cpc"
                                 "&utm_campaign=phx-ac-summer", "referrer": "https://www.google.com/",
                 "utm_source": "google", "utm_medium": "cpc", "utm_campaign": "phx-ac-summer",
                 "utm_term": "ac repair phoenix", "gclid": "Cj0KCQiA-demo-0001",
                 "ga_client_id": "1029384756.1764400000"}},
    {"submission_id": "demo-sample-0002", "page_url": "https://www.desertpeakair.com/emergency-ac-repair",
     "urgency": "emergency", "name": "Luis Carranza", "phone": "(480) 555-0192",
     "address": {"street": "210 N Center St", "city": "Mesa", "state": "AZ", "zip": "85201"},
     "notes": "No cooling at all, elderly parent at home.", "consent_sms": True, "customer_type": "returning",
     "context": {"landing_page": "https://www.desertpeakair.com/emergency-ac-repair", "utm_source": "google",
                 "utm_medium": "organic"}},
    {"submission_id": "demo-sample-0003", "page_url": "https://www.desertpeakair.com/drain-cleaning",
     "urgency": "this_week", "preferred_window": "afternoon", "name": "Priya Nair", "phone": "(602) 555-0117",
     "email": "priya.nair@example.com",
     "address": {"street": "4400 N Central Ave", "unit": "Unit 12", "city": "Phoenix", "state": "AZ",
                 "zip": "85012"},
     "notes": "Kitchen sink drains slowly.", "consent_email": True, "customer_type": "new",
     "context": {"landing_page": "https://www.desertpeakair.com/drain-cleaning?utm_source=facebook&utm_medium=paid"
                                 "-social", "utm_source": "facebook", "utm_medium": "paid-social",
                 "fbclid": "IwAR-demo-0003"}},
    {"submission_id": "demo-sample-0004", "page_url": "https://www.desertpeakair.com/ac-tune-up",
     "urgency": "flexible", "name": "Marcus Bell", "phone": "(480) 555-0164", "email": "marcus.bell@example.com",
     "address": {"street": "31 E 5th St", "city": "Tempe", "state": "AZ", "zip": "85281"},
     "membership_interest": True, "customer_type": "returning",
     "context": {"landing_page": "https://www.desertpeakair.com/ac-tune-up", "referrer": "https://www.bing.com/",
                 "utm_source": "bing", "utm_medium": "cpc", "msclkid": "msclkid-demo-0004"}},
    {"submission_id": "demo-sample-0005", "page_url": "https://www.desertpeakair.com/ac-repair",
     "urgency": "today", "name": "Grace Liu", "phone": "(928) 555-0133",
     "address": {"street": "2 N Leroux St", "city": "Flagstaff", "state": "AZ", "zip": "86001"},
     "notes": "Visiting family in Flagstaff, AC is out.", "customer_type": "new",
     "context": {"landing_page": "https://www.desertpeakair.com/ac-repair", "utm_source": "google",
                 "utm_medium": "organic"}},
)
