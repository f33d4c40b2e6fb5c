"""The data sets a sandbox tenant starts from.

`demo` mirrors the Desert Peak Heating & Air demo workspace (the same ServiceTitan ids and names as the demo
data), so a demo workspace connected to the sandbox finds every mapping it expects; `empty` has nothing. The
rows are plain tuples here because the sandbox stands alone: a test checks that they agree with the demo data.
Jobs, invoices and payments for the export feeds are generated from a fixed random seed, so every start of
the sandbox serves the same history.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

DEMO_TENANT_ID = 4100100
DEMO_CLIENT_ID = "cid.sandbox.desertpeak"
SEED_NAMES = ("demo", "empty")

# When the demo's records were created and last changed in the sandbox's ServiceTitan.
SEED_CREATED = datetime(2024, 3, 4, 16, 0, tzinfo=UTC)
SEED_MODIFIED = datetime(2025, 9, 15, 17, 30, tzinfo=UTC)

# (id, name, trade, active)
BUSINESS_UNITS = (
    (1000201, "HVAC Service", "HVAC", True),
    (1000202, "HVAC Install", "HVAC", True),
    (1000203, "Plumbing Service", "Plumbing", True),
    (1000204, "Plumbing Install & Water Heaters", "Plumbing", True),
    (1000205, "Maintenance & Memberships", "HVAC & Plumbing", True),
)

# (id, name, business unit ids, priority, duration minutes, active)
JOB_TYPES = (
    (2100301, "AC Repair", (1000201,), "Normal", 90, True),
    (2100302, "Emergency AC Repair", (1000201,), "Urgent", 120, True),
    (2100303, "AC Tune-Up", (1000201, 1000205), "Low", 60, True),
    (2100304, "Furnace Repair", (1000201,), "Normal", 90, True),
    (2100305, "Furnace Tune-Up", (1000201, 1000205), "Low", 60, True),
    (2100306, "Heat Pump Repair", (1000201,), "Normal", 90, True),
    (2100307, "Heat Pump Install", (1000202,), "Normal", 480, True),
    (2100308, "Ductless Mini-Split Install", (1000202,), "Normal", 360, True),
    (2100309, "AC Replacement Estimate", (1000202,), "High", 90, True),
    (2100310, "Indoor Air Quality", (1000201, 1000202), "Low", 60, True),
    (2100311, "Thermostat Install", (1000201, 1000202), "Low", 60, True),
    (2100312, "Drain Cleaning", (1000203,), "Normal", 90, True),
    (2100313, "Water Heater Repair", (1000203,), "Normal", 90, False),
    (2100314, "Water Heater Service", (1000203, 1000205), "Normal", 90, True),
    (2100315, "Water Heater Install", (1000204,), "High", 240, True),
    (2100316, "Tankless Water Heater Install", (1000204,), "Normal", 360, True),
    (2100317, "Leak Detection", (1000203,), "High", 120, True),
    (2100318, "Sewer Line Inspection", (1000203,), "Normal", 90, True),
    (2100319, "Emergency Plumbing", (1000203,), "Urgent", 120, True),
    (2100320, "Maintenance Visit", (1000205,), "Low", 60, True),
)

# (id, name, category, source, medium, phone, active)
CAMPAIGNS = (
    (3300401, "Summer AC Demand", "Paid Search", "google", "cpc", "(602) 555-0192", True),
    (3300402, "Google Ads - Brand", "Paid Search", "google", "cpc", "(602) 555-0193", True),
    (3300403, "Google Local Services Ads", "Local Services Ads", "google", "lsa", "(602) 555-0194", True),
    (3300404, "Organic Search", "Organic", "google", "organic", "", True),
    (3300405, "Google Business Profile", "Organic", "google", "gbp", "(602) 555-0195", True),
    (3300406, "Email - Maintenance Members", "Email", "newsletter", "email", "", True),
    (3300407, "Facebook Ads - Water Heaters", "Paid Social", "facebook", "paid_social", "(602) 555-0196", True),
    (3300408, "Yard Signs", "Offline", "yard_sign", "offline", "(602) 555-0197", True),
    (3300409, "Direct Mail Spring", "Direct Mail", "postcard", "direct_mail", "(602) 555-0198", True),
    (3300410, "Winter Furnace Promo 2025", "Paid Search", "google", "cpc", "(602) 555-0199", False),
)

# (id, name, cities, zips, active)
ZONES = (
    (4400501, "Phoenix Metro", ("Phoenix", "Paradise Valley", "Scottsdale"),
     ("85003", "85004", "85006", "85008", "85012", "85013", "85014", "85015", "85016", "85018", "85020", "85021",
      "85028", "85032", "85253", "85255", "85258", "85259", "85260", "85262", "85266"), True),
    (4400502, "East Valley", ("Mesa", "Tempe", "Chandler", "Gilbert"),
     ("85201", "85202", "85203", "85204", "85205", "85206", "85210", "85213", "85281", "85282", "85283", "85284",
      "85224", "85225", "85226", "85248", "85249", "85286", "85233", "85234", "85295", "85296", "85297", "85298"),
     True),
    (4400503, "West Valley", ("Glendale", "Peoria", "Surprise"),
     ("85301", "85302", "85303", "85304", "85306", "85308", "85310", "85345", "85381", "85382", "85383", "85374",
      "85378", "85379", "85388"), True),
    (4400505, "Queen Creek & San Tan Valley", ("Queen Creek", "San Tan Valley"), ("85142", "85140", "85143"), True),
    (4400506, "Buckeye & Goodyear", ("Buckeye", "Goodyear"), ("85326", "85396", "85338", "85395"), True),
    (4400507, "Cave Creek & Anthem", ("Cave Creek", "Anthem", "New River"), ("85331", "85086", "85087"), True),
    (4400508, "Fountain Hills", ("Fountain Hills",), ("85268",), True),
)

# (id, code, name, price, member price, category, active); prices as strings so they stay exact.
SERVICES = (
    (5500601, "HVAC-DIAG-001", "AC Diagnostic", "89.00", "0.00", "Diagnostics", True),
    (5500602, "HVAC-DIAG-002", "After-Hours AC Diagnostic", "149.00", "99.00", "Diagnostics", True),
    (5500603, "HVAC-DIAG-003", "Furnace Diagnostic", "89.00", "0.00", "Diagnostics", True),
    (5500604, "HVAC-MNT-101", "AC Tune-Up", "129.00", "99.00", "Maintenance", True),
    (5500605, "HVAC-MNT-102", "Furnace Safety Inspection", "99.00", "0.00", "Maintenance", True),
    (5500606, "HVAC-MNT-103", "Heat Pump Tune-Up", "139.00", "99.00", "Maintenance", True),
    (5500607, "HVAC-REP-201", "Capacitor Replacement", "245.00", "208.25", "Repair", True),
    (5500608, "HVAC-REP-202", "Contactor Replacement", "225.00", "191.25", "Repair", True),
    (5500609, "HVAC-REP-210", "Refrigerant Recharge R-410A (per lb)", "95.00", "80.75", "Repair", True),
    (5500610, "HVAC-REP-211", "Refrigerant Recharge R-22 (per lb)", "165.00", "140.25", "Repair", False),
    (5500611, "HVAC-REP-220", "Condenser Fan Motor Replacement", "585.00", "497.25", "Repair", True),
    (5500612, "HVAC-REP-221", "Blower Motor Replacement", "795.00", "675.75", "Repair", True),
    (5500613, "HVAC-REP-230", "Furnace Igniter Replacement", "265.00", "225.25", "Repair", True),
    (5500614, "HVAC-ACC-301", "Smart Thermostat Install", "389.00", "349.00", "Accessories", True),
    (5500615, "HVAC-INS-400", "In-Home Replacement Estimate", "0.00", "0.00", "Installation", True),
    (5500616, "HVAC-INS-420", "Ductless Mini-Split Install (single zone)", "4850.00", "4607.50", "Installation",
     True),
    (5500617, "HVAC-INS-430", "Heat Pump System Install (3 ton)", "11950.00", "11352.50", "Installation", True),
    (5500618, "HVAC-IAQ-501", "Whole-Home Air Purifier Install", "1295.00", "1165.50", "Indoor Air Quality", True),
    (5500619, "HVAC-IAQ-502", "Media Filter Replacement", "89.00", "75.00", "Indoor Air Quality", True),
    (5500620, "PLB-DIAG-001", "Plumbing Diagnostic", "79.00", "0.00", "Diagnostics", True),
    (5500621, "PLB-DIAG-002", "After-Hours Plumbing Dispatch", "199.00", "149.00", "Diagnostics", True),
    (5500622, "PLB-DRN-101", "Drain Clearing - Main Line", "289.00", "245.65", "Drains", True),
    (5500623, "PLB-DRN-102", "Drain Clearing - Secondary Line", "179.00", "152.15", "Drains", True),
    (5500624, "PLB-DRN-110", "Hydro Jetting", "595.00", "505.75", "Drains", True),
    (5500625, "PLB-SWR-201", "Sewer Camera Inspection", "249.00", "199.00", "Sewer", True),
    (5500626, "PLB-WH-301", "Water Heater Flush", "149.00", "119.00", "Water Heaters", True),
    (5500627, "PLB-WH-310", "Water Heater Thermocouple Repair", "219.00", "186.15", "Water Heaters", False),
    (5500628, "PLB-WH-401", "50-Gallon Gas Water Heater Install", "2150.00", "1935.00", "Water Heaters", True),
    (5500629, "PLB-WH-410", "Tankless Water Heater Install", "4495.00", "4045.50", "Water Heaters", True),
    (5500630, "PLB-LK-501", "Electronic Leak Detection", "325.00", "276.25", "Leak Detection", True),
)

# (id, name, billing, price, active)
MEMBERSHIP_TYPES = (
    (6600701, "Desert Peak Comfort Club", "Monthly", "19.95", True),
    (6600702, "Comfort Club Plus", "Monthly", "29.95", True),
    (6600703, "Legacy Gold Plan", "Annual", "179.00", False),
)

# (id, name, membership type id, recurrence text, active)
RECURRING_SERVICE_TYPES = (
    (6700801, "Spring AC Tune-Up", 6600701, "Yearly, March–May", True),
    (6700802, "Fall Furnace Tune-Up", 6600701, "Yearly, October–November", True),
    (6700803, "Annual Water Heater Flush", 6600702, "Yearly", True),
    (6700804, "Whole-Home Plumbing Inspection", 6600702, "Yearly", True),
    (6700805, "Gold Plan Semi-Annual Visit", 6600703, "Every 6 months", False),
)

# (id, name, type, active)
BOOKING_PROVIDER_TAGS = (
    (7700901, "PageToJob Website", "V2Api", True),
    (7700902, "Scheduling Pro Website", "V2Api", True),
)

DEMO_HISTORY_JOBS = 60
FIRST_JOB_ID = 9100001
FIRST_INVOICE_ID = 9200001
FIRST_PAYMENT_ID = 9300001
FIRST_CUSTOMER_ID = 8800001
FIRST_LOCATION_ID = 8900001


@dataclass
class Seed:
    """Rows per kind, as the record builders take them."""

    name: str
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _demo_history() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Completed jobs of the last months with their invoices and payments, the same every time."""
    rng = random.Random(DEMO_TENANT_ID)
    active_types = [row for row in JOB_TYPES if row[5]]
    active_campaigns = [row for row in CAMPAIGNS if row[6]]
    start = datetime(2025, 6, 2, 15, 0, tzinfo=UTC)
    jobs, invoices, payments = [], [], []
    for index in range(DEMO_HISTORY_JOBS):
        job_type = rng.choice(active_types)
        created = start + timedelta(days=index * 2, hours=rng.randint(0, 8))
        completed = created + timedelta(days=rng.randint(1, 4))
        total = f"{rng.choice([89, 129, 149, 245, 289, 389, 585, 795, 2150, 4495])}.00"
        job_id, invoice_id = FIRST_JOB_ID + index, FIRST_INVOICE_ID + index
        common = {"customerId": FIRST_CUSTOMER_ID + index, "locationId": FIRST_LOCATION_ID + index,
                  "businessUnitId": job_type[2][0]}
        jobs.append({**common, "id": job_id, "jobTypeId": job_type[0], "priority": job_type[3],
                     "campaignId": rng.choice(active_campaigns)[0], "jobStatus": "Completed",
                     "completedOn": completed, "createdOn": created, "modifiedOn": completed, "total": total,
                     "invoiceId": invoice_id, "summary": f"{job_type[1]} for a returning customer"})
        invoices.append({**common, "id": invoice_id, "jobId": job_id, "jobNumber": str(job_id), "total": total,
                         "invoiceDate": completed, "createdOn": completed, "modifiedOn": completed,
                         "paid": index % 5 != 4})
        if index % 5 != 4:
            paid_on = completed + timedelta(hours=2)
            payments.append({"id": FIRST_PAYMENT_ID + index, "customerId": common["customerId"],
                             "businessUnitId": common["businessUnitId"], "invoiceId": invoice_id, "total": total,
                             "type": rng.choice(["Credit Card", "Check", "Cash"]), "date": paid_on,
                             "createdOn": paid_on, "modifiedOn": paid_on})
    return jobs, invoices, payments


def load_seed(name: str) -> Seed:
    """The rows a new tenant starts with; raises ValueError for a seed that does not exist."""
    if name not in SEED_NAMES:
        raise ValueError(f"unknown seed {name!r}: choose one of {', '.join(SEED_NAMES)}")
    seed = Seed(name)
    if name == "empty":
        return seed
    base = {"createdOn": SEED_CREATED, "modifiedOn": SEED_MODIFIED}
    seed.rows["business_unit"] = [{**base, "id": i, "name": n, "trade": t, "active": a}
                                  for i, n, t, a in BUSINESS_UNITS]
    seed.rows["job_type"] = [{**base, "id": i, "name": n, "businessUnitIds": list(bu), "priority": p, "duration": d,
                              "active": a} for i, n, bu, p, d, a in JOB_TYPES]
    seed.rows["campaign"] = [{**base, "id": i, "name": n, "category": c, "source": s, "medium": m,
                              "phones": [ph] if ph else [], "active": a} for i, n, c, s, m, ph, a in CAMPAIGNS]
    seed.rows["zone"] = [{**base, "id": i, "name": n, "cities": list(c), "zips": list(z), "active": a}
                         for i, n, c, z, a in ZONES]
    seed.rows["service"] = [{**base, "id": i, "code": c, "name": n, "price": p, "memberPrice": mp, "category": cat,
                             "active": a} for i, c, n, p, mp, cat, a in SERVICES]
    seed.rows["membership_type"] = [{**base, "id": i, "name": n, "billing": b, "price": p, "active": a,
                                     "recurringServiceTypeIds": [r[0] for r in RECURRING_SERVICE_TYPES if r[2] == i]}
                                    for i, n, b, p, a in MEMBERSHIP_TYPES]
    seed.rows["recurring_service_type"] = [{**base, "id": i, "name": n, "membershipTypeId": m, "recurrence": r,
                                            "active": a} for i, n, m, r, a in RECURRING_SERVICE_TYPES]
    seed.rows["booking_provider_tag"] = [{**base, "id": i, "tagName": n, "type": t, "active": a}
                                         for i, n, t, a in BOOKING_PROVIDER_TAGS]
    jobs, invoices, payments = _demo_history()
    seed.rows["job"], seed.rows["invoice"], seed.rows["payment"] = jobs, invoices, payments
    return seed
