"""The ClientOnline folder scan and moves, without Odoo: index keys, settling, refusals, atomic moves."""

import hashlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from addon_clients import load_clients

clients = load_clients("client_online_connector")
folder = clients.folder
EXTENSIONS = (".pdf", ".xbrl")


def write(path, content, age=120):
    path.write_bytes(content)
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def later(seconds=60):
    """The scan's clock some time on (the files' change time cannot be set back)."""
    return time.time() + seconds


def known_of(result, before=None):
    index = dict(before or {})
    for seen in result.changed:
        index[seen.name] = clients.Known(seen.key, seen.state, seen.reason_code)
    return index


@pytest.fixture
def no_reading(monkeypatch):
    """The scan must not read files: opening one from the folder module fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"the scan opened {args[0]}")

    monkeypatch.setattr(folder, "open", refuse, raising=False)


def test_a_scan_stats_and_never_reads(tmp_path, no_reading):
    write(tmp_path / "1_a.pdf", b"%PDF-a")
    write(tmp_path / "b.xbrl", b"<x/>")
    write(tmp_path / "notes.txt", b"ignored")
    write(tmp_path / ".hidden.pdf", b"ignored")
    (tmp_path / "sub.pdf").mkdir()
    first = folder.scan(str(tmp_path), {}, EXTENSIONS, settle_seconds=10, now=later())
    assert {s.name: (s.state, s.size) for s in first.changed} == {"1_a.pdf": ("new", 6), "b.xbrl": ("new", 4)}
    assert first.present == {"1_a.pdf", "b.xbrl"}
    index = known_of(first)
    again = folder.scan(str(tmp_path), index, EXTENSIONS, settle_seconds=10, now=later())
    assert again.changed == []
    write(tmp_path / "b.xbrl", b"<changed/>")
    third = folder.scan(str(tmp_path), index, EXTENSIONS, settle_seconds=10, now=later())
    assert [(s.name, s.state) for s in third.changed] == [("b.xbrl", "new")]


def test_read_stable_reads_once_and_refuses_a_moving_file(tmp_path):
    path = write(tmp_path / "1_a.pdf", b"%PDF-a")
    key = folder.stat_key(os.stat(path))
    content, digest = folder.read_stable(str(path), key)
    assert content == b"%PDF-a" and digest == hashlib.sha256(b"%PDF-a").hexdigest()
    with pytest.raises(clients.FolderError) as caught:
        folder.read_stable(str(path), key, max_size=3)
    assert caught.value.code == "too_large"
    write(path, b"%PDF-b, longer now")
    with pytest.raises(clients.FolderError) as caught:
        folder.read_stable(str(path), key)
    assert caught.value.code == "changed"
    with pytest.raises(clients.FolderError) as caught:
        folder.read_stable(str(tmp_path / "gone.pdf"), key)
    assert caught.value.code == "unreadable"


def test_a_file_being_written_settles_first(tmp_path, no_reading):
    path = write(tmp_path / "1_busy.pdf", b"%PDF-part", age=7200)  # a copy that keeps an old modification time
    first = folder.scan(str(tmp_path), {}, EXTENSIONS, settle_seconds=10)
    assert [(s.name, s.state) for s in first.changed] == [("1_busy.pdf", "settling")]
    assert first.settling == 1
    index = known_of(first)
    assert folder.scan(str(tmp_path), index, EXTENSIONS, settle_seconds=10).changed == []  # same key, still young
    with open(path, "ab") as handle:
        handle.write(b" more")
    grown = folder.scan(str(tmp_path), index, EXTENSIONS, settle_seconds=10)
    assert [s.state for s in grown.changed] == ["settling"] and grown.changed[0].size == len(b"%PDF-part more")
    index = known_of(grown, index)
    done = folder.scan(str(tmp_path), index, EXTENSIONS, settle_seconds=10, now=later())
    assert [(s.name, s.state) for s in done.changed] == [("1_busy.pdf", "new")]


def test_refusals(tmp_path, no_reading):
    outside = tmp_path.parent / f"{tmp_path.name}-outside.pdf"
    outside.write_bytes(b"%PDF-secret")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "1_link.pdf").symlink_to(outside)
    (inbox / "1_dangling.pdf").symlink_to(tmp_path / "nothing")
    os.mkfifo(inbox / "1_pipe.pdf")
    write(inbox / "1_empty.pdf", b"")
    write(inbox / "1_big.pdf", b"%PDF-" + b"x" * 2000)
    result = folder.scan(str(inbox), {}, EXTENSIONS, settle_seconds=0, max_size=1000, now=later())
    by_name = {s.name: s for s in result.changed}
    assert {n: (s.state, s.reason_code) for n, s in by_name.items()} == {
        "1_link.pdf": ("refused", "symlink"),
        "1_dangling.pdf": ("refused", "symlink"),
        "1_pipe.pdf": ("refused", "not_regular"),
        "1_empty.pdf": ("refused", "empty"),
        "1_big.pdf": ("refused", "too_large"),
    }
    # refused files are not looked at again while unchanged
    assert folder.scan(str(inbox), known_of(result), EXTENSIONS, settle_seconds=0, now=later()).changed == []


def test_an_unreadable_file_is_refused_with_its_reason():
    """As root every file is readable: then the scan runs in a child process that drops to "nobody"."""
    base = Path(tempfile.mkdtemp(prefix="client-online-unreadable-"))
    try:
        base.chmod(0o755)
        write(base / "1_secret.pdf", b"%PDF-1.4 secret").chmod(0)
        write(base / "1_open.pdf", b"%PDF-1.4 open").chmod(0o644)
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: scan as an unprivileged user, report through the pipe
            try:
                os.close(reader)
                if os.geteuid() == 0:
                    os.setgid(65534)
                    os.setuid(65534)
                result = folder.scan(str(base), {}, (".pdf",), settle_seconds=0, now=later())
                report = {s.name: [s.state, s.reason_code, s.reason] for s in result.changed}
                os.write(writer, json.dumps(report).encode())
            finally:
                os._exit(0)
        os.close(writer)
        with os.fdopen(reader, "rb") as pipe:
            result = json.loads(pipe.read() or b"{}")
        os.waitpid(pid, 0)
    finally:
        shutil.rmtree(base)
    assert result["1_open.pdf"][0] == "new"
    assert result["1_secret.pdf"][:2] == ["refused", "unreadable"]
    assert "Permission denied" in result["1_secret.pdf"][2]


def test_check_folder(tmp_path):
    assert folder.check_folder(str(tmp_path)) is None
    assert folder.check_folder(str(tmp_path / "missing")).code == "missing"
    assert folder.check_folder("relative/path").code == "relative"
    write(tmp_path / "file", b"x")
    assert folder.check_folder(str(tmp_path / "file")).code == "not_a_folder"
    if os.path.isdir("/sys/kernel"):
        assert folder.check_folder("/sys/kernel").code == "read_only"
        assert folder.check_folder("/sys/kernel", write=False) is None
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".client-online")], "the probe is removed"


@pytest.mark.parametrize("name", ["../x.pdf", "a/b.pdf", "/etc/passwd", ".hidden", "", "..", "nul\0.pdf"])
def test_names_that_would_leave_the_folder(name):
    with pytest.raises(clients.FolderError) as caught:
        folder.safe_name(name)
    assert caught.value.code == "unsafe_name"


def test_inside(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"x")
    (tmp_path / "link.pdf").symlink_to(tmp_path / "a.pdf")
    assert folder.inside(str(tmp_path), str(tmp_path / "a.pdf"))
    assert not folder.inside(str(tmp_path), str(tmp_path / "link.pdf"))
    assert not folder.inside(str(tmp_path), str(tmp_path / ".." / "a.pdf"))
    assert not folder.inside(str(tmp_path / "sub"), str(tmp_path / "a.pdf"))


def test_move_never_overwrites_and_repeats_safely(tmp_path):
    inbox, done = tmp_path / "inbox", tmp_path / "done"
    inbox.mkdir()
    done.mkdir()
    content = b"%PDF-1.4 brief"
    digest = hashlib.sha256(content).hexdigest()
    source = write(inbox / "brief.pdf", content)
    write(done / "brief.pdf", b"%PDF-1.4 another document of the same name")
    target = folder.move_into(str(source), str(done), "brief.pdf", len(content), digest, 42)
    assert target == str(done / "brief (42).pdf")
    assert not source.exists()
    assert (done / "brief.pdf").read_bytes() != content, "the other file is untouched"
    assert (done / "brief (42).pdf").read_bytes() == content
    # interrupted between link and unlink: both names exist; moving again finishes the job
    write(inbox / "brief.pdf", content)
    os.link(inbox / "brief.pdf", done / "brief (7).pdf")
    again = folder.move_into(str(inbox / "brief.pdf"), str(done), "brief.pdf", len(content), digest, 7)
    assert again == str(done / "brief (7).pdf")
    assert not (inbox / "brief.pdf").exists()
    assert sorted(p.name for p in done.iterdir()) == ["brief (42).pdf", "brief (7).pdf", "brief.pdf"]
    with pytest.raises(clients.FolderError) as caught:
        folder.move_into(str(inbox / "gone.pdf"), str(done), "gone.pdf", 1, digest, 1)
    assert caught.value.code == "source_missing"


@pytest.mark.skipif(not os.path.isdir("/dev/shm"), reason="needs a second file system")  # noqa: S108
def test_move_across_file_systems(tmp_path):
    other = Path("/dev/shm") / f"client-online-{os.getpid()}"  # noqa: S108 - tmpfs, another file system
    other.mkdir()
    try:
        if os.stat(other).st_dev == os.stat(tmp_path).st_dev:
            pytest.skip("/dev/shm is on the same file system here")
        content = b"%PDF-1.4 far"
        source = write(tmp_path / "far.pdf", content)
        target = folder.move_into(
            str(source), str(other), "far.pdf", len(content), hashlib.sha256(content).hexdigest(), 1
        )
        assert Path(target).read_bytes() == content and not source.exists()
        assert not [p for p in other.iterdir() if p.name.endswith(".part")]
    finally:
        for path in other.iterdir():
            path.unlink()
        other.rmdir()


def test_write_into(tmp_path):
    content = b"%PDF-1.4 copy"
    digest = hashlib.sha256(content).hexdigest()
    first = folder.write_into(str(tmp_path), "copy.pdf", content, digest, 3)
    assert first == str(tmp_path / "copy.pdf")
    assert folder.write_into(str(tmp_path), "copy.pdf", content, digest, 3) == first, "same content: done already"
    other = folder.write_into(str(tmp_path), "copy.pdf", b"%PDF other", "x", 4)
    assert other == str(tmp_path / "copy (4).pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy (4).pdf", "copy.pdf"]


def test_document_hash_is_over_content_and_name():
    content_hash = hashlib.sha256(b"same").hexdigest()
    assert folder.document_hash(content_hash, "a.pdf") != folder.document_hash(content_hash, "b.pdf")
    assert folder.document_hash(content_hash, "a.pdf") == folder.document_hash(content_hash, "a.pdf")
