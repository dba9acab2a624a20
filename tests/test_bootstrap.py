"""The set-up finds Odoo in every form ODOO_SOURCE may take, and refuses what is not Odoo 18."""

import io
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import bootstrap  # noqa: E402


def fake_odoo(root, major=18, with_addons_beside=False):
    """A tree with the bare shape of an Odoo source: odoo/release.py and one addon."""
    package = root / "odoo"
    (package / "addons" / "base").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "release.py").write_text(f"version_info = ({major}, 0, 0, 'final', 0, '')\n")
    (package / "addons" / "base" / "__manifest__.py").write_text("{'name': 'Base'}\n")
    if with_addons_beside:
        (root / "addons" / "web").mkdir(parents=True)
        (root / "addons" / "web" / "__manifest__.py").write_text("{'name': 'Web'}\n")
    return root


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CONNECTORS_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("ODOO_SOURCE", raising=False)
    return tmp_path / "cache"


def test_package_only_tree(tmp_path, cache, monkeypatch):
    source = fake_odoo(tmp_path / "dump")
    monkeypatch.setenv("ODOO_SOURCE", str(source))
    target = bootstrap.ensure_odoo(cache)
    assert (target / "odoo" / "release.py").is_file()
    assert (target / "SOURCE").read_text().strip() == str(source)
    assert bootstrap.odoo_addons_paths(target) == [target / "odoo" / "addons"]


def test_git_checkout_keeps_the_addons_beside_the_package(tmp_path, cache, monkeypatch):
    source = fake_odoo(tmp_path / "checkout", with_addons_beside=True)
    monkeypatch.setenv("ODOO_SOURCE", str(source))
    target = bootstrap.ensure_odoo(cache)
    assert bootstrap.odoo_addons_paths(target) == [target / "addons", target / "odoo" / "addons"]
    assert (target / "addons" / "web" / "__manifest__.py").is_file()


def test_nightly_archive_with_a_top_folder(tmp_path, cache, monkeypatch):
    tree = fake_odoo(tmp_path / "odoo-18.0.post20250701")
    archive = tmp_path / "odoo_18.0.latest.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(tree, arcname=tree.name)
    monkeypatch.setenv("ODOO_SOURCE", str(archive))
    target = bootstrap.ensure_odoo(cache)
    assert (target / "odoo" / "addons" / "base" / "__manifest__.py").is_file()


def test_zip_archive(tmp_path, cache, monkeypatch):
    tree = fake_odoo(tmp_path / "src")
    archive = tmp_path / "odoo.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in tree.rglob("*"):
            zf.write(path, path.relative_to(tmp_path))
    monkeypatch.setenv("ODOO_SOURCE", str(archive))
    assert (bootstrap.ensure_odoo(cache) / "odoo" / "release.py").is_file()


def test_installed_odoo_is_reused_without_the_variable(tmp_path, cache, monkeypatch):
    source = fake_odoo(tmp_path / "dump")
    monkeypatch.setenv("ODOO_SOURCE", str(source))
    target = bootstrap.ensure_odoo(cache)
    (target / "marker").write_text("kept")
    monkeypatch.delenv("ODOO_SOURCE")
    assert bootstrap.ensure_odoo(cache) == target
    assert (target / "marker").read_text() == "kept"


def test_another_source_replaces_the_installed_one(tmp_path, cache, monkeypatch):
    monkeypatch.setenv("ODOO_SOURCE", str(fake_odoo(tmp_path / "one")))
    target = bootstrap.ensure_odoo(cache)
    (target / "marker").write_text("old")
    second = fake_odoo(tmp_path / "two", with_addons_beside=True)
    monkeypatch.setenv("ODOO_SOURCE", str(second))
    assert bootstrap.ensure_odoo(cache) == target
    assert not (target / "marker").exists()
    assert (target / "SOURCE").read_text().strip() == str(second)


@pytest.mark.parametrize(
    "make_source, reason",
    [
        (lambda tmp: tmp / "missing", "does not exist"),
        (lambda tmp: fake_odoo(tmp / "old", major=17), "holds Odoo 17, not 18.0"),
        (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", "holds no 'odoo' package"),
    ],
)
def test_no_odoo_names_odoo_source(tmp_path, cache, monkeypatch, make_source, reason):
    monkeypatch.setenv("ODOO_SOURCE", str(make_source(tmp_path)))
    with pytest.raises(bootstrap.SetupError) as caught:
        bootstrap.ensure_odoo(cache)
    assert reason in str(caught.value)
    assert "ODOO_SOURCE" in str(caught.value)
    assert not (cache / "odoo-18.0").exists()


def test_a_file_that_is_no_archive_is_refused(tmp_path, cache, monkeypatch):
    bogus = tmp_path / "odoo.tar.gz"
    bogus.write_bytes(b"not an archive")
    monkeypatch.setenv("ODOO_SOURCE", str(bogus))
    with pytest.raises(bootstrap.SetupError, match="neither a directory nor a tar or zip archive"):
        bootstrap.ensure_odoo(cache)


def test_unreachable_url_names_odoo_source(cache, monkeypatch):
    monkeypatch.setenv("ODOO_SOURCE", "http://127.0.0.1:9/odoo_18.0.latest.tar.gz")
    with pytest.raises(bootstrap.SetupError, match="could not download Odoo"):
        bootstrap.ensure_odoo(cache)


def test_archive_members_cannot_escape(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../outside.txt", "x")
    with pytest.raises(bootstrap.SetupError, match="points outside the archive"):
        bootstrap.safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "outside.txt").exists()


def test_tar_members_cannot_escape(tmp_path):
    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as tf:
        info = tarfile.TarInfo("../outside.txt")
        info.size = 1
        tf.addfile(info, io.BytesIO(b"x"))
    (tmp_path / "out").mkdir()
    with pytest.raises((bootstrap.SetupError, tarfile.TarError)):
        bootstrap.safe_extract(archive, tmp_path / "out")
    assert not (tmp_path / "outside.txt").exists()


def test_venvs_of_other_requirements_are_kept_while_in_use(tmp_path):
    """Two clones with different requirements share the cache: neither removes the other's venv."""
    import os
    import time

    def venv(name, days_unused):
        folder = tmp_path / f"venv-py3.11-abc-{name}"
        folder.mkdir()
        (folder / ".complete").write_text("ok\n")
        then = time.time() - days_unused * 86400
        os.utime(folder / ".complete", (then, then))
        return folder

    current, other_clone, forgotten = venv("new", 0), venv("other", 1), venv("old", 30)
    building = tmp_path / "venv-py3.11-abc-building"  # another set-up is installing into it
    building.mkdir()
    other_python = venv("x", 30).rename(tmp_path / "venv-py3.12-def-x")
    bootstrap.prune_venvs(tmp_path, "py3.11-abc", keep=current)
    assert current.exists() and other_clone.exists() and building.exists() and other_python.exists()
    assert not forgotten.exists()
