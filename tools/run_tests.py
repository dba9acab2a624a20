#!/usr/bin/env python3
"""``make test``: pytest on tests/, then every addon's Odoo tests in a fresh database.

The Odoo part installs the four addons into a new database with
``--test-enable`` and runs their tests, browser tours in headless Chromium
included.  The run fails when a test fails or errors, when a test is skipped
(a skipped tour means Chromium or websocket-client is missing), when no tour
ran, or when Odoo logs an error.  The last line is ``N passed, N failed`` over
both parts.
"""

import hashlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bootstrap  # noqa: E402

ROOT = bootstrap.ROOT
ADDONS = ["kvk_connector", "creditcheck_semaphore", "social_debt", "client_online_connector"]
# TEST_ADDONS=kvk_connector narrows the Odoo part to some addons while working on them.
TESTED = [name for name in os.environ.get("TEST_ADDONS", ",".join(ADDONS)).split(",") if name]
DATABASE = os.environ.get("TEST_DATABASE", f"connectors_test_{os.getpid()}")
# The test database speaks the languages of the addons' users.  Loading them also loads every
# addon's .po file: one that Odoo cannot read stops the run, as it would stop a user activating it.
# The first one becomes the default language of partners and of the company: English, as in a
# database created without choosing a language; tests that need another language set it.
LANGUAGES = ["en_US", "nl_NL", "cs_CZ", "fr_FR"]

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) \S+ (?P<logger>[\w.]+): (?P<msg>.*)")
RESULT = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")
TOUR = re.compile(r'Evaluate test code "odoo\.startTour\(')


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_pytest(python, env):
    with tempfile.TemporaryDirectory() as tmp:
        junit = Path(tmp) / "pytest.xml"
        cmd = [python, "-m", "pytest", "tests", "-p", "no:cacheprovider", f"--junitxml={junit}", "-q"]
        proc = subprocess.run(cmd, cwd=ROOT, env=env, check=False)
        if not junit.exists():
            print(f"pytest did not run (exit code {proc.returncode})", flush=True)
            return 0, 1
        suite = ET.parse(junit).getroot()
        suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
        total, skipped = int(suite.get("tests")), int(suite.get("skipped"))
        failed = int(suite.get("failures")) + int(suite.get("errors"))
        if proc.returncode not in (0, 1, 5):
            failed = max(failed, 1)
        # A skipped test is not a passed one: count it as failed so that it is seen.
        return total - failed - skipped, failed + skipped


def odoo_log_path():
    """The last Odoo log of this clone: clones that test at once on one machine keep their own."""
    clone = hashlib.sha256(str(ROOT).encode()).hexdigest()[:8]
    return bootstrap.cache_dir() / f"last-odoo-test-{clone}.log"


def drop_database():
    quiet = dict(os.environ, PGOPTIONS="-c client_min_messages=warning")
    subprocess.run(["dropdb", "--if-exists", DATABASE], check=True, env=quiet)


class OdooLog:
    """What the Odoo test run says about itself, read line by line."""

    def __init__(self):
        self.result = None
        self.skipped = []
        self.tours = 0
        self.errors = []
        self._echo = False

    def feed(self, line):
        match = LOG_LINE.match(line)
        if not match:
            return self._echo  # a continuation (traceback) of the last line
        level, msg = match["level"], match["msg"]
        self._echo = level in ("WARNING", "ERROR", "CRITICAL")
        if found := RESULT.search(msg):
            self.result = tuple(int(n) for n in found.groups())
            return True
        if msg.startswith("skipped "):
            self.skipped.append(msg)
            return True
        if TOUR.search(msg):
            self.tours += 1
            return True
        if level in ("ERROR", "CRITICAL"):
            self.errors.append(msg)
        return self._echo or msg.startswith(("Starting ", "Ran ", "FAIL", "ERROR"))


def run_odoo_tests(state, env):
    drop_database()
    with tempfile.TemporaryDirectory(prefix="connectors-odoo-") as data_dir:
        cmd = [
            state["python"], "-m", "odoo",
            "--database", DATABASE,
            "--db-filter", f"^{DATABASE}$",
            "--addons-path", ",".join(state["addons_path"]),
            "--data-dir", data_dir,
            "--init", ",".join(TESTED),
            "--without-demo", "all",
            "--load-language", ",".join(LANGUAGES),
            "--test-enable",
            "--test-tags", ",".join(f"/{addon}" for addon in TESTED),
            "--http-port", str(free_port()),
            "--gevent-port", str(free_port()),
            "--max-cron-threads", "0",
            "--stop-after-init",
            "--log-level", "info",
        ]  # fmt: skip
        log = OdooLog()
        log_path = odoo_log_path()
        with (
            subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
            ) as proc,
            open(log_path, "w") as full,
        ):
            for line in proc.stdout:
                full.write(line)
                if log.feed(line):
                    print(line, end="", flush=True)
        returncode = proc.returncode
    drop_database()
    problems = []
    if returncode:
        problems.append(f"Odoo exited with code {returncode}")
    if log.result is None:
        problems.append("Odoo printed no test result")
        failed, errors, total = 0, 1, 1
    else:
        failed, errors, total = log.result
    if log.skipped:
        problems.append(f"{len(log.skipped)} Odoo test(s) were skipped (a skipped tour means no browser ran)")
    if not log.tours:
        problems.append("no browser tour ran")
    if log.errors and not (failed or errors):
        problems.append(f"Odoo logged {len(log.errors)} error(s) outside any failing test")
    bad = failed + errors + len(log.skipped) + (len(log.errors) if not (failed or errors) else 0)
    print(f"Odoo: {total} tests, {failed} failed, {errors} error(s), {len(log.skipped)} skipped, {log.tours} tour(s)")
    return max(total - failed - errors - len(log.skipped), 0), bad, problems


def main():
    unknown = set(TESTED) - set(ADDONS)
    if unknown:
        print(f"TEST_ADDONS names no addon of this project: {', '.join(sorted(unknown))}")
        return 2
    try:
        state = bootstrap.ensure()
    except bootstrap.SetupError as exc:
        print(f"[setup] error: {exc}", file=sys.stderr)
        print("0 passed, 1 failed")
        return 2
    if state["missing_tools"]:
        print(f"[setup] missing: {', '.join(state['missing_tools'])}; browser tours or PDF reports cannot run")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    env.pop("ODOO_RC", None)

    print("== pytest: sandbox, clients and parsers ==", flush=True)
    py_passed, py_failed = run_pytest(state["python"], env)
    print(f"== Odoo tests: {', '.join(TESTED)} ==", flush=True)
    odoo_passed, odoo_failed, problems = run_odoo_tests(state, env)
    for problem in problems:
        print(f"FAILED: {problem}")
    if problems or odoo_failed:
        print(f"The whole Odoo log is in {odoo_log_path()}")
    passed, failed = py_passed + odoo_passed, py_failed + odoo_failed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or problems else 0


if __name__ == "__main__":
    sys.exit(main())
