"""What a page opened from a mailed link says when the link cannot be used: expired, used or not one of ours."""

from __future__ import annotations

from flask import render_template

from engine.services.admin.links import LinkError, LinkExpiredError, LinkUsedError


def link_problem(error: LinkError, *, purpose: str) -> tuple[str, int]:
    """The page for `purpose` ("verify", "reset", "invitation"), with what to do next; 410 for a link that was
    genuine (expired or used), 400 for one that never was."""
    if isinstance(error, LinkExpiredError):
        problem, status = "expired", 410
    elif isinstance(error, LinkUsedError):
        problem, status = "used", 410
    else:
        problem, status = "invalid", 400
    return render_template("pages/account/link_problem.html", problem=problem, purpose=purpose), status
