"""Request-body validation against ServiceTitan's official OpenAPI documents, read at start from a folder.

The documents are OpenAPI 3.1, whose schemas are JSON Schema 2020-12: each operation's body schema is checked
with `$ref`s resolved into the document's components (older `nullable: true` is read as "or null"). Without
the documents the sandbox falls back to checking the fields each operation requires, and says so at start.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

# module path prefix -> document file name
DOCUMENTS = {
    "settings": "settings-v2.json", "jpm": "jpm-v2.json", "marketing": "marketing-v2.json",
    "dispatch": "dispatch-v2.json", "pricebook": "pricebook-v2.json", "memberships": "memberships-v2.json",
    "crm": "crm-v2.json", "marketingads": "marketing-ads-v2.json", "accounting": "accounting-v2.json",
}

# What is checked when the documents are absent: required fields (dotted for nested) and their JSON types.
FALLBACK_REQUIRED: dict[tuple[str, str], dict[str, type | tuple[type, ...]]] = {
    ("crm", "/tenant/{tenant}/booking-provider/{booking_provider}/bookings"): {
        "source": str, "name": str, "summary": str, "isFirstTimeClient": bool, "externalId": str},
    ("crm", "/tenant/{tenant}/leads"): {"campaignId": int, "summary": str},
    ("jpm", "/tenant/{tenant}/jobs"): {
        "customerId": int, "locationId": int, "businessUnitId": int, "jobTypeId": int, "priority": str,
        "campaignId": int, "appointments": list},
    ("dispatch", "/tenant/{tenant}/capacity"): {
        "startsOnOrAfter": str, "endsOnOrBefore": str, "skillBasedAvailability": bool},
    ("marketingads", "/tenant/{tenant}/web-booking-attributions"): {
        "webSessionData": dict, "webSessionData.landingPageUrl": str, "webSessionData.referrerUrl": str,
        "bookingId": int},
    ("marketingads", "/tenant/{tenant}/web-lead-form-attributions"): {
        "webSessionData": dict, "webSessionData.landingPageUrl": str, "webSessionData.referrerUrl": str,
        "leadId": int},
}


def default_openapi_dir() -> Path:
    """`PAGETOJOB_ST_OPENAPI_DIR`, else `../shared/servicetitan-openapi` from the working directory."""
    return Path(os.environ.get("PAGETOJOB_ST_OPENAPI_DIR") or Path.cwd().parent / "shared" / "servicetitan-openapi")


def _nullable_to_31(node: Any) -> Any:
    if isinstance(node, dict):
        out = {key: _nullable_to_31(value) for key, value in node.items()}
        if out.pop("nullable", False) is True and isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(node, list):
        return [_nullable_to_31(item) for item in node]
    return node


@dataclass
class Validators:
    """Body validators per (module, path template, method), or the fallback checks."""

    directory: Path | None
    by_operation: dict[tuple[str, str, str], Draft202012Validator]
    missing: list[str]

    @property
    def enabled(self) -> bool:
        return bool(self.by_operation)

    def describe(self) -> str:
        if not self.enabled:
            where = self.directory or "(no folder given)"
            return (f"Schema validation is OFF: no ServiceTitan OpenAPI documents in {where}; only required fields "
                    "are checked. Pass --openapi-dir or set PAGETOJOB_ST_OPENAPI_DIR.")
        text = f"Schema validation is on: request bodies are checked against the OpenAPI documents in {self.directory}"
        if self.missing:
            text += f" (missing: {', '.join(self.missing)}; those modules only get required-field checks)"
        return text

    def check(self, module: str, template: str, method: str, body: Any) -> dict[str, list[str]]:
        """Field -> messages for everything wrong with the body; empty when it is valid."""
        validator = self.by_operation.get((module, template, method))
        if validator is not None:
            errors: dict[str, list[str]] = {}
            for found in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path)):
                # A oneOf (a nullable object) says only "not valid under any"; the closest branch says why.
                branches = [e for e in found.context if not (e.validator == "type" and e.validator_value == "null")]
                error = best_match(branches) if branches else found
                where = ".".join(str(part) for part in error.absolute_path)
                if error.validator == "required":
                    missing = error.message.split("'")[1] if "'" in error.message else ""
                    where = f"{where}.{missing}" if where else missing
                    message = f"The {missing} field is required."
                else:
                    message = error.message
                errors.setdefault(where or "body", []).append(message)
            return errors
        return _fallback_check(FALLBACK_REQUIRED.get((module, template), {}), body)


def _fallback_check(required: dict[str, type | tuple[type, ...]], body: Any) -> dict[str, list[str]]:
    if not isinstance(body, dict):
        return {"body": ["The request body must be a JSON object."]}
    errors: dict[str, list[str]] = {}
    for dotted, kind in required.items():
        value: Any = body
        for part in dotted.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            errors.setdefault(dotted, []).append(f"The {dotted.split('.')[-1]} field is required.")
        elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            errors.setdefault(dotted, []).append(f"{value!r} is not of type '{getattr(kind, '__name__', kind)}'.")
    return errors


def load_validators(directory: Path | str | None) -> Validators:
    """Build a validator for every operation with a JSON body in the documents found in `directory`."""
    folder = Path(directory) if directory else None
    if folder is None or not folder.is_dir():
        return Validators(folder, {}, list(DOCUMENTS.values()))
    by_operation: dict[tuple[str, str, str], Draft202012Validator] = {}
    missing = []
    for module, name in DOCUMENTS.items():
        path = folder / name
        if not path.is_file():
            missing.append(name)
            continue
        document = json.loads(path.read_text(encoding="utf-8"))
        components = _nullable_to_31(document.get("components", {}))
        for template, item in document.get("paths", {}).items():
            for method, operation in item.items():
                if not isinstance(operation, dict):
                    continue
                schema = (operation.get("requestBody", {}).get("content", {}).get("application/json", {})
                          .get("schema"))
                if schema is None:
                    continue
                root = {**_nullable_to_31(schema), "components": components}
                by_operation[(module, template, method.upper())] = Draft202012Validator(root)
    return Validators(folder, by_operation, missing)
