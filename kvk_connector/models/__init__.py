from . import res_company
from . import res_config_settings
from . import kvk_service
