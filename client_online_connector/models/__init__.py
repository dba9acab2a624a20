from . import client_online_service
from . import res_company
from . import res_config_settings
from . import res_partner
from . import client_online_attempt
from . import client_online_document
from . import client_online_folder_file
from . import client_online_job_run
