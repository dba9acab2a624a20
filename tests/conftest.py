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
