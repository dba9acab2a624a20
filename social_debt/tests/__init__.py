from . import test_settings
from . import test_checks
from . import test_batches
from . import test_payments
from . import test_access
from . import test_monitoring
from . import test_billretainment
from . import test_tour
