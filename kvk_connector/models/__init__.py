from . import res_company
from . import res_config_settings
from . import kvk_service
from . import kvk_service_status
from . import kvk_sbi_activity
from . import kvk_query_log
from . import res_partner
from . import res_partner_ui
from . import kvk_job_run  # after the models whose jobs it records
from . import ir_http
from . import kvk_settings_status
