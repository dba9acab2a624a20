#!/usr/bin/env python3
"""Set up everything `make test` and `make demo` need, once, and idempotently.

Standard library only: this runs before the project's virtual environment
exists.  It prepares, in a cache folder outside the clone (so that every clone
on the machine shares it):

* a virtual environment with Odoo 18.0's Python requirements and the project's
  libraries and test tools (``tools/requirements-*.txt``);
* Odoo 18.0 community, taken from ``ODOO_SOURCE``: a directory that contains the
  ``odoo`` package (a git checkout, an unpacked nightly archive, or a tree with
  only the ``odoo/`` folder), an archive file, or an archive URL.  Without
  ``ODOO_SOURCE`` an Odoo installed earlier is reused, else Odoo's official 18.0
  nightly source archive is downloaded;
* a reachable PostgreSQL server and a role for the current user;
* Debian's ``chromium`` (browser tours) and ``wkhtmltopdf`` (PDF reports) where
  the machine can install them.

``ODOO_PYTHON`` names the interpreter of an existing Odoo 18.0 installation to
use instead of the cached virtual environment.

The result is written to ``<cache>/state.json`` and printed with ``--json``.
"""

import argparse
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "odoo-register-connectors"
ODOO_SERIES = 18
DEFAULT_ODOO_SOURCE = "https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz"
REQUIREMENTS = [ROOT / "tools" / "requirements-odoo.txt", ROOT / "tools" / "requirements-dev.txt"]


class SetupError(Exception):
    """A set-up step that cannot go on; the message says what to do."""


def log(message):
    print(f"[setup] {message}", file=sys.stderr, flush=True)


def cache_dir():
    base = os.environ.get("CONNECTORS_CACHE")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / PROJECT


def run(cmd, **kwargs):
    kwargs.setdefault("check", True)
    return subprocess.run(cmd, **kwargs)


# --------------------------------------------------------------------------
# Python environment
# --------------------------------------------------------------------------


def requirements_digest():
    digest = hashlib.sha256()
    for path in REQUIREMENTS:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def interpreter_tag():
    """Names the Python that builds the venv: two interpreters never share or prune each other's."""
    identity = f"{os.path.realpath(sys.executable)} {sys.version}"
    return f"py{sys.version_info.major}.{sys.version_info.minor}-{hashlib.sha256(identity.encode()).hexdigest()[:6]}"


def ensure_venv(cache):
    existing = os.environ.get("ODOO_PYTHON")
    if existing:
        return Path(existing), False
    tag = interpreter_tag()
    venv = cache / f"venv-{tag}-{requirements_digest()}"
    python = venv / "bin" / "python"
    if (venv / ".complete").exists():
        os.utime(venv / ".complete")  # in use: see prune_venvs()
        return python, True
    if venv.exists():
        shutil.rmtree(venv)
    log(f"creating the virtual environment {venv} (one time, a few minutes)")
    run([sys.executable, "-m", "venv", str(venv)])
    run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    cmd = [str(python), "-m", "pip", "install", "--quiet"]
    for path in REQUIREMENTS:
        cmd += ["-r", str(path)]
    try:
        run(cmd)
    except subprocess.CalledProcessError as exc:
        raise SetupError(
            "installing the Python requirements failed (see pip's output above); "
            f"fix tools/requirements-*.txt or remove {venv} and try again"
        ) from exc
    (venv / ".complete").write_text("ok\n")
    prune_venvs(cache, tag, keep=venv)
    return python, True


# A venv of the same interpreter for other requirements belongs to another clone or branch
# (or to this one before its requirements changed): it is removed once unused for this long.
VENV_UNUSED_DAYS = 14


def prune_venvs(cache, tag, keep):
    horizon = time.time() - VENV_UNUSED_DAYS * 86400
    for old in cache.glob(f"venv-{tag}-*"):
        stamp = old / ".complete"
        if old != keep and stamp.exists() and stamp.stat().st_mtime < horizon:
            shutil.rmtree(old, ignore_errors=True)


def python_output(python, code):
    """What ``code`` prints when ``python`` runs it."""
    return run([str(python), "-c", code], capture_output=True, text=True).stdout.strip()


def site_packages(python):
    return Path(python_output(python, "import sysconfig; print(sysconfig.get_paths()['purelib'])"))


# --------------------------------------------------------------------------
# Odoo source
# --------------------------------------------------------------------------


def odoo_major(root):
    release = root / "odoo" / "release.py"
    scope = {}
    try:
        exec(compile(release.read_text(), str(release), "exec"), scope)  # noqa: S102
    except (OSError, SyntaxError, NameError):
        return None
    return scope.get("version_info", (None,))[0]


def find_odoo_root(top):
    """The folder under ``top`` that holds the ``odoo`` package (with release.py)."""
    top = Path(top)
    candidates = [top, top.parent] if top.name == "odoo" else [top]
    for candidate in candidates:
        if (candidate / "odoo" / "release.py").is_file():
            return candidate
    for release in sorted(top.glob("*/odoo/release.py")):
        return release.parent.parent
    return None


def safe_extract(archive, target):
    """Unpack a tar or zip archive without letting a member escape ``target``."""
    target = Path(target).resolve()
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for name in zf.namelist():
                if not (target / name).resolve().is_relative_to(target):
                    raise SetupError(f"{archive}: member {name!r} points outside the archive")
            zf.extractall(target)
        return
    try:
        tf = tarfile.open(archive)
    except tarfile.TarError as exc:
        raise SetupError(f"ODOO_SOURCE {archive} is neither a directory nor a tar or zip archive") from exc
    with tf:
        if hasattr(tarfile, "data_filter"):
            tf.extractall(target, filter="data")
        else:
            for member in tf.getmembers():
                if not (target / member.name).resolve().is_relative_to(target):
                    raise SetupError(f"{archive}: member {member.name!r} points outside the archive")
            tf.extractall(target)


def download(url, folder):
    name = url.rstrip("/").rsplit("/", 1)[-1] or "odoo.tar.gz"
    path = Path(folder) / name
    log(f"downloading {url}")
    try:
        with urllib.request.urlopen(url, timeout=60) as answer, open(path, "wb") as out:  # noqa: S310
            shutil.copyfileobj(answer, out)
    except OSError as exc:
        raise SetupError(f"could not download Odoo from {url}: {exc}") from exc
    return path


def copy_odoo(root, target):
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".git")
    shutil.copytree(root / "odoo", target / "odoo", ignore=ignore, symlinks=True)
    if (root / "addons").is_dir() and (root / "addons" / "web").is_dir():
        # A git checkout keeps the standard addons beside the package.
        shutil.copytree(root / "addons", target / "addons", ignore=ignore, symlinks=True)


def no_odoo_message(detail):
    return (
        f"no Odoo {ODOO_SERIES}.0 could be had: {detail}.\n"
        "Set ODOO_SOURCE to a directory that contains the 'odoo' package (a git checkout of "
        f"odoo/odoo {ODOO_SERIES}.0, an unpacked nightly archive or a folder holding only 'odoo/'), "
        "to a source archive (.tar.gz or .zip) or to its URL, then run the command again, e.g.\n"
        "    ODOO_SOURCE=/path/to/odoo make test\n"
        "or set ODOO_PYTHON to the Python of an existing Odoo 18.0 installation."
    )


def ensure_odoo(cache):
    target = cache / f"odoo-{ODOO_SERIES}.0"
    marker = target / "SOURCE"
    wanted = os.environ.get("ODOO_SOURCE")
    if marker.exists() and (not wanted or marker.read_text().strip() == wanted):
        return target
    source = wanted or DEFAULT_ODOO_SOURCE
    log(f"installing Odoo {ODOO_SERIES}.0 from {source} into {target} (one time)")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache, prefix="odoo-unpack-") as tmp:
        tmp = Path(tmp)
        if "://" in source:
            try:
                archive = download(source, tmp)
            except SetupError as exc:
                raise SetupError(no_odoo_message(str(exc))) from exc
        else:
            archive = Path(source).expanduser()
            if not archive.exists():
                raise SetupError(no_odoo_message(f"ODOO_SOURCE {source} does not exist"))
        if archive.is_dir():
            root = find_odoo_root(archive)
        else:
            unpacked = tmp / "unpacked"
            unpacked.mkdir()
            safe_extract(archive, unpacked)
            root = find_odoo_root(unpacked)
        if root is None:
            raise SetupError(no_odoo_message(f"{source} holds no 'odoo' package with a release.py"))
        major = odoo_major(root)
        if major != ODOO_SERIES:
            raise SetupError(no_odoo_message(f"{source} holds Odoo {major}, not {ODOO_SERIES}.0"))
        staging = tmp / "staging"
        copy_odoo(root, staging)
        (staging / "SOURCE").write_text(source + "\n")
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(staging), str(target))
    return target


def odoo_addons_paths(odoo_root):
    paths = [odoo_root / "odoo" / "addons"]
    if (odoo_root / "addons").is_dir():
        paths.insert(0, odoo_root / "addons")
    return paths


def link_odoo(python, odoo_root):
    """Make ``import odoo`` in the venv resolve to the cached Odoo."""
    pth = site_packages(python) / "odoo-source.pth"
    line = f"{odoo_root}\n"
    if not pth.exists() or pth.read_text() != line:
        pth.write_text(line)


def python_imports_odoo(python):
    probe = "import odoo.release as r; print(r.version_info[0])"
    out = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, check=False)
    return out.returncode == 0 and out.stdout.strip() == str(ODOO_SERIES)


# --------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------


def pg_ok(args=()):
    return subprocess.run(
        ["psql", "-X", "-q", "-d", "postgres", "-c", "SELECT 1", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def as_postgres(cmd):
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    if shutil.which("sudo"):
        return ["sudo", "-n", "-u", "postgres", *cmd]
    return cmd


def ensure_postgres():
    if not shutil.which("psql"):
        raise SetupError(
            "PostgreSQL is not installed: install it (Debian: apt-get install postgresql) "
            "or set PGHOST/PGPORT/PGUSER/PGPASSWORD to a reachable server"
        )
    probe = pg_ok()
    if probe.returncode == 0:
        return
    if "could not connect" in probe.stderr or "No such file" in probe.stderr or "Connection refused" in probe.stderr:
        if shutil.which("pg_lsclusters") and not os.environ.get("PGHOST"):
            clusters = run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout.split()
            if len(clusters) >= 2:
                version, name = clusters[0], clusters[1]
                log(f"starting the local PostgreSQL cluster {version}/{name}")
                starter = ["pg_ctlcluster", version, name, "start"]
                subprocess.run(starter if os.geteuid() == 0 else as_postgres(starter), check=False)
                probe = pg_ok()
                if probe.returncode == 0:
                    return
        if "could not connect" in probe.stderr or "Connection refused" in probe.stderr:
            raise SetupError(
                "no PostgreSQL server is reachable and none could be started: install one "
                "(Debian: apt-get install postgresql) or set PGHOST/PGPORT to a running server\n" + probe.stderr.strip()
            )
    if "does not exist" in probe.stderr and "role" in probe.stderr:
        user = os.environ.get("PGUSER") or os.environ.get("USER") or _whoami()
        log(f"creating the PostgreSQL role {user}")
        made = subprocess.run(
            as_postgres(["createuser", "--createdb", user]), capture_output=True, text=True, check=False
        )
        if made.returncode == 0 and pg_ok().returncode == 0:
            return
        raise SetupError(
            f"PostgreSQL has no role {user!r} and it could not be created: run "
            f"'sudo -u postgres createuser --createdb {user}'\n{made.stderr.strip()}"
        )
    raise SetupError("PostgreSQL is not usable: " + probe.stderr.strip())


def _whoami():
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name


# --------------------------------------------------------------------------
# Browser and PDF tools
# --------------------------------------------------------------------------


def ensure_system_tools():
    wanted = {"chromium": "chromium", "wkhtmltopdf": "wkhtmltopdf"}
    missing = [pkg for cmd, pkg in wanted.items() if not shutil.which(cmd)]
    if not missing:
        return []
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log(f"installing {' '.join(missing)} with apt-get")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], env=env, check=False, stdout=subprocess.DEVNULL)
        missing = [pkg for cmd, pkg in wanted.items() if not shutil.which(cmd)]
    for pkg in missing:
        log(f"{pkg} is not installed and could not be installed here: " f"install it (Debian: apt-get install {pkg})")
    return missing


# --------------------------------------------------------------------------


def ensure(with_postgres=True, with_tools=True):
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / ".lock", "w") as lock:
        # Two set-ups at once (two clones, or CI beside a developer) wait for each other.
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _ensure(cache, with_postgres, with_tools)


def _ensure(cache, with_postgres, with_tools):
    python, managed = ensure_venv(cache)
    if managed:
        odoo_root = ensure_odoo(cache)
        link_odoo(python, odoo_root)
        if not python_imports_odoo(python):
            raise SetupError(no_odoo_message(f"the Odoo in {odoo_root} does not import"))
    else:
        if not python_imports_odoo(python):
            raise SetupError(f"ODOO_PYTHON={python} cannot import Odoo {ODOO_SERIES}.0")
        probe = "import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))"
        odoo_root = Path(python_output(python, probe))
    if with_postgres:
        ensure_postgres()
    missing = ensure_system_tools() if with_tools else []
    state = {
        "python": str(python),
        "odoo_root": str(odoo_root),
        "odoo_source": (odoo_root / "SOURCE").read_text().strip() if (odoo_root / "SOURCE").exists() else None,
        "addons_path": [str(ROOT)] + [str(p) for p in odoo_addons_paths(odoo_root)],
        "missing_tools": missing,
    }
    (cache / "state.json").write_text(json.dumps(state, indent=2))
    return state


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the resulting state as JSON")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL step")
    parser.add_argument(
        "--run",
        nargs=argparse.REMAINDER,
        metavar="COMMAND",
        help="then run COMMAND with the environment's bin folder first on PATH and the project on PYTHONPATH",
    )
    args = parser.parse_args()
    try:
        state = ensure(with_postgres=not args.no_postgres)
    except SetupError as exc:
        print(f"[setup] error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(state, indent=2))
    if args.run:
        env = dict(os.environ)
        env["PATH"] = os.pathsep.join([str(Path(state["python"]).parent), env.get("PATH", "")])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        os.chdir(ROOT)
        os.execvpe(args.run[0], args.run, env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
