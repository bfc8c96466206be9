"""The operator console for administrators: find any case (/admin/cases), export the found ones as CSV."""

from __future__ import annotations

from werkzeug.wrappers import Response

from webapp import case_console, case_page
from webapp.admin import admin


@admin.get("/cases")
def cases() -> str:
    return case_console.search_page(
        list_endpoint="admin.cases", case_endpoint="admin.case", export_endpoint="admin.cases_export"
    )


@admin.get("/cases.csv")
def cases_export() -> Response:
    return case_console.export_csv()


@admin.get("/cases/<reference>")
def case(reference: str) -> tuple[str, int]:
    return case_page.case_page(reference, prefix="admin")


@admin.get("/cases/<reference>/diagram.bpmn")
def case_diagram(reference: str) -> Response:
    return case_page.diagram(reference)


@admin.post("/cases/<reference>/suspend")
def case_suspend(reference: str) -> Response | tuple[str, int]:
    return case_page.act(reference, "suspend", prefix="admin")


@admin.post("/cases/<reference>/resume")
def case_resume(reference: str) -> Response | tuple[str, int]:
    return case_page.act(reference, "resume", prefix="admin")


@admin.post("/cases/<reference>/cancel")
def case_cancel(reference: str) -> Response | tuple[str, int]:
    return case_page.act(reference, "cancel", prefix="admin")


@admin.post("/cases/<reference>/reassign")
def case_reassign(reference: str) -> Response | tuple[str, int]:
    return case_page.reassign(reference, prefix="admin")


@admin.post("/cases/<reference>/comments")
def case_comment(reference: str) -> Response | tuple[str, int]:
    return case_page.comment(reference, prefix="admin")
