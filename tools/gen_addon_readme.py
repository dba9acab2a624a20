#!/usr/bin/env python3
"""Write each addon's README.rst from its readme/*.md fragments (``--check``: only compare)."""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ["kvk_connector", "creditcheck_semaphore", "social_debt", "client_online_connector"]
SECTIONS = [("DESCRIPTION.md", None), ("CONFIGURE.md", "Configuration"), ("USAGE.md", "Usage")]


def md_to_rst(text):
    """The small Markdown the fragments use (paragraphs, lists, emphasis, code) as reStructuredText."""
    text = re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", text)
    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"`\1 <\2>`_", text).strip() + "\n"


def heading(title, char):
    return f"{title}\n{char * len(title)}\n"


def render(addon):
    folder = ROOT / addon
    manifest = ast.literal_eval((folder / "__manifest__.py").read_text())
    name = manifest["name"]
    parts = [f"{'=' * len(name)}\n{heading(name, '=')}", f"*{manifest['summary']}*\n"]
    parts.append(f"Version {manifest['version']}, license {manifest['license']}.\n")
    for fragment, title in SECTIONS:
        path = folder / "readme" / fragment
        if path.exists():
            if title:
                parts.append(heading(title, "-"))
            parts.append(md_to_rst(path.read_text()))
    return "\n".join(parts)


def main(argv):
    stale = []
    for addon in ADDONS:
        target = ROOT / addon / "README.rst"
        text = render(addon)
        if "--check" in argv:
            if not target.exists() or target.read_text() != text:
                stale.append(addon)
        else:
            target.write_text(text)
    for addon in stale:
        print(f"{addon}/README.rst is not up to date: run python tools/gen_addon_readme.py")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
