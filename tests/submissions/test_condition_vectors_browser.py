"""The shared condition vectors against the page's engine (static/js/formengine.js) in headless Chromium.

The server's engine runs the same file (test_condition_vectors.py); the page reads the spec the server hands it
(render_spec), so both engines see one schema the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from submissions.formschema import render_spec
from tests.submissions.test_condition_vectors import VECTORS

pytestmark = pytest.mark.browser
ENGINE = Path(settings.BASE_DIR) / "static" / "js" / "formengine.js"


def test_the_page_engine_shows_what_every_vector_expects(browser: Any) -> None:
    page = browser.new_page()
    page.set_content("<!doctype html><title>engine</title>")
    page.add_script_tag(content=ENGINE.read_text())
    cases = [{"spec": render_spec(vector["schema"]), "data": vector["data"]} for vector in VECTORS]

    shown = page.evaluate(
        """(cases) => cases.map(({spec, data}) => {
             const result = FormEngine.visibility(spec, data);
             return {sections: [...result.sections].sort(), fields: [...result.fields].sort()};
           })""",
        cases,
    )

    assert len(shown) == len(VECTORS) > 20
    for vector, result in zip(VECTORS, shown, strict=True):
        assert result == vector["visible"], vector["name"]


def test_the_page_engine_keeps_no_value_of_a_hidden_field(browser: Any) -> None:
    """What the page sends is the engine's data: a hidden field's answer is dropped, as the server drops it."""
    vector = next(v for v in VECTORS if v["name"] == "equals true hides on false")
    page = browser.new_page()
    page.set_content("<!doctype html><title>engine</title>")
    page.add_script_tag(content=ENGINE.read_text())
    data = {**vector["data"], "pep_role": "Minister"}

    kept = page.evaluate(
        "([spec, data]) => FormEngine.visibility(spec, data).data", [render_spec(vector["schema"]), data]
    )

    assert kept == {"is_pep": False}
