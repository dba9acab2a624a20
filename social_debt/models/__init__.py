from . import social_debt_check
from . import social_debt_batch
from . import social_debt_service
from . import res_company
from . import res_config_settings
from . import res_partner
from . import account_move
from . import account_payment
