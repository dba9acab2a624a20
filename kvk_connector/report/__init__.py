from . import kvk_extract_report
