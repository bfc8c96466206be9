"""The operator console for officials (/staff/cases): the cases of their organisations and those they oversee."""

from __future__ import annotations

from werkzeug.wrappers import Response

from webapp import case_console, case_page
from webapp.staff import staff


@staff.get("/cases")
def cases() -> str:
    return case_console.search_page(
        list_endpoint="staff.cases", case_endpoint="staff.case", export_endpoint="staff.cases_export"
    )


@staff.get("/cases.csv")
def cases_export() -> Response:
    return case_console.export_csv()


@staff.get("/cases/<reference>")
def case(reference: str) -> tuple[str, int]:
    return case_page.case_page(reference, prefix="staff")


@staff.get("/cases/<reference>/diagram.bpmn")
def case_diagram(reference: str) -> Response:
    return case_page.diagram(reference)


@staff.post("/cases/<reference>/suspend")
def case_suspend(reference: str) -> Response | tuple[str, int]:
    return case_page.act(reference, "suspend", prefix="staff")


@staff.post("/cases/<reference>/resume")
def case_resume(reference: str) -> Response | tuple[str, int]:
    return case_page.act(reference, "resume", prefix="staff")


@staff.post("/cases/<reference>/reassign")
def case_reassign(reference: str) -> Response | tuple[str, int]:
    return case_page.reassign(reference, prefix="staff")


@staff.post("/cases/<reference>/comments")
def case_comment(reference: str) -> Response | tuple[str, int]:
    return case_page.comment(reference, prefix="staff")
