from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from engine.calendar import KYIV, add_working_days
from engine.text import render_markdown


def test_markdown_is_rendered() -> None:
    html = render_markdown("**Строк:** 5 днів\n\n- заява\n- паспорт\n\n[Закон](https://zakon.rada.gov.ua/)")
    assert "<strong>Строк:</strong>" in html
    assert "<li>заява</li>" in html
    assert 'href="https://zakon.rada.gov.ua/"' in html
    assert 'rel="noopener noreferrer"' in html


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_script_tags_and_javascript_links_are_removed() -> None:
    html = render_markdown(
        "Hello <script>alert('x')</script>\n\n[click](javascript:alert(1))\n\n[ok](https://igov.gov.ua)\n\n"
        '<a href="javascript:alert(2)" onclick="steal()">raw</a>\n\n<img src=x onerror=alert(3)>'
    )
    tags = _tags(html)
    assert {tag for tag, _ in tags} <= {"p", "a"}
    links = [attrs for tag, attrs in tags if tag == "a"]
    assert [a["href"] for a in links] == ["https://igov.gov.ua"]
    assert all(set(a) <= {"href", "rel", "title"} for a in links)
    assert "<script" not in html


def test_empty_markdown() -> None:
    assert render_markdown("") == ""


def _kyiv(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=KYIV)


def test_working_days_skip_weekends() -> None:
    friday = _kyiv(2025, 6, 6)
    due = add_working_days(friday, 1)
    assert due.tzinfo is not None
    local = due.astimezone(KYIV)
    assert (local.date().isoformat(), local.hour) == ("2025-06-09", 18)  # Monday, end of the working day
    assert add_working_days(friday, 5).astimezone(KYIV).date().isoformat() == "2025-06-13"
    assert add_working_days(friday, 6).astimezone(KYIV).date().isoformat() == "2025-06-16"


def test_working_days_from_a_weekend_and_from_utc() -> None:
    saturday = _kyiv(2025, 6, 7)
    assert add_working_days(saturday, 1).astimezone(KYIV).date().isoformat() == "2025-06-09"
    # 22:30 UTC on Sunday is already Monday in Kyiv: the first working day counted is Tuesday
    late_sunday_utc = datetime(2025, 6, 8, 22, 30, tzinfo=UTC)
    assert add_working_days(late_sunday_utc, 1).astimezone(KYIV).date().isoformat() == "2025-06-10"


def test_every_due_date_is_a_weekday() -> None:
    start = _kyiv(2025, 1, 1)
    for offset in range(21):
        for days in (1, 3, 5, 10):
            due = add_working_days(start + timedelta(days=offset), days).astimezone(KYIV)
            assert due.weekday() < 5
