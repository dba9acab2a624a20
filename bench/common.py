"""Timing helpers shared by the benchmarks."""

import json
import os
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    note: str = ""


@dataclass
class Result:
    benchmark: str
    figures: list = field(default_factory=list)

    def add(self, name, value, unit, note=""):
        self.figures.append(Figure(name, value, unit, note))

    def as_dict(self):
        return {"benchmark": self.benchmark, "figures": [asdict(f) for f in self.figures]}


def timings(call, repeat, warmup=5):
    """Seconds per call of ``call()``, ``repeat`` times after ``warmup`` untimed calls."""
    for _ in range(warmup):
        call()
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        out.append(time.perf_counter() - started)
    return out


def median_p95(samples):
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


# -- benchmarks that run inside Odoo ------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def addons_path():
    import odoo

    return ",".join([str(ROOT), str(Path(odoo.__file__).parent / "addons")])


def subprocess_env():
    """This process's environment with the project on PYTHONPATH, for the phases' processes."""
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))


@contextmanager
def odoo_database(addon, label):
    """A fresh database with ``addon`` installed (no demo data), dropped afterwards."""
    database = f"bench_{label}_{os.getpid()}"
    quiet = dict(subprocess_env(), PGOPTIONS="-c client_min_messages=warning")
    subprocess.run(["dropdb", "--if-exists", database], check=True, env=quiet)
    try:
        subprocess.run(
            [sys.executable, "-m", "odoo", "-d", database, "--addons-path", addons_path(),
             "-i", addon, "--without-demo", "all", "--stop-after-init",
             "--http-port", str(free_port()), "--gevent-port", str(free_port()),
             "--max-cron-threads", "0", "--log-level", "warn"],
            cwd=ROOT, env=subprocess_env(), check=True, capture_output=True,
        )  # fmt: skip
        yield database
    finally:
        subprocess.run(["dropdb", "--if-exists", database], check=False, env=quiet)


@contextmanager
def odoo_cursor(database, context=None):
    """Inside a phase's process: a superuser environment on ``database``."""
    import odoo
    from odoo.tools import config

    config.parse_config(["-d", database, "--addons-path", addons_path(), "--log-level", "warn"])
    registry = odoo.modules.registry.Registry(database)
    with registry.cursor() as cr:
        yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, dict(context or {}))


def run_phase(module, *args):
    """Run ``python -m module args`` in a fresh process; its last line of output is its JSON result."""
    proc = subprocess.run(
        [sys.executable, "-m", module, *map(str, args)],
        cwd=ROOT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        raise RuntimeError(f"{module} {' '.join(map(str, args))} failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
