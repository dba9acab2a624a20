from . import test_settings
from . import test_partner
from . import test_sync
from . import test_deactivation_events
from . import test_alerts_security
from . import test_tour
