"""``pip install .`` puts the four addons where Odoo looks for them."""

import ast
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ["kvk_connector", "creditcheck_semaphore", "social_debt", "client_online_connector"]
RUNTIME = {"lxml", "phonenumbers", "pyarrow", "python-stdnum", "requests", "zeep"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel, built from a copy of the clone: building writes build/ and *.egg-info/ where it runs."""
    source = tmp_path_factory.mktemp("source") / "clone"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".git", "build", "*.egg-info", "__pycache__", "bench"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(source)],
        check=True,
    )
    (path,) = out.glob("*.whl")
    return zipfile.ZipFile(path)


@pytest.mark.parametrize("addon", ADDONS)
def test_wheel_holds_each_addon_under_odoo_addons(wheel, addon):
    names = set(wheel.namelist())
    for relative in ["__init__.py", "__manifest__.py", "static/description/icon.png", "data/neutralize.sql"]:
        assert f"odoo/addons/{addon}/{relative}" in names
    source_files = {
        path.relative_to(ROOT / addon).as_posix()
        for path in (ROOT / addon).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    packaged = {name.split(f"odoo/addons/{addon}/", 1)[1] for name in names if name.startswith(f"odoo/addons/{addon}/")}
    assert source_files <= packaged, f"files left out of the wheel: {sorted(source_files - packaged)}"


def test_wheel_does_not_shadow_odoo(wheel):
    names = wheel.namelist()
    assert "odoo/__init__.py" not in names
    assert "odoo/addons/__init__.py" not in names
    assert not any(name.startswith(("sandbox/", "tests/", "bench/", "tools/")) for name in names)


def test_wheel_requires_the_runtime_libraries(wheel):
    (metadata,) = [name for name in wheel.namelist() if name.endswith(".dist-info/METADATA")]
    requires = {
        line.split(":", 1)[1].strip().split()[0]
        for line in wheel.read(metadata).decode().splitlines()
        if line.startswith("Requires-Dist:")
    }
    assert requires == RUNTIME


@pytest.mark.parametrize("addon", ADDONS)
def test_manifest(addon):
    manifest = ast.literal_eval((ROOT / addon / "__manifest__.py").read_text())
    assert manifest["version"].startswith("18.0.") and len(manifest["version"].split(".")) == 5
    assert manifest["license"] == "LGPL-3"
    assert manifest["installable"] is True
    for relative in manifest.get("data", []) + manifest.get("demo", []):
        assert (ROOT / addon / relative).is_file(), f"{addon}: {relative} is listed but missing"


def test_addon_readmes_are_generated_from_their_fragments():
    check = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_addon_readme.py"), "--check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout
