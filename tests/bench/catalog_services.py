"""N valid services for the catalog figures: the shape of a demo diagram with an inline form (two pages, an
official step, a decision gateway, two end events), with varied titles, organisations and categories.

Stand-in until `tests/fixtures/catalog/generate.py` (`write_services(folder, count, seed)`) is merged: the bench
calls only `write_services` below, so swapping it for that one is a one-line change in tests/bench/catalog.py.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from xml.sax.saxutils import quoteattr

from engine.paths import PROJECT_ROOT

DIRECTORY = PROJECT_ROOT / "engine" / "demo" / "directory.json"
CATEGORIES = (
    "Довідки",
    "Соціальний захист",
    "Земельні відносини",
    "Будівництво та архітектура",
    "Реєстрація місця проживання",
    "Транспорт",
    "Освіта",
    "Підприємництво",
    "Екологія",
    "Житлово-комунальне господарство",
)
SUBJECTS = (
    "довідки про склад сім'ї",
    "дозволу на розміщення",
    "висновку щодо",
    "витягу з реєстру",
    "погодження проєкту",
    "компенсації витрат",
    "талону на обслуговування",
    "посвідчення",
    "направлення",
    "рішення про надання",
)
OBJECTS = (
    "житлового приміщення",
    "земельної ділянки",
    "тимчасової споруди",
    "соціальної допомоги",
    "зовнішньої реклами",
    "місця у закладі освіти",
    "перевезень",
    "вирубки зелених насаджень",
    "ремонту під'їзду",
    "паркування",
)
AVAILABILITY = ("online", "online", "online", "soon", "in_work")

FIELD = """          <camunda:formField id="{id}" label={label} type="{type}">
            <camunda:properties>
              <camunda:property id="label_en" value={label_en} />
              <camunda:property id="page" value="{page}" />
              <camunda:property id="page_title" value={page_title} />
            </camunda:properties>
            <camunda:validation>{validation}</camunda:validation>{values}
          </camunda:formField>"""

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
id="Definitions_{pid}" targetNamespace="https://posluhy.test/bench/{pid}">
  <bpmn:process id="{pid}" name={title} isExecutable="true">
    <bpmn:documentation>{documentation}</bpmn:documentation>
    <bpmn:extensionElements>
      <camunda:properties>
        <camunda:property name="category" value={category} />
        <camunda:property name="organisation" value="{organisation}" />
        <camunda:property name="sla_days" value="{sla}" />
        <camunda:property name="availability" value="{availability}" />
        <camunda:property name="title_en" value={title_en} />
      </camunda:properties>
    </bpmn:extensionElements>
    <bpmn:startEvent id="start_application" name="Заяву подано">
      <bpmn:extensionElements>
        <camunda:formData>
{start_fields}
        </camunda:formData>
      </bpmn:extensionElements>
    </bpmn:startEvent>
    <bpmn:userTask id="review" name="Розгляд заяви" camunda:candidateGroups="{group}">
      <bpmn:extensionElements>
        <camunda:formData>
          <camunda:formField id="applicant_view" label="Заявник" type="display">
            <camunda:properties><camunda:property id="label_en" value="Applicant" />\
<camunda:property id="source" value="last_name" /></camunda:properties>
          </camunda:formField>
          <camunda:formField id="decision" label="Рішення" type="enum">
            <camunda:properties><camunda:property id="label_en" value="Decision" /></camunda:properties>
            <camunda:validation><camunda:constraint name="required" /></camunda:validation>
            <camunda:value id="accept" name="Надати" />
            <camunda:value id="reject" name="Відмовити" />
          </camunda:formField>
        </camunda:formData>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="gw_decision" name="Рішення?" default="flow_reject" />
    <bpmn:endEvent id="end_granted" name="Надано" />
    <bpmn:endEvent id="end_refused" name="Відмовлено" />
    <bpmn:sequenceFlow id="flow_start_review" sourceRef="start_application" targetRef="review" />
    <bpmn:sequenceFlow id="flow_review_gw" sourceRef="review" targetRef="gw_decision" />
    <bpmn:sequenceFlow id="flow_accept" sourceRef="gw_decision" targetRef="end_granted">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">decision == "accept"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="flow_reject" sourceRef="gw_decision" targetRef="end_refused" />
  </bpmn:process>
</bpmn:definitions>
"""


def _field(
    name: str, label: str, label_en: str, kind: str, page: int, *, required: bool = True, options: tuple[str, ...] = ()
) -> str:
    rules = ['<camunda:constraint name="required" />'] if required else []
    if kind == "string":
        rules.append('<camunda:constraint name="maxlength" config="200" />')
    values = "".join(f'\n            <camunda:value id="{o}" name="{o.capitalize()}" />' for o in options)
    return FIELD.format(
        id=name,
        label=quoteattr(label),
        type=kind,
        label_en=quoteattr(label_en),
        page=page,
        page_title=quoteattr("Заявник" if page == 1 else "Деталі звернення"),
        validation="".join(rules),
        values=values,
    )


START_FIELDS = "\n".join(
    (
        _field("last_name", "Прізвище", "Surname", "string", 1),
        _field("first_name", "Ім'я", "First name", "string", 1),
        _field("phone", "Телефон", "Phone", "phone", 1, required=False),
        _field("address", "Адреса", "Address", "string", 2),
        _field("kind", "Вид звернення", "Kind of request", "enum", 2, options=("first", "repeat", "change")),
        _field("comment", "Коментар", "Comment", "textarea", 2, required=False),
    )
)


def _organisations() -> list[tuple[str, str]]:
    """(organisation slug, its first non-supervisor group) for every demo organisation."""
    found = []
    for organisation in json.loads(DIRECTORY.read_text(encoding="utf-8"))["organisations"]:
        group = next(g["slug"] for g in organisation["groups"] if not g.get("supervisor"))
        found.append((organisation["slug"], group))
    return found


def write_services(folder: Path, count: int, seed: int) -> None:
    """Write `count` valid services as `folder/<process id>/<process id>.bpmn` (inline forms, no form files)."""
    rng = random.Random(seed)
    organisations = _organisations()
    for number in range(1, count + 1):
        pid = f"bench_service_{number:04d}"
        organisation, group = organisations[rng.randrange(len(organisations))]
        title = f"Видача {rng.choice(SUBJECTS)} {rng.choice(OBJECTS)} № {number}"
        path = folder / pid / f"{pid}.bpmn"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            DIAGRAM.format(
                pid=pid,
                title=quoteattr(title),
                documentation=f"**{title}.** Послуга для перевірки каталогу: {rng.randint(1, 30)} робочих днів.",
                category=quoteattr(rng.choice(CATEGORIES)),
                organisation=organisation,
                sla=rng.randint(1, 30),
                availability=rng.choice(AVAILABILITY),
                title_en=quoteattr(f"Bench service number {number}"),
                start_fields=START_FIELDS,
                group=group,
            ),
            encoding="utf-8",
        )
