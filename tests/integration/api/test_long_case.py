"""A case that loops for many rounds: writes answer lightly, history comes a page at a time, the state stays small."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from engine.config import PROJECT_ROOT
from engine.db import unit_of_work
from engine.services.context import Platform
from engine.store import applications

from ..conftest import deploy_files

LOOP = PROJECT_ROOT / "tests" / "fixtures" / "loops" / "correspondence_loop.bpmn"
ROUNDS = 30


@pytest.fixture
def loop_service(platform: Platform, tmp_path: Path) -> None:
    deploy_files(platform, tmp_path / "loop", {f"correspondence_loop/{LOOP.name}": LOOP.read_text(encoding="utf-8")})


def _only(application: dict[str, Any], name: str) -> dict[str, Any]:
    (task,) = [t for t in application["tasks"] if t["name"] == name]
    return task


@pytest.mark.usefixtures("loop_service")
def test_thirty_rounds_answer_lightly_and_page_the_history(api: Any, app: Flask, platform: Platform) -> None:
    citizen, official = api("citizen"), api("lubny.cnap")
    started = citizen.post("/applications", {"service": "correspondence_loop"}).get_json()
    sent = citizen.complete(_only(started, "start_application")["id"], {"subject": "Довідка"}).get_json()
    reference = sent["reference"]
    sizes = []
    for round_no in range(1, ROUNDS + 1):
        review = official.queue_task(reference, "review")
        asked = official.complete(review["id"], {"decision": "ask", "question": f"Питання {round_no}"}).get_json()
        assert "history" not in asked  # a write answers without the timeline, however long it is
        mine = citizen.get(f"/applications/{reference}").get_json()
        answered = citizen.complete(_only(mine, "answer")["id"], {"reply": f"Відповідь {round_no}"})
        assert answered.status_code == 200, answered.get_json()
        with unit_of_work(platform.read_sessions) as db:
            row = applications.find_by_reference(db, reference)
            assert row is not None
            sizes.append(len(row.state_json))
    assert max(sizes) <= 2 * sizes[0]  # completed rounds left the live state

    first = citizen.get(f"/applications/{reference}").get_json()
    total = first["history_page"]["total"]
    assert total >= 2 * ROUNDS + 2 and first["history_page"] == {"page": 1, "pages": -(-total // 50), "total": total}
    assert len(first["history"]) == 50
    assert first["history"][-1]["title"] == "Відповідь заявника"  # page 1 ends with the newest event
    older = citizen.get(f"/applications/{reference}/history?page=2").get_json()
    assert older["page"] == 2 and len(older["history"]) == total - 50
    assert older["history"][0]["event"] == "application.created"  # the last page begins with the oldest
    assert citizen.get(f"/applications/{reference}/history?page=0").status_code == 400

    page = app.test_client()
    page.post("/login", data={"username": "citizen", "password": "demo", "csrf_token": _csrf(page)})
    html = page.get(f"/my/applications/{reference}").get_data(as_text=True)
    assert "?history=2#history" in html and "Давніші події" in html  # the page links to the older events
    second = page.get(f"/my/applications/{reference}?history=2").get_data(as_text=True)
    assert "?history=1#history" in second


def _csrf(client: Any) -> str:
    body = client.get("/login").get_data(as_text=True)
    return body.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
