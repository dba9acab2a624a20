"""Each addon's translations cover every string of its template, placeholders intact, and every
string the code marks for translation is in the template."""

import ast
import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s")

# addon -> (its languages, the least number of marked strings its code holds)
ADDONS = {
    "kvk_connector": (["nl"], 50),
    "creditcheck_semaphore": (["cs"], 50),
    "social_debt": (["nl", "fr"], 40),
    "client_online_connector": (["nl"], 100),
}
LANGUAGES = [(addon, language) for addon, (languages, _least) in ADDONS.items() for language in languages]


def template(addon):
    return polib.pofile(str(ROOT / addon / "i18n" / f"{addon}.pot"))


@pytest.mark.parametrize(("addon", "language"), LANGUAGES)
def test_every_template_string_is_translated_with_its_placeholders(addon, language):
    po = polib.pofile(str(ROOT / addon / "i18n" / f"{language}.po"))
    translated = {entry.msgid: entry for entry in po}
    assert {entry.msgid for entry in template(addon)} == set(translated)
    for msgid, entry in translated.items():
        assert entry.msgstr.strip(), f"untranslated in {language}: {msgid!r}"
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(entry.msgstr)), msgid


@pytest.mark.parametrize(("addon", "name"), [*((addon, f"{addon}.pot") for addon in ADDONS), *((a, f"{l}.po") for a, l in LANGUAGES)])
def test_every_entry_names_its_module(addon, name):
    """Odoo's .po reader takes an entry's module from its ``#. module:`` comment; an entry without
    one stops the activation of the language with a traceback."""
    entries = polib.pofile(str(ROOT / addon / "i18n" / name))
    assert len(entries) > 50
    nameless = [entry.msgid for entry in entries if f"module: {addon}" not in entry.comment.splitlines()]
    assert not nameless, f"entries without '#. module: {addon}': {nameless}"


def marked_strings(path):
    """First arguments of ``_("...")`` and ``self.env._("...")`` calls (implicit concatenation joined);
    an ``env._()`` of anything but a literal cannot be extracted and fails."""
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        func = node.func
        is_env = isinstance(func, ast.Attribute) and func.attr == "_" and getattr(func.value, "attr", None) == "env"
        if is_env:
            assert isinstance(node.args[0], ast.Constant), f"{path.name}:{node.lineno}: env._() of a non-literal"
        if not isinstance(node.args[0], ast.Constant):
            continue
        if (isinstance(func, ast.Name) and func.id == "_") or (isinstance(func, ast.Attribute) and func.attr == "_"):
            if isinstance(node.args[0].value, str):
                yield node.args[0].value


@pytest.mark.parametrize("addon", ADDONS)
def test_template_holds_every_python_string(addon):
    """A string marked with self.env._() in the code but missing from the template would stay English."""
    marked = set()
    for path in (ROOT / addon).rglob("*.py"):
        if "tests" not in path.parts:
            marked |= set(marked_strings(path))
    assert len(marked) > ADDONS[addon][1]
    missing = sorted(marked - {entry.msgid for entry in template(addon)})
    assert not missing, f"not in {addon}.pot: {missing}"
