"""The OpenAPI document lists every API route with its methods and holds together structurally."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
from flask import Flask

# The parts of the OpenAPI 3.1 structure clients depend on (the full meta-schema is not vendored).
OPENAPI_SHAPE: dict[str, Any] = {
    "type": "object",
    "required": ["openapi", "info", "paths", "components"],
    "properties": {
        "openapi": {"type": "string", "pattern": r"^3\.1\.\d+$"},
        "info": {"type": "object", "required": ["title", "version"]},
        "paths": {
            "type": "object",
            "propertyNames": {"pattern": "^/"},
            "additionalProperties": {
                "type": "object",
                "propertyNames": {"enum": ["get", "post", "put", "patch", "delete", "parameters", "summary"]},
                "additionalProperties": {
                    "type": "object",
                    "required": ["responses"],
                    "properties": {
                        "responses": {
                            "type": "object",
                            "minProperties": 1,
                            "propertyNames": {"pattern": "^[1-5][0-9][0-9]$"},
                            "additionalProperties": {"type": "object", "required": ["description"]},
                        },
                        "parameters": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["name", "in"],
                                "properties": {"in": {"enum": ["path", "query", "header", "cookie"]}},
                            },
                        },
                    },
                },
            },
        },
        "components": {
            "type": "object",
            "required": ["schemas", "securitySchemes"],
            "properties": {
                "securitySchemes": {
                    "type": "object",
                    "minProperties": 1,
                    "additionalProperties": {"type": "object", "required": ["type"]},
                }
            },
        },
    },
}


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.removeprefix("/api/v1"))


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [r for v in node.values() for r in refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in refs(v)]
    return []


def test_every_api_route_is_documented(app: Flask):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    routes = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")]
    assert len(routes) >= 11
    for rule in routes:
        path = openapi_path(rule.rule)
        assert path in document["paths"], path
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            assert method.lower() in document["paths"][path], (method, path)
    documented = {(p, m) for p, ops in document["paths"].items() for m in ops}
    served = {(openapi_path(r.rule), m.lower()) for r in routes for m in (r.methods or set()) - {"HEAD", "OPTIONS"}}
    assert documented == served


def test_document_is_structurally_valid_and_references_resolve(app: Flask):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    jsonschema.validate(document, OPENAPI_SHAPE)
    schemas = document["components"]["schemas"]
    for ref in refs(document):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert document["paths"]["/auth/token"]["post"]["security"] == []
    for path, operations in document["paths"].items():
        for name in re.findall(r"{(\w+)}", path):
            for operation in operations.values():
                assert any(p["name"] == name and p["in"] == "path" for p in operation["parameters"]), (path, name)


def test_documented_application_shape_matches_a_real_answer(app: Flask, api: Any, steps: list[dict[str, Any]]):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    resolver_root = {"components": document["components"]}
    application = api("citizen").submit(steps)
    schema = {**document["components"]["schemas"]["Application"], **resolver_root}
    jsonschema.Draft202012Validator(schema).validate(application)
    task_schema = {**document["components"]["schemas"]["Task"], **resolver_root}
    started = api("citizen").post("/applications", {"service": "housing_subsidy"}).get_json()
    for task in started["tasks"]:
        jsonschema.Draft202012Validator(task_schema).validate(task)
