"""KvK's dates as people read them.

The register gives dates as ``YYYYMMDD`` strings and fills what it does not know with zeros:
``20170300`` is March 2017, ``20170000`` the year 2017, ``00000000`` nothing known.  People read
them as "March 2017", "2017" or the full date, in their own language; the raw text stays on the
contact as a technical field.
"""

import calendar
import re
from datetime import date

from babel.dates import format_date, format_skeleton

from odoo.tools.misc import babel_locale_parse, get_lang

RAW = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")


def readable_kvk_date(raw, lang_code="en_US"):
    """``raw`` (the register's text) as a person reads it in ``lang_code``; "" when nothing is known.

    A full date in the language's long form ("9 March 2017", "9 maart 2017"), a month as month and
    year ("March 2017"), a year alone as the year; text that is no ``YYYYMMDD`` date as it came.
    """
    raw = str(raw or "").strip()
    match = RAW.fullmatch(raw)
    if not match:
        return raw
    year, month, day = (int(part) for part in match.groups())
    locale = babel_locale_parse(lang_code)
    if not year:
        return ""
    if not 1 <= month <= 12:
        return str(year)
    # a day the month does not have (20170231) leaves the month known
    if 1 <= day <= calendar.monthrange(year, month)[1]:
        return format_date(date(year, month, day), format="long", locale=locale)
    return format_skeleton("yMMMM", date(year, month, 1), locale=locale)


def readable_for(env, raw):
    """:func:`readable_kvk_date` in the language of ``env`` (its context's, as every translated label
    beside it; else the user's)."""
    return readable_kvk_date(raw, env.lang or get_lang(env).code)
