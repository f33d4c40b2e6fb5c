"""Request-body validators read from ServiceTitan's official OpenAPI documents at test time (never copied here).

`$ref`s resolve inside the document; OpenAPI 3.0 `nullable: true` is rewritten to the JSON Schema form that
3.1 documents already use, and `date-time` / `int64` formats are checked rather than ignored.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .test_readiness_scopes import openapi_dir

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if "T" not in value:
        raise ValueError(f"{value!r} has no time part")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset")
    return True


@FORMATS.checks("int64")
def _int64(value: object) -> bool:
    return not isinstance(value, int) or -(2 ** 63) <= value < 2 ** 63


def _nullable_to_31(node: Any) -> Any:
    """OpenAPI 3.0 marks nullable fields with `nullable: true`; JSON Schema says it with a null type."""
    if isinstance(node, list):
        return [_nullable_to_31(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_to_31(value) for key, value in node.items()}
    if node.pop("nullable", False) is True:
        if isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
            if "enum" in node:
                node["enum"] = [*node["enum"], None]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


@functools.cache
def document(name: str) -> dict[str, Any]:
    path = openapi_dir() / name
    assert path.is_file(), f"{path} is missing from the ServiceTitan OpenAPI documents"
    spec = json.loads(path.read_text(encoding="utf-8"))
    return _nullable_to_31(spec) if str(spec.get("openapi", "")).startswith("3.0") else spec


def operation(document_name: str, operation_id: str) -> tuple[str, str, dict[str, Any]]:
    """(method, full path template with the module prefix, operation) of one documented operation."""
    spec = document(document_name)
    prefix = urlsplit(spec["servers"][0]["url"]).path.rstrip("/")
    for path, item in spec["paths"].items():
        for method, candidate in item.items():
            if isinstance(candidate, dict) and candidate.get("operationId") == operation_id:
                return method.upper(), prefix + path, candidate
    raise AssertionError(f"{operation_id} is not in {document_name}")


def path_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("^" + "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts) + "$")


def body_validator(document_name: str, operation_id: str) -> Draft202012Validator:
    spec = document(document_name)
    _, _, found = operation(document_name, operation_id)
    schema = found["requestBody"]["content"]["application/json"]["schema"]
    uri = f"urn:servicetitan:{document_name}"
    registry = Registry().with_resource(uri, Resource(contents=spec, specification=DRAFT202012))
    if "$ref" in schema and schema["$ref"].startswith("#"):
        schema = {"$ref": uri + schema["$ref"]}
    return Draft202012Validator(schema, registry=registry, format_checker=FORMATS)


def errors(document_name: str, operation_id: str, body: dict[str, Any]) -> list[str]:
    validator = body_validator(document_name, operation_id)
    return [f"{'/'.join(str(p) for p in error.absolute_path) or '(body)'}: {error.message}"
            for error in validator.iter_errors(body)]
