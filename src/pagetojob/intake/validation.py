"""Strict, field-by-field checking of a submitted booking request; every message says what to fix."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from pagetojob.intake.models import CustomerType, TimeWindow, Urgency

ZIP = re.compile(r"^\d{5}(-\d{4})?$")
CONTEXT_FIELDS = ("landing_page", "referrer", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
                  "gclid", "gbraid", "wbraid", "fbclid", "msclkid", "ga_client_id", "device_class")
TOUCH_FIELDS = ("url", "referrer", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "gclid",
                "gbraid", "wbraid", "fbclid", "msclkid", "at")
LIMITS = {"name": 120, "service": 200, "street": 200, "unit": 40, "city": 100, "state": 40, "notes": 2000,
          "page_url": 2000, "submission_id": 64}


class SubmissionInvalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class CleanSubmission:
    values: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)


def _text(payload: dict, name: str, errors: dict, required: bool = False, label: str = "") -> str:
    raw = payload.get(name, "")
    if raw is None:
        raw = ""
    if not isinstance(raw, str | int | float):
        errors[name] = f"{label or name} must be text."
        return ""
    value = " ".join(str(raw).split()) if name != "notes" else str(raw).strip()
    if required and not value:
        errors[name] = f"Enter your {label or name}."
    elif len(value) > LIMITS.get(name, 200):
        errors[name] = f"{(label or name).capitalize()} is too long (at most {LIMITS.get(name, 200)} characters)."
    return value


def _bool(payload: dict, name: str, errors: dict) -> bool:
    value = payload.get(name, False)
    if value in (True, False, None, "", "true", "false", "on", "1", "0", 1, 0):
        return value in (True, "true", "on", "1", 1)
    errors[name] = f"{name} must be true or false."
    return False


def _touch(value: Any) -> dict:
    if not isinstance(value, dict):
        return {}
    return {key: str(value[key])[:2000] for key in TOUCH_FIELDS if value.get(key) not in (None, "")}


def clean(payload: Any, today: date) -> CleanSubmission:
    if not isinstance(payload, dict):
        raise SubmissionInvalid({"body": "Send a JSON object with the request's fields."})
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    submission_id = _text(payload, "submission_id", errors, required=True, label="submission id")
    if submission_id and not re.fullmatch(r"[A-Za-z0-9_.:-]{8,64}", submission_id):
        errors["submission_id"] = "The submission id must be 8–64 letters, digits, dots, dashes or colons."
    values["submission_id"] = submission_id
    values["name"] = _text(payload, "name", errors, required=True, label="name")
    values["service"] = _text(payload, "service", errors, label="service")
    values["page_url"] = _text(payload, "page_url", errors, label="page address")
    phone_raw = _text(payload, "phone", errors, label="phone number")
    email_raw = _text(payload, "email", errors, label="email")
    if not phone_raw and not email_raw and "phone" not in errors:
        errors["phone"] = "Enter a phone number (or an email address) so the office can reach you."
    values["phone"] = ""
    if phone_raw:
        try:
            number = phonenumbers.parse(phone_raw, "US")
            if not phonenumbers.is_valid_number(number):
                raise phonenumbers.NumberParseException(1, "invalid")
            values["phone"] = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        except phonenumbers.NumberParseException:
            errors["phone"] = "Enter a valid phone number, for example (602) 555-0148."
    values["email"] = ""
    if email_raw:
        try:
            validate_email(email_raw)
            values["email"] = email_raw.lower()
        except ValidationError:
            errors["email"] = "Enter a valid email address, for example name@example.com."
    address = payload.get("address") or {}
    if not isinstance(address, dict):
        errors["address"] = "The address must have street, unit, city, state and zip."
        address = {}
    for key in ("street", "unit", "city", "state"):
        values[key] = _text(address, key, errors, label=key)
        if key in errors:
            errors[f"address.{key}"] = errors.pop(key)
    zip_code = _text(address, "zip", errors, label="ZIP code")
    if not zip_code:
        errors["address.zip"] = "Enter your 5-digit ZIP code."
    elif not ZIP.match(zip_code):
        errors["address.zip"] = "Enter a 5-digit ZIP code, like 85004."
    values["zip"] = zip_code[:5]
    for name, choices, default in (("urgency", Urgency, Urgency.FLEXIBLE),
                                   ("preferred_window", TimeWindow, TimeWindow.ANY),
                                   ("customer_type", CustomerType, CustomerType.NEW)):
        value = payload.get(name) or default
        if value not in choices.values:
            errors[name] = f"Choose one of: {', '.join(str(label) for label in choices.labels)}."
        values[name] = value
    values["preferred_date"] = None
    if payload.get("preferred_date"):
        try:
            chosen = date.fromisoformat(str(payload["preferred_date"]))
        except ValueError:
            errors["preferred_date"] = "Enter the date as YYYY-MM-DD."
        else:
            if chosen < today - timedelta(days=1) or chosen > today + timedelta(days=365):
                errors["preferred_date"] = "Choose a date from today up to a year ahead."
            values["preferred_date"] = chosen
    values["notes"] = _text(payload, "notes", errors, label="notes")
    for name in ("consent_sms", "consent_email", "membership_interest"):
        values[name] = _bool(payload, name, errors)
    raw_context = payload.get("context") or {}
    if not isinstance(raw_context, dict):
        errors["context"] = "The source context must be an object."
        raw_context = {}
    context = {key: str(raw_context[key])[:2000] for key in CONTEXT_FIELDS if raw_context.get(key) not in (None, "")}
    for touch in ("first_touch", "last_touch"):
        if raw_context.get(touch):
            context[touch] = _touch(raw_context[touch])
    if errors:
        raise SubmissionInvalid(errors)
    return CleanSubmission(values, context)
