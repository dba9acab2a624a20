from . import creditcheck_override_wizard
from . import creditcheck_deactivate_wizard
