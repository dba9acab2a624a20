from . import res_company
from . import res_config_settings
from . import social_debt_service
