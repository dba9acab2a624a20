"""social_debt's Dutch and French translations cover every string of its template, placeholders intact."""

import ast
import re
from pathlib import Path

import polib
import pytest

ADDON = Path(__file__).resolve().parent.parent / "social_debt"
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s")


@pytest.fixture(scope="module")
def template():
    return polib.pofile(str(ADDON / "i18n" / "social_debt.pot"))


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_every_template_string_is_translated_with_its_placeholders(template, language):
    po = polib.pofile(str(ADDON / "i18n" / f"{language}.po"))
    assert po.metadata["Language"] == language
    translated = {entry.msgid: entry for entry in po}
    assert {entry.msgid for entry in template} == set(translated)
    for msgid, entry in translated.items():
        assert entry.msgstr.strip(), f"untranslated in {language}: {msgid!r}"
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(entry.msgstr)), msgid
        assert "module: social_debt" in entry.comment, f"{msgid!r} has no module comment: Odoo would not load it"


def marked_strings(source):
    """First arguments of ``self.env._("...")`` and ``env._("...")`` calls."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "_":
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                yield node.args[0].value


def test_template_holds_every_message_of_the_code(template):
    found = set()
    for path in ADDON.rglob("*.py"):
        if "tests" not in path.parts:
            found |= set(marked_strings(path.read_text()))
    assert len(found) > 40
    missing = sorted(found - {entry.msgid for entry in template})
    assert not missing, f"not in social_debt.pot: {missing}"
