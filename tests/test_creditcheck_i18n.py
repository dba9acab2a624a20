"""creditcheck_semaphore's Czech translation covers every string, placeholders intact."""

import re
from pathlib import Path

import polib

ADDON = Path(__file__).resolve().parent.parent / "creditcheck_semaphore"
PLACEHOLDER = re.compile(r"%\(\w+\)s|%s")
CALL = re.compile(r'env\._\(\s*"((?:[^"\\]|\\.)*)"', re.S)


def test_czech_translates_every_template_string():
    template = polib.pofile(str(ADDON / "i18n" / "creditcheck_semaphore.pot"))
    czech = {entry.msgid: entry for entry in polib.pofile(str(ADDON / "i18n" / "cs.po"))}
    assert {entry.msgid for entry in template} == set(czech)
    for msgid, entry in czech.items():
        assert entry.msgstr.strip(), f"untranslated: {msgid!r}"
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(entry.msgstr)), msgid


def test_template_holds_every_message_of_the_code():
    template = {entry.msgid for entry in polib.pofile(str(ADDON / "i18n" / "creditcheck_semaphore.pot"))}
    found = set()
    for path in (ADDON / "models").glob("*.py"):
        found |= set(CALL.findall(path.read_text()))
    for path in (ADDON / "wizards").glob("*.py"):
        found |= set(CALL.findall(path.read_text()))
    assert found, "no translatable message found in the code"
    assert found <= template, sorted(found - template)
