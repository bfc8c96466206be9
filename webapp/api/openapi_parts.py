"""Building blocks of the OpenAPI document: JSON Schema shorthands, replies, errors and operations."""

from __future__ import annotations

from typing import Any

STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
DATETIME = {"type": ["string", "null"], "format": "date-time"}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def reply(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"description": description}
    if schema is not None:
        found["content"] = json_content(schema)
    return found


def with_header(found: dict[str, Any], name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {**found, "headers": {name: {"description": description, "schema": schema}}}


ERRORS: dict[str, dict[str, Any]] = {
    "400": reply("Malformed request: not JSON, not an object, or a documented field missing", ref("Error")),
    "401": with_header(
        reply("Missing, malformed or expired bearer token", ref("Error")),
        "WWW-Authenticate",
        "Bearer challenge",
        STRING,
    ),
    "403": reply("Visible to the caller, but the account may not do this", ref("Error")),
    "404": reply("Not found, or not visible to the caller", ref("Error")),
    "409": reply(
        "Someone got there first: the task is no longer open, another official holds it, the application changed "
        "at the same time, or the service takes no applications online",
        ref("Error"),
    ),
    "413": reply("The request body or file is larger than the upload limit", ref("Error")),
    "422": reply("Invalid data; a message by field name", ref("ValidationError")),
    "429": with_header(
        reply(
            "Too many attempts: too many wrong passwords for the account (it refuses every password for a while), "
            "or too many refused requests from the caller's network",
            ref("Error"),
        ),
        "Retry-After",
        "Seconds until the account takes passwords again, or the network may try again",
        {"type": "integer"},
    ),
    "500": reply("Something went wrong on the server; nothing was saved", ref("Error")),
}


LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "Language of labels and titles (else Accept-Language; default uk)",
    "schema": {"type": "string", "enum": ["uk", "en"]},
}


def operation(
    summary: str,
    responses: dict[str, dict[str, Any]],
    *,
    errors: tuple[str, ...] = (),
    body: dict[str, Any] | None = None,
    parameters: list[dict[str, Any]] | None = None,
    public: bool = False,
    tag: str = "applications",
    localised: bool = True,
) -> dict[str, Any]:
    """An operation with the errors it can answer; every one can fail (500), every private one wants a token (401),
    every one with a body can be too large (413); `localised` ones take `lang` (messages, labels, titles)."""
    found: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": dict(responses)}
    always = ("500",) if public else ("401", "500")
    for code in sorted({*errors, *always, *(("413",) if body is not None else ())}):
        found["responses"].setdefault(code, ERRORS[code])
    if body is not None:
        found["requestBody"] = {"required": True, "content": body}
    parameters = [*(parameters or []), *([LANG] if localised else [])]
    if parameters:
        found["parameters"] = parameters
    if public:
        found["security"] = []
    return found


def path_param(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": STRING}


TASK_ID = [path_param("task_id", "Task id, from an application's tasks or a task list")]
