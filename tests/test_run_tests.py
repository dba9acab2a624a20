"""make test's reading of Odoo's log: results, skipped tests, tours and errors are all seen."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from run_tests import OdooLog  # noqa: E402

STAMP = "2026-11-21 11:27:27,961 7440"


def read(*lines):
    log = OdooLog()
    shown = [line for line in lines if log.feed(line + "\n")]
    return log, shown


def test_result_line_is_read():
    log, _ = read(
        f"{STAMP} INFO db odoo.tests.result: 1 failed, 2 error(s) of 30 tests when loading database 'db' ",
    )
    assert log.result == (1, 2, 30)


def test_skipped_tour_is_counted():
    log, shown = read(
        f"{STAMP} WARNING db odoo.tests.common: websocket-client module is not installed",
        f"{STAMP} INFO db odoo.addons.kvk_connector.tests.test_tour: skipped TestTour.test_tour : "
        "websocket-client module is not installed",
    )
    assert len(log.skipped) == 1
    assert log.tours == 0
    assert len(shown) == 2


def test_tours_are_counted():
    log, _ = read(
        f"{STAMP} INFO db odoo.addons.x.tests.test_tour.T.test_a: Evaluate test code \"odoo.startTour('a', {{}})\"",
        f"{STAMP} INFO db odoo.addons.x.tests.test_tour.T.test_b: Evaluate test code \"odoo.startTour('b', {{}})\"",
        f'{STAMP} INFO db odoo.addons.x.tests.test_js.T.test_c: Evaluate test code "console.log(1)"',
    )
    assert log.tours == 2


def test_errors_and_their_tracebacks_are_shown():
    log, shown = read(
        f"{STAMP} INFO db odoo.modules.loading: loading 1 modules...",
        f"{STAMP} ERROR db odoo.sql_db: bad query: SELECT",
        "Traceback (most recent call last):",
        '  File "x.py", line 1, in <module>',
        f"{STAMP} INFO db odoo.modules.loading: 1 modules loaded",
    )
    assert log.errors == ["bad query: SELECT"]
    assert shown[0].startswith(f"{STAMP} ERROR")
    assert shown[1:] == ["Traceback (most recent call last):", '  File "x.py", line 1, in <module>']
