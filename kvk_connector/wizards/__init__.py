from . import kvk_search_wizard
