"""The studio in a real browser: rename a task in the bpmn-js modeler and save; edit a form and watch the preview."""

from __future__ import annotations

from typing import Any

SERVICE = "family_composition_certificate"
TASK = "prepare_certificate"
NEW_NAME = "Certificate prepared by the clerk"


def test_renaming_a_task_in_the_modeler_saves_a_new_draft_with_the_name(browser_page: Any) -> None:
    page = browser_page
    page.goto(f"/studio/services/{SERVICE}/versions/1/modeler")
    page.wait_for_selector("#diagram[data-ready=true]")
    assert page.locator(".bjs-powered-by").is_visible()  # the bpmn.io watermark, a licence condition

    page.locator(f'.djs-element[data-element-id="{TASK}"]').dblclick()
    editor = page.locator(".djs-direct-editing-parent")
    editor.wait_for(state="visible")
    page.keyboard.press("Control+A")
    page.keyboard.type(NEW_NAME)
    page.locator("#diagram svg").first.click(position={"x": 5, "y": 5})  # clicking the canvas ends the editing
    page.wait_for_selector(".djs-direct-editing-parent", state="hidden")

    page.click("#save-diagram")
    page.wait_for_url(f"**/studio/services/{SERVICE}/versions/2")
    assert "Saved as draft version 2." in page.content()
    assert page.locator(f'#step-{TASK} input[name="name"]').input_value() == NEW_NAME
    xml = page.request.get(f"/studio/services/{SERVICE}/versions/2/diagram.bpmn").text()
    assert f'name="{NEW_NAME}"' in xml
    original = page.request.get(f"/studio/services/{SERVICE}/versions/1/diagram.bpmn").text()
    assert NEW_NAME not in original
    page.wait_for_selector("#diagram[data-ready=true]")  # the version page draws the saved diagram too


def test_changing_a_field_label_updates_the_form_preview(browser_page: Any) -> None:
    page = browser_page
    page.goto("/studio/forms/housing_subsidy_application")  # the pages are in English, so is the preview
    preview = page.locator("#form-preview")
    assert preview.locator("label[for=field-last_name]").inner_text() == "Surname"

    label = page.locator('input[name="label_en-0"]')
    assert label.input_value() == "Surname"
    label.fill("Surname as in the passport")
    preview.locator("label[for=field-last_name]", has_text="Surname as in the passport").wait_for()
    assert preview.locator("label[for=field-last_name]").inner_text() == "Surname as in the passport"
    assert page.locator("#form-preview").get_attribute("data-updated") is not None  # fetched, not reloaded
