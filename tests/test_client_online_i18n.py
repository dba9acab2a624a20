"""client_online_connector's Dutch translation covers every string of its template, placeholders intact."""

import ast
import re
from pathlib import Path

import polib
import pytest

I18N = Path(__file__).resolve().parent.parent / "client_online_connector" / "i18n"
ADDON = I18N.parent
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s")


@pytest.fixture(scope="module")
def nl():
    return {entry.msgid: entry for entry in polib.pofile(str(I18N / "nl.po"))}


def test_every_template_string_is_translated(nl):
    template = polib.pofile(str(I18N / "client_online_connector.pot"))
    missing = [entry.msgid for entry in template if not (nl.get(entry.msgid) and nl[entry.msgid].msgstr)]
    assert not missing, f"untranslated: {missing}"


def test_placeholders_survive(nl):
    for msgid, entry in nl.items():
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(entry.msgstr)), msgid


def marked_strings(source):
    """First arguments of ``_("...")`` and ``self.env._("...")`` calls (implicit concatenation joined)."""
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
            continue
        func = node.func
        if (isinstance(func, ast.Name) and func.id == "_") or (isinstance(func, ast.Attribute) and func.attr == "_"):
            if isinstance(node.args[0].value, str):
                yield node.args[0].value


def test_template_holds_every_python_string():
    """A string marked with self.env._() in the code but missing from the template would stay English."""
    template = {entry.msgid for entry in polib.pofile(str(I18N / "client_online_connector.pot"))}
    marked = set()
    for path in ADDON.rglob("*.py"):
        if "tests" not in path.parts:
            marked |= set(marked_strings(path.read_text()))
    assert len(marked) > 100
    missing = sorted(marked - template)
    assert not missing, f"not in client_online_connector.pot: {missing}"


def test_every_entry_names_its_module():
    """Odoo loads a language only from entries that say which module they belong to."""
    for entry in polib.pofile(str(I18N / "nl.po")):
        assert "module: client_online_connector" in entry.comment, entry.msgid
