from . import test_settings
from . import test_sandbox_guard
from . import test_tour
