"""`http_call`: call another registry over HTTP(S); failures are retried by the job machinery."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from engine.services.handlers import HandlerContext, HandlerError, service_handler

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 120.0
MAX_RESPONSE_BYTES = 1024 * 1024


class HttpCallError(Exception):
    """The other side failed (connection, timeout or a non-2xx status): worth retrying later."""


def http_literal_problem(name: str, value: Any) -> str | None:
    if name == "url" and (not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https")):
        return f"url must be an http:// or https:// address, not {value!r}"
    if name == "method" and (not isinstance(value, str) or value.upper() not in METHODS):
        return f"method must be one of {', '.join(METHODS)}, not {value!r}"
    if name in ("timeout", "retries") and (not isinstance(value, int | float) or isinstance(value, bool) or value < 0):
        return f"{name} must be a non-negative number, not {value!r}"
    return None


@service_handler(
    "http_call",
    required=("url",),
    optional=("method", "json", "headers", "timeout", "retries"),
    check_literal=http_literal_problem,
)
def http_call(_ctx: HandlerContext, params: dict[str, Any]) -> dict[str, Any]:
    """Returns {"status": code, "body": parsed JSON or text}; `retries` is read when the job is queued."""
    for name, value in params.items():
        if value is not None and (problem := http_literal_problem(name, value)) is not None:
            raise HandlerError(problem)
    headers = {str(k): str(v) for k, v in (params.get("headers") or {}).items()}
    body = None
    if params.get("json") is not None:
        body = json.dumps(params["json"], ensure_ascii=False, default=str).encode()
        headers.setdefault("Content-Type", "application/json")
    headers.setdefault("Accept", "application/json")
    method = str(params.get("method") or ("POST" if body is not None else "GET")).upper()
    timeout = min(float(params.get("timeout") or DEFAULT_TIMEOUT), MAX_TIMEOUT)
    request = urllib.request.Request(str(params["url"]), data=body, headers=headers, method=method)  # noqa: S310 - scheme checked
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked
            status = int(response.status)
            raw = response.read(MAX_RESPONSE_BYTES + 1)
            content_type = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        raise HttpCallError(f"{method} {params['url']} answered {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise HttpCallError(f"{method} {params['url']} failed: {reason}") from exc
    if len(raw) > MAX_RESPONSE_BYTES:
        raise HandlerError(f"{method} {params['url']}: the answer is larger than {MAX_RESPONSE_BYTES} bytes")
    return {"status": status, "body": _decode(raw, content_type)}


def _decode(raw: bytes, content_type: str) -> Any:
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type or text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text
