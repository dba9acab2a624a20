import pytest

from sandbox import start_in_thread
from sandbox.testing import SandboxControl


@pytest.fixture(scope="session")
def sandbox():
    """One sandbox on a free loopback port for the whole pytest session."""
    server = start_in_thread(seed=4242)
    yield server
    server.stop()


@pytest.fixture
def control(sandbox):
    control = SandboxControl(sandbox.url)
    control.clear_faults()
    yield control
    control.clear_faults()


def pytest_configure(config):
    config.addinivalue_line("markers", "external: talks to a real public test environment; run with -m external")


def pytest_collection_modifyitems(config, items):
    """Tests marked ``external`` run only when asked for with ``-m external``."""
    if "external" in (config.getoption("markexpr") or ""):
        return
    kept = [item for item in items if "external" not in item.keywords]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if "external" in item.keywords])
        items[:] = kept
