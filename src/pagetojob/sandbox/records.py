"""ServiceTitan-shaped records, built from seed rows and from create requests.

Each builder returns the JSON body ServiceTitan answers with for that kind (the response schemas of the
official OpenAPI documents: required fields always present, optional ones present and null when unknown).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

SANDBOX_USER_ID = 1  # who "created" records in the sandbox (ServiceTitan reports an employee id)


def iso(moment: datetime) -> str:
    """ServiceTitan's date-time form: UTC with a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_iso(value: str) -> datetime:
    """A date-time the API accepts; naive values are UTC, as ServiceTitan reads them."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _times(row: dict[str, Any]) -> dict[str, str]:
    return {"createdOn": iso(row["createdOn"]), "modifiedOn": iso(row["modifiedOn"])}


def business_unit(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "active": row["active"], "name": row["name"], "officialName": row["name"],
            "email": None, "currency": "USD", "phoneNumber": None, "invoiceHeader": None, "invoiceMessage": None,
            "defaultTaxRate": None, "authorizationParagraph": None, "acknowledgementParagraph": None,
            "address": None, "materialSku": None, "quickbooksClass": None, "accountCode": None, "franchiseId": None,
            "conceptCode": None, "corporateContractNumber": None,
            "trade": {"id": _stable_id(row["trade"]), "name": row["trade"]} if row.get("trade") else None,
            "division": None,
            "tagTypeIds": [], "tenant": None, **_times(row), "externalData": [],
            "certifiedSentriconSpecialistCode": None}


def job_type(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "businessUnitIds": list(row["businessUnitIds"]), "skills": [],
            "tagTypeIds": [], "priority": row["priority"], "duration": int(row["duration"]) * 60,
            "soldThreshold": None, "class": "Service", "summary": "", "noCharge": False,
            "enforceRecurringServiceEventSelection": False, "invoiceSignaturesRequired": False, **_times(row),
            "externalData": [], "active": row["active"], "isSmartDispatched": False,
            "defaultEstimateSoldAction": "None", "customFieldTypeIds": []}


def campaign(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], **_times(row), "active": row["active"],
            "isDefaultCampaign": False, "category": {"id": _stable_id(row["category"]), "name": row["category"],
                                                     "active": True},
            "source": row["source"], "otherSource": None, "businessUnit": None, "medium": row["medium"],
            "otherMedium": None, "campaignPhoneNumbers": list(row["phones"])}


def zone(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "active": row["active"], "name": row["name"], "zips": list(row["zips"]),
            "cities": list(row["cities"]), "territoryNumbers": [], "locnNumbers": [], "createdBy": SANDBOX_USER_ID,
            **_times(row), "serviceDaysEnabled": False, "serviceDays": [], "businessUnits": [], "technicians": []}


def service(row: dict[str, Any]) -> dict[str, Any]:
    price, member = float(row["price"]), float(row["memberPrice"])
    return {"id": row["id"], "code": row["code"], "displayName": row["name"], "description": row["name"],
            "warranty": None, "categories": [{"id": _stable_id(row["category"]), "name": row["category"],
                                                  "active": True}],
            "price": price, "memberPrice": member, "addOnPrice": price, "addOnMemberPrice": member,
            "taxable": False, "account": None, "hours": 1.0, "isLabor": False, "recommendations": [], "upgrades": [],
            "assets": [], "serviceMaterials": [], "serviceEquipment": [], "active": row["active"],
            "crossSaleGroup": None, "paysCommission": False, "bonus": 0.0, "commissionBonus": 0.0,
            "modifiedOn": iso(row["modifiedOn"]), "source": None, "externalId": None, "externalData": [],
            "businessUnitId": None, "cost": 0.0, "createdOn": iso(row["createdOn"]), "soldByCommission": 0.0,
            "defaultAssetUrl": None, "budgetCostCode": None, "budgetCostType": None, "isPriceLocked": False}


def membership_type(row: dict[str, Any]) -> dict[str, Any]:
    price = float(row["price"]) if row.get("price") not in (None, "") else 0.0
    return {"id": row["id"], "name": row["name"], "displayName": row["name"], "active": row["active"],
            "discountMode": "Basic", "locationTarget": "AllLocations", "revenueRecognitionMode": "PointOfSale",
            "autoCalculateInvoiceTemplates": False, "useMembershipPricingTable": False,
            "showMembershipSavings": True, **_times(row), "createdById": SANDBOX_USER_ID, "importId": None,
            "billingTemplateId": None, "discount": 0.0, "discounts": [], "tagTypeIds": [],
            # One duration-billing option at the seed's frequency and price (ServiceTitan's list returns these, and
            # the recurring services, only when asked: see api.list_membership_types).
            "durationBilling": [{"duration": 12, "billingFrequency": row["billing"], "salePrice": price,
                                 "billingPrice": price, "renewalPrice": price}] if row.get("billing") else [],
            "recurringServices": [{"membershipTypeId": row["id"], "recurringServiceTypeId": service_id, "offset": 0,
                                   "offsetType": "Months", "allocation": 0.0}
                                  for service_id in row.get("recurringServiceTypeIds") or []]}


def recurring_service_type(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], **_times(row), "createdById": SANDBOX_USER_ID, "active": row["active"],
            "recurrenceType": "Seasonal", "recurrenceInterval": 1, "recurrenceMonths": [],
            "durationType": "Continuous", "durationLength": 0, "invoiceTemplateId": None, "businessUnitId": None,
            "jobTypeId": None, "priority": "Normal", "campaignId": None, "jobSummary": row["recurrence"],
            "name": row["name"], "importId": None}


def booking_provider_tag(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "tagName": row["tagName"], "description": row.get("description") or row["tagName"],
            "type": row["type"], **_times(row), "active": row["active"]}


def job(row: dict[str, Any]) -> dict[str, Any]:
    first_appointment = row.get("firstAppointmentId", row["id"] + 500000)
    return {"id": row["id"], "jobNumber": str(row["id"]), "projectId": None, "customerId": row["customerId"],
            "locationId": row["locationId"], "jobStatus": row["jobStatus"],
            "completedOn": iso(row["completedOn"]) if row.get("completedOn") else None,
            "businessUnitId": row["businessUnitId"], "jobTypeId": row["jobTypeId"], "priority": row["priority"],
            "campaignId": row["campaignId"], "appointmentCount": row.get("appointmentCount", 1),
            "firstAppointmentId": first_appointment,
            "lastAppointmentId": row.get("lastAppointmentId", first_appointment), "recallForId": None,
            "warrantyId": None, "jobGeneratedLeadSource": None, "noCharge": bool(row.get("noCharge", False)),
            "notificationsEnabled": True, **_times(row), "createdById": SANDBOX_USER_ID,
            "tagTypeIds": list(row.get("tagTypeIds") or []), "leadCallId": None, "partnerLeadCallId": None,
            "bookingId": row.get("bookingId"), "soldById": None, "customerPo": row.get("customerPo") or "",
            "invoiceId": row["invoiceId"], "membershipId": None,
            "total": float(row["total"]) if row.get("total") is not None else None, "createdFromEstimateId": None,
            "estimateIds": [], "equipmentIds": [], "isAutoDispatched": False, "summary": row.get("summary"),
            "customFields": [], "externalData": [], "summaryOfWork": None}


def invoice(row: dict[str, Any]) -> dict[str, Any]:
    total = row["total"]
    return {"summary": None, "items": [], "customFields": [], "active": True, "discountTotal": "0.00",
            "importId": None, "exportId": None, "materialSkuId": None, "membershipId": None,
            "paidOn": iso(row["invoiceDate"]) if row.get("paid") else None, "invoiceConfiguration": "JobInvoice",
            "id": row["id"], "syncStatus": "Pending", "budgetCodeId": None, "referenceNumber": str(row["id"]),
            "invoiceDate": iso(row["invoiceDate"]), "dueDate": iso(row["invoiceDate"]), "subTotal": total,
            "salesTax": "0.00", "salesTaxCode": None, "taxZoneId": None, "total": total,
            "balance": "0.00" if row.get("paid") else total, "invoiceType": None,
            "customer": {"id": row["customerId"], "name": f"Customer {row['customerId']}"}, "customerAddress": None,
            "location": {"id": row["locationId"], "name": f"Location {row['locationId']}"}, "locationAddress": None,
            "businessUnit": {"id": row["businessUnitId"], "name": ""}, "termName": "Due Upon Receipt",
            "createdBy": "sandbox", "batch": None, "depositedOn": None, **_times(row), "adjustmentToId": None,
            "job": {"id": row["jobId"], "number": row["jobNumber"], "type": ""}, "projectId": None, "royalty": None,
            "employeeInfo": None, "commissionEligibilityDate": None, "sentStatus": "Sent",
            "reviewStatus": "Reviewed", "assignedTo": None}


def payment(row: dict[str, Any]) -> dict[str, Any]:
    return {"active": True, "appliedTo": [{"appliedId": row["id"], "appliedTo": row["invoiceId"],
                                           "appliedAmount": row["total"], "appliedOn": iso(row["date"]),
                                           "appliedBy": "sandbox", "appliedToReferenceNumber": str(row["invoiceId"])}],
            "authCode": None, "batch": None, "businessUnit": {"id": row["businessUnitId"], "name": ""},
            "checkNumber": None, "createdBy": "sandbox", **_times(row),
            "customer": {"id": row["customerId"], "name": f"Customer {row['customerId']}"}, "customFields": [],
            "date": iso(row["date"]), "deposit": None, "generalLedgerAccount": None, "id": row["id"], "memo": None,
            "referenceNumber": None, "refundedPaymentId": None, "syncStatus": "Pending", "total": row["total"],
            "type": row["type"], "typeId": None, "unappliedAmount": "0.00"}


BUILDERS = {
    "business_unit": business_unit,
    "job_type": job_type,
    "campaign": campaign,
    "zone": zone,
    "service": service,
    "membership_type": membership_type,
    "recurring_service_type": recurring_service_type,
    "booking_provider_tag": booking_provider_tag,
    "job": job,
    "invoice": invoice,
    "payment": payment,
}


def booking(request: dict[str, Any], *, record_id: int, provider_id: int, now: datetime) -> dict[str, Any]:
    """What `POST .../booking-provider/{id}/bookings` answers with for the request body."""
    return {"id": record_id, "source": request["source"], "createdOn": iso(now), "name": request["name"],
            "address": request.get("address"), "customerType": request.get("customerType"),
            "start": request.get("start") or iso(now), "campaignId": request.get("campaignId"),
            "businessUnitId": request.get("businessUnitId"), "isFirstTimeClient": request.get("isFirstTimeClient"),
            "uploadedImages": request.get("uploadedImages") or [],
            "isSendConfirmationEmail": request.get("isSendConfirmationEmail"), "status": "New",
            "dismissingReasonId": None, "jobId": None, "externalId": request["externalId"],
            "priority": request.get("priority"), "jobTypeId": request.get("jobTypeId"),
            "bookingProviderId": provider_id, "modifiedOn": iso(now), "summary": request.get("summary")}


LEAD_FIELDS = ("leadCustomerName", "leadPhone", "leadEmail", "leadStreet", "leadUnit", "leadCity", "leadState",
               "leadZip", "leadCountry")


def lead(request: dict[str, Any], *, record_id: int, now: datetime) -> dict[str, Any]:
    """What `POST .../leads` answers with."""
    body = {"id": record_id, "status": "Open", "priority": request.get("priority") or "Normal",
            "customerId": request.get("customerId"), "locationId": request.get("locationId"),
            "businessUnitId": request.get("businessUnitId"), "jobTypeId": request.get("jobTypeId"),
            "campaignId": request["campaignId"], "followUpDate": request.get("followUpDate"),
            "createdById": SANDBOX_USER_ID, "createdOn": iso(now), "modifiedOn": iso(now),
            "tagTypeIds": list(request.get("tagTypeIds") or []), "dismissingReasonId": None,
            "summary": request.get("summary"), "callReasonId": request.get("callReasonId"), "callId": None,
            "bookingId": request.get("bookingId"), "manualCallId": None, "leadUrl": None, "captureSource": "Api"}
    body.update({name: request.get(name) for name in LEAD_FIELDS})
    return body


def created_job(request: dict[str, Any], *, record_id: int, invoice_id: int, first_appointment_id: int,
                now: datetime) -> dict[str, Any]:
    """What `POST .../jobs` answers with; the job appears in the jobs export feed too."""
    appointments = request.get("appointments") or []
    return job({"id": record_id, "customerId": request["customerId"], "locationId": request["locationId"],
                "jobStatus": "Scheduled", "businessUnitId": request["businessUnitId"],
                "jobTypeId": request["jobTypeId"], "priority": request["priority"],
                "campaignId": request["campaignId"], "appointmentCount": len(appointments),
                "firstAppointmentId": first_appointment_id,
                "lastAppointmentId": first_appointment_id + max(len(appointments) - 1, 0),
                "createdOn": now, "modifiedOn": now, "invoiceId": invoice_id, "bookingId": request.get("bookingId"),
                "summary": request.get("summary"), "customerPo": request.get("customerPo"),
                "noCharge": request.get("noCharge"), "tagTypeIds": request.get("tagTypeIds"), "total": None})


def _stable_id(text: str) -> int:
    """A small id that stays the same for the same name (campaign categories, pricebook categories)."""
    value = 0
    for char in text:
        value = (value * 131 + ord(char)) % 900000
    return 100000 + value
