"""``pip install .`` installs the four addons as ``odoo.addons.<name>``, where Odoo finds them.

Odoo 18 collects addons from every ``odoo/addons`` folder on ``sys.path``, so
an installed addon needs no entry in ``--addons-path``.  Odoo itself is not a
dependency here: it is not on the package index; see the README.
"""

import ast
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent
ADDONS = ["kvk_connector", "creditcheck_semaphore", "social_debt", "client_online_connector"]
DATA_SUFFIXES = {".xml", ".csv", ".sql", ".po", ".pot", ".js", ".scss", ".css", ".png", ".svg", ".xsd", ".wsdl",
                 ".md", ".rst", ".json", ".xbrl", ".zip", ".txt", ".html", ".rng"}  # fmt: skip


def addon_packages():
    packages, package_dir, package_data = [], {}, {}
    for addon in ADDONS:
        for init in sorted((ROOT / addon).rglob("__init__.py")):
            folder = init.parent
            relative = folder.relative_to(ROOT)
            name = "odoo.addons." + ".".join(relative.parts)
            packages.append(name)
            package_dir[name] = str(relative)
        files = [
            str(path.relative_to(ROOT / addon))
            for path in (ROOT / addon).rglob("*")
            if path.is_file() and path.suffix in DATA_SUFFIXES
        ]
        package_data["odoo.addons." + addon] = files
    return packages, package_dir, package_data


def runtime_requirements():
    """The union of the addons' external Python dependencies (distribution names)."""
    names = set()
    for addon in ADDONS:
        manifest = ast.literal_eval((ROOT / addon / "__manifest__.py").read_text())
        names.update(manifest.get("external_dependencies", {}).get("python", []))
    return sorted(names)


packages, package_dir, package_data = addon_packages()

setup(
    name="odoo-register-connectors",
    version="18.0.1.0.0",
    description="Odoo 18 connectors to the KvK Handelsregister, CreditCheck, RSZ/ONSS social debt and ClientOnline",
    license="LGPL-3.0-only",
    python_requires=">=3.10",
    packages=packages,
    package_dir=package_dir,
    package_data=package_data,
    install_requires=runtime_requirements(),
    zip_safe=False,
)
