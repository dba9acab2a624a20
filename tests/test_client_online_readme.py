"""client_online_connector is an application: Odoo's Apps page shows its static/description/index.html
(not its README).  That page is the README.rst (built from readme/*.md) in HTML, and stays so.

    python tests/test_client_online_readme.py    # writes index.html again after README.rst changed
"""

from pathlib import Path

from docutils.core import publish_parts

ADDON = Path(__file__).resolve().parent.parent / "client_online_connector"
INDEX = ADDON / "static" / "description" / "index.html"
SETTINGS = {"embed_stylesheet": False, "doctitle_xform": False, "file_insertion_enabled": False, "raw_enabled": False}


def render():
    """README.rst as the HTML body the Apps page shows."""
    source = (ADDON / "README.rst").read_text()
    return publish_parts(source, writer_name="html", settings_overrides=SETTINGS)["body"]


def test_the_apps_page_is_the_readme():
    assert INDEX.read_text() == render(), "run: python tests/test_client_online_readme.py"


if __name__ == "__main__":
    INDEX.write_text(render())
    print(f"written {INDEX}")
