"""The events catalog: the committed file when usable, else generated; what the events page shows of it."""

from __future__ import annotations

import os

from gateway.docs.events import EventsCatalog, catalog_page, code_spans

CATALOG = """\
asyncapi: 2.6.0
info:
  title: Test events
  version: 1.0.0
channels:
  crm.events: {}
components:
  messages:
    customer.account.created.v1:
      name: customer.account.created
      title: crm.customer.account.created
      summary: An account was created.
      payload:
        allOf:
        - $ref: '#/components/schemas/CloudEvent'
        - properties:
            data:
              $ref: '#/components/schemas/customer.account.created.v1'
      examples:
      - name: example
        payload:
          time: 2026-11-23T09:30:00Z
          dataschema: urn:crm:events:customer.account.created:v1
          data: {id: a1}
  schemas:
    customer.account.created.v1:
      type: object
      required: [id]
"""


class Generator:
    """Stands in for crmkit's generator, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return "asyncapi: 2.6.0\n", {"asyncapi": "2.6.0"}


def test_serves_the_file_as_it_is(tmp_path):
    path = tmp_path / "asyncapi.yaml"
    path.write_text(CATALOG)
    generator = Generator()
    catalog = EventsCatalog(path, generate=generator)
    assert catalog.yaml_text() == CATALOG
    assert catalog.document()["info"]["title"] == "Test events"
    assert generator.calls == 0


def test_times_in_the_file_stay_strings(tmp_path):
    path = tmp_path / "asyncapi.yaml"
    path.write_text(CATALOG)
    example = EventsCatalog(path).document()["components"]["messages"]["customer.account.created.v1"][
        "examples"
    ][0]
    assert example["payload"]["time"] == "2026-11-23T09:30:00Z"


def test_reads_the_file_again_when_it_changes(tmp_path):
    path = tmp_path / "asyncapi.yaml"
    path.write_text(CATALOG)
    catalog = EventsCatalog(path, generate=Generator())
    catalog.document()
    path.write_text(CATALOG.replace("Test events", "Changed events"))
    os.utime(path, ns=(1, 1))
    assert catalog.document()["info"]["title"] == "Changed events"


def test_generates_the_catalog_once_when_there_is_no_file(tmp_path):
    generator = Generator()
    catalog = EventsCatalog(tmp_path / "missing.yaml", generate=generator)
    assert catalog.yaml_text() == "asyncapi: 2.6.0\n"
    assert catalog.document() == {"asyncapi": "2.6.0"}
    assert generator.calls == 1
    assert EventsCatalog(None, generate=generator).document() == {"asyncapi": "2.6.0"}


def test_generates_the_catalog_when_the_file_is_broken(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("asyncapi: [unclosed\n")
    not_asyncapi = tmp_path / "list.yaml"
    not_asyncapi.write_text("- a\n- list\n")
    for path in (broken, not_asyncapi):
        assert EventsCatalog(path, generate=Generator()).document() == {"asyncapi": "2.6.0"}


def test_the_page_lists_each_message_with_its_keys_schema_and_example(tmp_path):
    path = tmp_path / "asyncapi.yaml"
    path.write_text(CATALOG)
    page = catalog_page(EventsCatalog(path).document())
    assert (page.title, page.exchange) == ("Test events", "crm.events")
    (message,) = page.messages
    assert (message.name, message.routing_key, message.type) == (
        "customer.account.created.v1",
        "customer.account.created",
        "crm.customer.account.created",
    )
    assert message.dataschema == "urn:crm:events:customer.account.created:v1"
    assert '"required": [\n    "id"\n  ]' in message.schema
    assert '"data": {\n    "id": "a1"\n  }' in message.example
    assert (page.example_pattern, page.example_queue) == ("customer.account.*", "reporting.customer-events")


def test_the_page_tolerates_a_sparse_document():
    page = catalog_page(
        {"asyncapi": "2.6.0", "components": {"messages": {"sales.lead.won.v2": {}, "odd": "x"}}}
    )
    assert page.exchange == "crm.events"
    won, odd = page.messages
    assert (won.routing_key, won.dataschema, won.schema) == (
        "sales.lead.won",
        "urn:crm:events:sales.lead.won:v2",
        "{}",
    )
    assert odd.routing_key == "odd"


def test_backticked_parts_become_code_after_everything_was_escaped():
    assert str(code_spans("run `<b>` & <i>see</i> `x`")) == (
        "run <code>&lt;b&gt;</code> &amp; &lt;i&gt;see&lt;/i&gt; <code>x</code>"
    )
