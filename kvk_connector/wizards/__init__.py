from . import kvk_search_wizard
from . import base_partner_merge
