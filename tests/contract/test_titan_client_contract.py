"""The API client speaks what ServiceTitan's official OpenAPI documents describe: hosts, auth, envelopes, errors."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from pagetojob.titan import connection, errors
from pagetojob.titan.client import ENVIRONMENTS, TOKEN_PATH
from tests.contract.test_readiness_scopes import openapi_dir


@cache
def documents() -> dict[str, dict[str, Any]]:
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted(openapi_dir().glob("*.json"))}


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_api_hosts_are_the_documents_servers():
    production, integration = ENVIRONMENTS["production"][0], ENVIRONMENTS["integration"][0]
    for name, spec in documents().items():
        urls = [server["url"] for server in spec.get("servers", [])]
        assert any(url.startswith(production + "/") for url in urls), (name, urls)
        assert any(url.startswith(integration + "/") for url in urls), (name, urls)


def test_token_url_and_app_key_header_are_the_documented_ones():
    for name, spec in documents().items():
        schemes = spec["components"]["securitySchemes"]
        assert schemes["apiKeyHeader"] == {**schemes["apiKeyHeader"], "type": "apiKey", "name": "ST-App-Key",
                                           "in": "header"}, name
        token_url = schemes["oauth"]["flows"]["clientCredentials"]["tokenUrl"]
        assert token_url == ENVIRONMENTS["production"][1] + TOKEN_PATH, name


def test_the_connection_test_read_exists_pages_and_needs_the_business_units_scope():
    spec = documents()["settings-v2.json"]
    module, resource = connection.CHEAP_READ
    operation = spec["paths"][f"/tenant/{{tenant}}/{resource}"]["get"]
    assert module == "settings"
    assert {"page", "pageSize"} <= {parameter["name"] for parameter in operation["parameters"]}
    assert operation["security"] == [{"apiKeyHeader": [], "oauth": ["tn.stt.businessunits:r"]}]


def test_every_list_and_export_envelope_has_the_fields_the_iterators_read():
    lists = exports = 0
    for name, spec in documents().items():
        for schema_name, schema in spec.get("components", {}).get("schemas", {}).items():
            if schema_name.startswith("PaginatedResponse_Of_"):
                lists += 1
                assert {"page", "pageSize", "hasMore", "data"} <= set(schema.get("required", [])), schema_name
                assert "totalCount" in schema["properties"], schema_name
            elif schema_name.startswith("ExportResponse_Of_"):
                exports += 1
                assert {"hasMore", "continueFrom", "data"} <= set(schema.get("required", [])), schema_name
        for path, item in spec.get("paths", {}).items():
            if "/export/" in path and "get" in item:
                assert "from" in {parameter["name"] for parameter in item["get"].get("parameters", [])}, (name, path)
    assert lists > 50 and exports > 20


def test_the_error_body_fields_are_those_of_api_error_response():
    spec = documents()["crm-v2.json"]
    schema = resolve(spec, spec["components"]["schemas"]["ApiErrorResponse"])
    assert set(schema["required"]) == {"type", "title", "status", "traceId", "errors", "data"}
    example = {"type": "about:blank", "title": "t", "status": 409, "traceId": "x", "errors": {"f": ["m"]},
               "data": {"k": 1}}
    parsed = errors.error_body(example)
    assert (parsed["error_type"], parsed["title"], parsed["trace_id"], parsed["errors"], parsed["data"]) == (
        "about:blank", "t", "x", {"f": ["m"]}, {"k": 1})
    documented_409 = spec["paths"]["/tenant/{tenant}/locations"]["post"]["responses"]["409"]
    assert resolve(spec, documented_409["content"]["application/json"]["schema"]) == schema
