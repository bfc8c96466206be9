"""The two-step demo journey (family_composition_certificate: start form, then one official step) through the
JSON API and through the citizen and staff pages, each request timed and its SQL statements counted."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from engine.paths import PROJECT_ROOT
from tests.bench.clients import ApiUser, Browser, Call, Probe, expect, path_of
from tests.bench.platforms import BenchError, BenchPlatform

SERVICE = "family_composition_certificate"
CITIZEN, OFFICIAL = "citizen", "lubny.cnap"
API_STEPS = ("create", "submit", "queue", "claim", "decide")
#: The HTML requests grouped by the API step they stand for (a browser follows every redirect).
HTML_STEPS = {
    "create": ("GET service page", "POST apply", "GET form page 1"),
    "submit": (
        "POST form page 1",
        "GET form page 2",
        "POST form page 2",
        "GET form page 3",
        "POST form page 3 (with the file)",
        "GET check answers",
        "POST check answers",
        "GET confirmation",
    ),
    "queue": ("GET staff queue",),
    "claim": ("POST claim", "GET task page"),
    "decide": ("POST decision", "GET staff queue after"),
}
#: The requests that change the case (the others only read): the ones the statement goals apply to.
HTML_CASE_STEPS = {
    "POST apply": "create",
    "POST check answers": "submit",
    "POST claim": "claim",
    "POST decision": "decide",
}


def start_answers() -> dict[str, Any]:
    """The applicant's answers: the `issued` scenario, collected in the ЦНАП (so the official attaches no file)."""
    path = PROJECT_ROOT / "processes" / SERVICE / "scenarios" / "issued.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["steps"][0]["data"]
    return {**data, "receive_method": "cnap"}


def decision(number: int) -> dict[str, Any]:
    return {"decision": "issue", "certificate_number": f"СС-2026/{number}"}


@dataclass
class Journey:
    calls: list[Call]

    @property
    def seconds(self) -> float:
        return sum(c.seconds for c in self.calls)


class ApiJourney:
    """Citizen and official with tokens issued once, before any timing."""

    def __init__(self, bench: BenchPlatform) -> None:
        self.probe = Probe(bench)
        self.citizen = ApiUser(bench, self.probe, CITIZEN)
        self.official = ApiUser(bench, self.probe, OFFICIAL)
        self.answers = start_answers()
        self.count = 0

    def upload(self) -> tuple[str, Call]:
        """The passport scan, uploaded before the journey (POST /api/v1/attachments); returns its id and cost."""
        found = self.citizen.upload("passport.pdf", label="upload")
        return found, self.probe.take()[0]

    def run(self, passport_id: str) -> Journey:
        self.count += 1
        created = expect(self.citizen.post("/applications", {"service": SERVICE}, "create"), 201, "create")
        body = created.get_json()
        reference, start = body["reference"], body["tasks"][0]["id"]
        data = {**self.answers, "passport_scan": passport_id}
        submitted = expect(self.citizen.post(f"/tasks/{start}/complete", {"data": data}, "submit"), 200, "submit")
        if submitted.get_json()["status"] != "active":
            raise BenchError(f"submit: {submitted.get_json()}")
        queue = expect(self.official.get("/tasks?scope=queue", "queue"), 200, "queue").get_json()
        task = next((t["id"] for t in queue if t["reference"] == reference), None)
        if task is None:
            raise BenchError(f"queue: application {reference} is not in the queue of {OFFICIAL}")
        expect(self.official.post(f"/tasks/{task}/claim", None, "claim"), 200, "claim")
        done = expect(
            self.official.post(f"/tasks/{task}/complete", {"data": decision(self.count)}, "decide"), 200, "decide"
        )
        if done.get_json()["status"] != "completed":
            raise BenchError(f"decide: the application did not complete: {done.get_json()}")
        return Journey(self.probe.take())


TASK_LINK = r'href="(/staff/tasks/[^"]+)">{reference}<'
REFERENCE_RE = re.compile(r"\b\d{5}-\d{5}\b")


class HtmlJourney:
    """The same steps through the pages; sign-in cookies are set before timing, CSRF tokens read from the forms."""

    def __init__(self, bench: BenchPlatform) -> None:
        self.probe = Probe(bench)
        self.citizen = Browser(bench, self.probe, CITIZEN)
        self.official = Browser(bench, self.probe, OFFICIAL)
        self.answers = {**start_answers(), "passport_scan": "@file:passport.pdf"}
        self.count = 0

    def run(self) -> Journey:
        self.count += 1
        reference = self._apply()
        self._decide(reference)
        calls = self.probe.take()
        expected = [label for labels in HTML_STEPS.values() for label in labels]
        if [c.label for c in calls] != expected:
            raise BenchError(f"HTML journey took other pages than expected: {[c.label for c in calls]}")
        return Journey(calls)

    def _apply(self) -> str:
        citizen = self.citizen
        citizen.page(f"/services/{SERVICE}", "GET service page")
        started = expect(citizen.post(f"/services/{SERVICE}/apply", None, "POST apply"), 302, "apply")
        url = path_of(started.headers["Location"])
        html = citizen.page(url, "GET form page 1")
        for number in range(1, 4):
            label = f"POST form page {number}" + (" (with the file)" if number == 3 else "")
            sent = expect(citizen.post(url, citizen.answers_for(html, self.answers), label), 302, label)
            url = path_of(sent.headers["Location"])
            if number < 3:
                html = citizen.page(url, f"GET form page {number + 1}")
        if not url.endswith("/check"):
            raise BenchError(f"the start form did not end at check answers but at {url}")
        citizen.page(url, "GET check answers")
        submitted = expect(citizen.post(url, None, "POST check answers"), 302, "check answers")
        confirmation = path_of(submitted.headers["Location"])
        citizen.page(confirmation, "GET confirmation")
        found = REFERENCE_RE.search(confirmation)
        if found is None:
            raise BenchError(f"no reference number in {confirmation}")
        return found.group(0)

    def _decide(self, reference: str) -> None:
        official = self.official
        queue = official.page("/staff/queue", "GET staff queue")
        link = re.search(TASK_LINK.format(reference=re.escape(reference)), queue)
        if link is None:
            raise BenchError(f"application {reference} is not in the staff queue of {OFFICIAL}")
        task_url = link.group(1)
        claimed = expect(official.post(f"{task_url}/claim", {"next": "/staff/queue"}, "POST claim"), 302, "claim")
        official.page(path_of(claimed.headers["Location"]), "GET task page")
        data = decision(self.count)
        decided = expect(official.post(f"{task_url}/complete", data, "POST decision"), 302, "decision")
        official.page(path_of(decided.headers["Location"]), "GET staff queue after")


def step_seconds(journey: Journey, groups: dict[str, tuple[str, ...]] | None = None) -> dict[str, float]:
    """Seconds per API step; HTML requests are summed into the API step they stand for."""
    if groups is None:
        return {c.label: c.seconds for c in journey.calls}
    by_label = {c.label: c.seconds for c in journey.calls}
    return {step: sum(by_label[label] for label in labels) for step, labels in groups.items()}
