"""A regional office over its districts and hromadas: members of a group that sees child organisations see and
take the tasks of every organisation below theirs, and lose them at once when the tree or the group changes."""

from __future__ import annotations

from typing import Any

from engine.db import unit_of_work
from engine.services.context import Platform
from engine.store import directory


def test_the_oblast_control_office_sees_and_takes_a_hromada_task(
    browser: Any, citizen: Any, task_link: Any, row_of: Any
) -> None:
    reference, _ = citizen.apply("outdoor_advertising_permit", "issued_first_time")  # Lubny city council's service
    control = browser("poltava.control")  # ОДА → Лубенська РДА → Лубенська міська рада
    queue = control.page("/staff/queue")
    assert "Розгляд заяви в ЦНАП" in row_of(queue, reference)
    assert reference not in browser("poltava.social").page("/staff/queue")  # same oblast office, no such setting
    task_url = task_link(queue, reference)
    assert "Розгляд заяви в ЦНАП" in control.page(task_url)
    claimed = control.post(f"{task_url}/claim", {"next": "/staff/queue"})
    assert claimed.status_code == 302
    assert f"You have taken the task for application {reference}." in control.page(task_url)
    assert reference in control.page("/staff/my")


def test_sight_ends_when_the_group_stops_seeing_children_or_the_hromada_moves_away(
    platform: Platform, browser: Any, citizen: Any
) -> None:
    reference, _ = citizen.apply("outdoor_advertising_permit", "issued_first_time")
    control = browser("poltava.control")
    assert reference in control.page("/staff/queue")

    with unit_of_work(platform.write_sessions) as db:  # Lubny's council leaves the oblast's tree
        council = directory.find_organisation(db, "lubny-council")
        assert council is not None
        council.parent_id = None
        council.kind = "other"
    assert reference not in control.page("/staff/queue")  # the signed-in session sees it at its next request

    with unit_of_work(platform.write_sessions) as db:
        council, district = (
            directory.find_organisation(db, "lubny-council"),
            directory.find_organisation(db, "lubny-district"),
        )
        group = directory.find_group(db, "poltava-oda-control")
        assert council and district and group
        council.parent_id, council.kind = district.id, "hromada"
        group.sees_child_organisations = False
    assert reference not in control.page("/staff/queue")
    with unit_of_work(platform.write_sessions) as db:
        group = directory.find_group(db, "poltava-oda-control")
        assert group is not None
        group.sees_child_organisations = True
    assert reference in control.page("/staff/queue")
