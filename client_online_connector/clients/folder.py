"""The folders of the Client Online Connector: scanning the inbox and moving files, without Odoo.

:func:`scan` lists one folder (not its subfolders) and compares each file with
what an index of earlier scans knows about it, keyed on the file name, size and
modification time: an unchanged file costs one ``stat`` and is not read again.
The scan does not read files: a new or changed file is ready to be picked up
once it has stopped changing (its modification and inode change times are at
least ``settle_seconds`` old); :func:`read_stable` then reads it, once, and
hashes it, refusing it when its size or times moved while it was read.
Symbolic links, anything that is not a regular file, empty files and files
that cannot be read are refused with a reason.

Moving is atomic and never overwrites: :func:`move_into` links the file under its
new name (``link`` fails when the name is taken) and then removes the old name; across
file systems it copies to a temporary name, flushes it to disk and links that.
:func:`write_into` writes bytes the same way.  A name already taken by a file with
the same content counts as done, so that repeating a move after a crash neither
loses nor duplicates the file.  :func:`safe_name` and :func:`inside` refuse names
and paths that would leave a folder.
"""

import errno
import hashlib
import os
import stat as stat_module
import tempfile
import time
from dataclasses import dataclass

CHUNK = 1024 * 1024
DEFAULT_SETTLE_SECONDS = 5.0

# States of a file in the index.
SETTLING = "settling"  # seen, still changing (or too recently written)
NEW = "new"  # stable, waiting to be picked up (read and hashed then)
PICKED = "picked"  # a document was made of it
REFUSED = "refused"  # not to be picked up, see the reason
DUPLICATE = "duplicate"  # the same document (content and name) was already sent
SETTLED_STATES = (NEW, PICKED, REFUSED, DUPLICATE)


class FolderError(Exception):
    """A folder that cannot be used, or a move that cannot be made, with a stable ``code``."""

    def __init__(self, code, message, path="", reason=""):
        self.code = code
        self.message = message
        self.path = path  # the folder or file concerned
        self.reason = reason  # the operating system's words, when it gave any
        super().__init__(message)


@dataclass
class Known:
    """What the index knows of a file from earlier scans."""

    key: str
    state: str
    reason_code: str = ""


@dataclass
class Seen:
    """A file whose index entry changes with this scan."""

    name: str
    key: str
    size: int
    state: str
    reason_code: str = ""
    reason: str = ""
    content_hash: str = ""


@dataclass
class ScanResult:
    changed: list  # of Seen
    present: set  # names of every file of the folder that was looked at
    settling: int = 0


def stat_key(st):
    return f"{st.st_size}:{st.st_mtime_ns}"


def content_hash_of(path, max_size=None):
    """SHA-256 (hex) of a file's content, read in chunks; FolderError when it is larger than ``max_size``."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb", buffering=0) as handle:
        buffer = bytearray(CHUNK)
        view = memoryview(buffer)
        while True:
            read = handle.readinto(buffer)
            if not read:
                break
            size += read
            if max_size is not None and size > max_size:
                raise FolderError("too_large", f"The file is larger than the limit of {max_size:,} bytes.")
            digest.update(view[:read])
    return digest.hexdigest()


def document_hash(content_hash, name):
    """The Client Online Connector's rule: one hash over a document's content and its file name."""
    return hashlib.sha256(f"{content_hash}\0{name}".encode()).hexdigest()


def check_folder(path, write=True):
    """None when ``path`` is a folder that can be listed (and written, when ``write``); else a
    :class:`FolderError` describing why not.  Writing is probed by creating and removing a
    temporary file, as permission bits do not tell (root, ACLs, read-only file systems)."""
    if not path:
        return FolderError("not_set", "No folder is set.")
    if not os.path.isabs(path):
        return FolderError("relative", f"{path} is not an absolute path.", path)
    if not os.path.exists(path):
        return FolderError("missing", f"The folder {path} does not exist (any more).", path)
    if not os.path.isdir(path):
        return FolderError("not_a_folder", f"{path} is not a folder.", path)
    try:
        with os.scandir(path) as entries:
            next(entries, None)
    except OSError as exc:
        reason = str(exc.strerror or exc)
        return FolderError("unreadable", f"The folder {path} cannot be read: {reason}.", path, reason)
    if write:
        try:
            handle, probe = tempfile.mkstemp(prefix=".client-online-probe-", dir=path)
            os.close(handle)
            os.unlink(probe)
        except OSError as exc:
            reason = str(exc.strerror or exc)
            return FolderError("read_only", f"The folder {path} cannot be written: {reason}.", path, reason)
    return None


def scan(folder, known, extensions, settle_seconds=DEFAULT_SETTLE_SECONDS, max_size=None, now=None):
    """Compare ``folder`` with ``known`` ({name: :class:`Known`}); a :class:`ScanResult`.

    ``extensions``: lower-case suffixes picked up (``(".xbrl", ".pdf")``); other files
    are ignored, as are hidden files (a leading dot) and subfolders.  A file over
    ``max_size`` bytes is refused once it stands still.
    """
    now = time.time() if now is None else now
    result = ScanResult(changed=[], present=set())
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith(".") or not name.lower().endswith(extensions):
                continue
            if entry.is_dir(follow_symlinks=False):
                continue
            result.present.add(name)
            seen = _look_at(entry, known.get(name), settle_seconds, max_size, now, result)
            if seen is not None:
                result.changed.append(seen)
    return result


def _look_at(entry, before, settle_seconds, max_size, now, result):
    name = entry.name
    if entry.is_symlink():
        key = "symlink"
        if before and before.key == key:
            return None
        return Seen(name, key, 0, REFUSED, "symlink", "It is a symbolic link; only regular files are picked up.")
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError as exc:  # gone between listing and stat
        return Seen(name, "gone", 0, REFUSED, "unreadable", f"It cannot be read: {exc.strerror or exc}.")
    if not stat_module.S_ISREG(st.st_mode):
        key = f"special:{st.st_mode}"
        if before and before.key == key:
            return None
        return Seen(name, key, 0, REFUSED, "not_regular", "It is not a regular file.")
    key = stat_key(st)
    if before and before.key == key and before.state in SETTLED_STATES and before.reason_code != "unreadable":
        return None  # unchanged since it was settled: nothing to read
    # The last change is the later of the modification time and the inode change time: a copy
    # that keeps the original modification time (Windows Explorer, cp -p, rsync -t) still moves
    # the change time with every write, and cannot set it back.
    last_change = max(st.st_mtime_ns, st.st_ctime_ns) / 1e9
    if now - last_change < settle_seconds or st.st_size == 0:
        if st.st_size == 0 and now - last_change >= settle_seconds:
            if before and before.key == key and before.reason_code == "empty":
                return None
            return Seen(name, key, 0, REFUSED, "empty", "The file is empty.")
        result.settling += 1
        if before and before.key == key and before.state == SETTLING:
            return None
        return Seen(name, key, st.st_size, SETTLING)
    if max_size is not None and st.st_size > max_size:
        return Seen(
            name,
            key,
            st.st_size,
            REFUSED,
            "too_large",
            f"It is {st.st_size:,} bytes, more than the limit of {max_size:,} bytes.",
        )
    if not os.access(entry.path, os.R_OK):
        if before and before.key == key and before.reason_code == "unreadable":
            return None
        return Seen(name, key, st.st_size, REFUSED, "unreadable", "It cannot be read: Permission denied.")
    return Seen(name, key, st.st_size, NEW)


def read_stable(path, key, max_size=None):
    """The content of ``path`` and its SHA-256, read once; FolderError when the file is not the one the scan
    saw (``key``), changed while it was read, is larger than ``max_size`` or cannot be read."""
    try:
        before = os.stat(path, follow_symlinks=False)
        if not stat_module.S_ISREG(before.st_mode) or stat_key(before) != key:
            raise FolderError("changed", "It changed since the folder was scanned.")
        if max_size is not None and before.st_size > max_size:
            raise FolderError("too_large", f"It is larger than the limit of {max_size:,} bytes.")
        with open(path, "rb") as handle:
            content = handle.read()
        after = os.stat(path, follow_symlinks=False)
    except OSError as exc:
        raise FolderError("unreadable", f"It cannot be read: {exc.strerror or exc}.") from exc
    if stat_key(after) != key or after.st_ctime_ns != before.st_ctime_ns or len(content) != before.st_size:
        raise FolderError("changed", "It was written to while it was read.")
    return content, hashlib.sha256(content).hexdigest()


# -- names and paths -------------------------------------------------------------------------------


def safe_name(name):
    """``name`` if it is a plain file name that stays in its folder; FolderError otherwise."""
    if (
        not name
        or name in (".", "..")
        or "/" in name
        or "\\" in name
        or "\0" in name
        or name.startswith(".")
        or os.path.basename(name) != name
    ):
        raise FolderError("unsafe_name", f"The file name {name!r} would leave its folder.")
    return name


def inside(folder, path):
    """True when ``path`` (symbolic links resolved) lies directly in ``folder``."""
    if not folder or not path:
        return False
    real_folder = os.path.realpath(folder)
    real_path = os.path.realpath(path)
    return os.path.dirname(real_path) == real_folder and not os.path.islink(path)


def same_content(path, size, content_hash):
    if not content_hash:
        return False
    try:
        if os.path.getsize(path) != size:
            return False
        return content_hash_of(path) == content_hash
    except OSError:
        return False


def candidates(folder, name, alternative):
    yield os.path.join(folder, name)
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    yield os.path.join(folder, f"{stem} ({alternative}){dot}{suffix}")
    for index in range(2, 100):
        yield os.path.join(folder, f"{stem} ({alternative}-{index}){dot}{suffix}")


def move_into(source, folder, name, size, content_hash, alternative):
    """Move ``source`` into ``folder`` as ``name`` (or ``stem (alternative).suffix`` when taken).

    Returns the new path.  A target name that already holds the same content (an
    earlier, interrupted move) is taken as the result and the source removed.
    """
    safe_name(name)
    if not os.path.lexists(source):
        raise FolderError("source_missing", f"The file {source} is not there any more.")
    if os.path.islink(source) or not os.path.isfile(source):
        raise FolderError("not_regular", f"{source} is not a regular file.")
    for target in candidates(folder, name, alternative):
        if os.path.lexists(target):
            if _is_same(source, target, size, content_hash):
                os.unlink(source)
                return target
            continue
        try:
            os.link(source, target)
        except FileExistsError:
            if _is_same(source, target, size, content_hash):
                os.unlink(source)
                return target
            continue
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EMLINK):
                raise FolderError("move_failed", f"{source} cannot be moved to {folder}: {exc.strerror}.") from exc
            with open(source, "rb") as handle:
                if not _link_new(folder, target, handle):
                    continue
        os.unlink(source)
        _sync_folder(folder)
        return target
    raise FolderError("no_free_name", f"No free name for {name} in {folder}.")


def write_into(folder, name, data, content_hash, alternative):
    """Write ``data`` into ``folder`` as ``name`` (or an alternative name), atomically; the path."""
    safe_name(name)
    for target in candidates(folder, name, alternative):
        if os.path.lexists(target):
            if same_content(target, len(data), content_hash):
                return target
            continue
        if _link_new(folder, target, data):
            _sync_folder(folder)
            return target
    raise FolderError("no_free_name", f"No free name for {name} in {folder}.")


def _is_same(source, target, size, content_hash):
    try:
        if os.path.samefile(source, target):
            return True
    except OSError:
        return False
    return same_content(target, size, content_hash)


def _link_new(folder, target, content):
    """Write ``content`` (bytes or a binary file) to a temporary file in ``folder``, flush it to
    disk and link it as ``target``.  False when ``target`` appeared meanwhile."""
    handle, temporary = tempfile.mkstemp(prefix=".client-online-", suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            if isinstance(content, bytes | bytearray):
                out.write(content)
            else:
                while chunk := content.read(CHUNK):
                    out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, target)
        except FileExistsError:
            return False
        return True
    except OSError as exc:
        raise FolderError("write_failed", f"{target} cannot be written: {exc.strerror}.") from exc
    finally:
        if os.path.lexists(temporary):
            os.unlink(temporary)


def _sync_folder(folder):
    """Flush the folder's entries to disk, where the file system allows it (best effort: the move is done)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        os.fsync(descriptor)
        return True
    except OSError:
        return False
    finally:
        os.close(descriptor)
