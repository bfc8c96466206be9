"""Editing a step's inline fields in the studio's fields-table editor: saved into the diagram as a new draft."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

from lxml import etree

from engine.bpmn.xml import BPMN, CAMUNDA
from engine.forms import FieldType, read_inline_form

SERVICE = "family_composition_certificate"
STEP = "prepare_certificate"
BASE = f"/studio/services/{SERVICE}/versions/1"
EDITOR = f"{BASE}/steps/{STEP}/form"


class _FieldsForm(HTMLParser):
    """The values a browser would post from the editor's `fields-form` (text inputs, checked boxes, selects)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.values: dict[str, str] = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == "fields-form"
        elif not self.inside or "name" not in a:
            if tag == "option" and self.inside and self.select and "selected" in a:
                self.values[self.select] = a.get("value", "")
        elif tag == "input" and (a.get("type") != "checkbox" or "checked" in a):
            self.values[a["name"]] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "select":
            self.select = a["name"]
        elif tag == "textarea":
            self.textarea = a["name"]
            self.values[a["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.values[self.textarea] += data


def _posted(page: str) -> dict[str, str]:
    parser = _FieldsForm()
    parser.feed(page)
    parser.values.pop("csrf_token", None)
    return parser.values


def _inline_form(xml: str, element_id: str) -> Any:
    tree = etree.fromstring(xml.encode("utf-8"))
    (element,) = [e for e in tree.iter(BPMN + "userTask", BPMN + "startEvent") if e.get("id") == element_id]
    return element, read_inline_form(element, element_id=element_id)


def _new_version(reply: Any) -> int:
    assert reply.status_code == 302, (reply.status_code, reply.get_data(as_text=True)[:3000])
    found = re.search(r"/versions/(\d+)$", reply.headers["Location"])
    assert found, reply.headers["Location"]
    return int(found.group(1))


def test_edit_inline_fields_saves_them_into_the_next_draft(browser: Any) -> None:
    analyst = browser("analyst")
    version_page = analyst.page(BASE)
    assert f'href="{EDITOR}"' in version_page
    _element, before = _inline_form(analyst.page(f"{BASE}/diagram.bpmn"), STEP)
    editor = analyst.page(EDITOR)
    assert 'id="form-preview"' in editor
    data = _posted(editor)
    for field in before.fields:
        assert field.name in data.values()
    blank = int(data["rows"]) - 1
    assert data[f"name-{blank}"] == ""
    data.update(
        {
            f"name-{blank}": "pickup_note",
            f"type-{blank}": "textarea",
            f"label_uk-{blank}": "Примітка для видачі",
            f"label_en-{blank}": "Note for the pickup",
            f"max_length-{blank}": "300",
            f"required-{blank}": "on",
            "action": "save",
        }
    )
    number = _new_version(analyst.post(EDITOR, data, token_from=EDITOR))
    assert number == 2
    new_page = analyst.page(f"/studio/services/{SERVICE}/versions/{number}")
    assert "pickup_note" in new_page
    element, after = _inline_form(analyst.page(f"/studio/services/{SERVICE}/versions/{number}/diagram.bpmn"), STEP)
    assert element.get(CAMUNDA + "formKey") is None
    assert [f.name for f in after.fields] == [*(f.name for f in before.fields), "pickup_note"]
    added = after.field("pickup_note")
    assert (added.type, added.required, added.max_length) == (FieldType.TEXTAREA, True, 300)
    assert added.label.get("en") == "Note for the pickup"
    for field in before.fields:
        assert after.field(field.name) == field


def test_a_choice_without_options_is_reported_naming_the_field_and_nothing_is_saved(browser: Any) -> None:
    analyst = browser("analyst")
    data = _posted(analyst.page(EDITOR))
    blank = int(data["rows"]) - 1
    data.update(
        {f"name-{blank}": "pickup_kind", f"type-{blank}": "choice", f"label_uk-{blank}": "Як", "action": "save"}
    )
    reply = analyst.post(EDITOR, data, token_from=EDITOR)
    assert reply.status_code == 400
    page = html.unescape(reply.get_data(as_text=True))
    assert "field 'pickup_kind': choice field has no options" in page
    assert analyst.client.get(f"/studio/services/{SERVICE}/versions/2").status_code == 404


def test_a_step_without_a_form_starts_empty_and_can_get_fields(browser: Any) -> None:
    analyst = browser("analyst")
    reply = analyst.post(
        "/studio/services/new", {"process_id": "inline_demo", "title": "Нова послуга"}, token_from="/studio/"
    )
    number = _new_version(reply)
    editor = f"/studio/services/inline_demo/versions/{number}/steps/start/form"
    data = _posted(analyst.page(editor))
    assert data["rows"] == "1" and data["name-0"] == ""
    data.update({"name-0": "full_name", "label_uk-0": "ПІБ", "action": "save"})
    saved = _new_version(analyst.post(editor, data, token_from=editor))
    _element, form = _inline_form(analyst.page(f"/studio/services/inline_demo/versions/{saved}/diagram.bpmn"), "start")
    assert [f.name for f in form.fields] == ["full_name"]


def test_only_analysts_edit_fields_and_the_form_needs_its_csrf_token(browser: Any) -> None:
    assert browser("citizen").client.get(EDITOR).status_code == 403
    assert browser("official").client.get(EDITOR).status_code == 403
    analyst = browser("analyst")
    data = _posted(analyst.page(EDITOR))
    assert analyst.client.post(EDITOR, data={**data, "action": "save"}).status_code == 400
    assert analyst.client.get(f"/studio/services/{SERVICE}/versions/2").status_code == 404
    assert analyst.client.get(f"{BASE}/steps/no_such_step/form").status_code == 404
