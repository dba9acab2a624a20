from . import test_settings
from . import test_settings_status
from . import test_documents
from . import test_folder
from . import test_security
from . import test_send_wizard
from . import test_tour
from . import test_screens
