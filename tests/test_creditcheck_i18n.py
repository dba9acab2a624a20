"""creditcheck_semaphore's Czech translation covers every string, placeholders intact."""

import ast
import re
from pathlib import Path

import polib

ADDON = Path(__file__).resolve().parent.parent / "creditcheck_semaphore"
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s")


def test_czech_translates_every_template_string():
    template = polib.pofile(str(ADDON / "i18n" / "creditcheck_semaphore.pot"))
    czech = {entry.msgid: entry for entry in polib.pofile(str(ADDON / "i18n" / "cs.po"))}
    assert {entry.msgid for entry in template} == set(czech)
    for msgid, entry in czech.items():
        assert entry.msgstr.strip(), f"untranslated: {msgid!r}"
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(entry.msgstr)), msgid


def _messages(path):
    """The first arguments of the ``env._(...)`` calls of a Python file (literals joined as Python joins them)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "_"
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr == "env"
            and node.args
        ):
            first = node.args[0]
            assert isinstance(first, ast.Constant), f"{path.name}:{node.lineno}: env._() of a non-literal"
            found.add(first.value)
    return found


def test_template_holds_every_message_of_the_code():
    template = {entry.msgid for entry in polib.pofile(str(ADDON / "i18n" / "creditcheck_semaphore.pot"))}
    found = set()
    for folder in ("models", "wizards", "controllers"):
        for path in (ADDON / folder).glob("*.py"):
            found |= _messages(path)
    assert found, "no translatable message found in the code"
    assert found <= template, sorted(found - template)
