"""Error pages: a JSON body for API paths, an HTML page for the others."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, jsonify, render_template, request

from webapp.api.errors import api_error_body

PAGE_ERRORS = (400, 403, 404, 405, 413, 500)


def _handler(code: int) -> Callable[[Exception], tuple[Response | str, int]]:
    def handle(_exc: Exception) -> tuple[Response | str, int]:
        if request.path.startswith("/api/"):
            return jsonify(api_error_body(code)), code
        return render_template(f"errors/{code}.html"), code

    return handle


def setup_error_pages(app: Flask) -> None:
    for code in PAGE_ERRORS:
        app.register_error_handler(code, _handler(code))
