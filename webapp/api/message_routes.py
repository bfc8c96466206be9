"""BPMN messages from other systems: POST /applications/{reference}/messages/{name}, with an integration token."""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_babel import gettext as _

from engine.services.cases import messages
from webapp.api import api
from webapp.api.errors import api_error, unauthorized
from webapp.requests import platform


@api.post("/applications/<reference>/messages/<name>")
def deliver_message(reference: str, name: str) -> tuple[Response, int]:
    """Authenticated by an integration's token (`posluhy create-integration`), not a person's."""
    scheme, _sep, token = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return unauthorized(_("Send the integration's token in the Authorization header: Bearer TOKEN."))
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return api_error(400, _("Send the message payload as a JSON object."))
    try:
        receipt = messages.deliver_message(
            platform(), token=token.strip(), reference=reference, name=name, payload=payload
        )
    except messages.InvalidIntegrationTokenError:
        return unauthorized(_("The integration token is not valid."))
    except messages.MessageNotAllowedError:
        return api_error(403, _("This integration may not send the message %(name)s.", name=name))
    except messages.MessageRefusedError as exc:
        if exc.kind == messages.MessageRefusedError.CLOSED:
            text = _("Application %(reference)s is closed and takes no messages.", reference=exc.reference)
        else:
            text = _(
                "Application %(reference)s is not waiting for the message %(name)s.", reference=exc.reference, name=name
            )
        return api_error(409, text, waiting=exc.waiting)
    body = {
        "reference": receipt.reference,
        "message": receipt.message,
        "status": receipt.status,
        "outcome": receipt.outcome,
    }
    return jsonify(body), 200
