from . import test_settings
from . import test_sandbox_guard
from . import test_tour
from . import test_search_wizard
from . import test_query_log
from . import test_access
from . import test_extract
from . import test_endpoint
