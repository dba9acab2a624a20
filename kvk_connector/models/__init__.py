from . import res_company
from . import res_config_settings
from . import kvk_service
from . import kvk_sbi_activity
from . import kvk_query_log
from . import res_partner
from . import res_partner_ui
