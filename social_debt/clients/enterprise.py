"""Belgian identifiers: the KBO/BCE enterprise number and the RSZ/ONSS registration number."""

import re

from stdnum.be import vat as be_vat

NSSO_NUMBER = re.compile(r"(0\d{9}|5[01]\d{8})")


def enterprise_number(value):
    """``value`` (``0403.019.261``, ``BE 403019261``, ``403019261``...) as the 10-digit enterprise
    number, or ``""`` when it is not one: python-stdnum's mod-97 check, and a first digit 0 or 1
    (2 to 8 are business units, not enterprises)."""
    if not value:
        return ""
    try:
        number = be_vat.validate(value)
    except Exception:  # stdnum's ValidationError and its subclasses: not a valid number
        return ""
    return number if number[0] in "01" else ""


def format_enterprise_number(number):
    """``0403019261`` as ``0403.019.261``."""
    return f"{number[:4]}.{number[4:7]}.{number[7:]}" if len(number or "") == 10 else number or ""


def nsso_number(value):
    """An RSZ/ONSS registration number as the KSZ writes it (10 digits: 0 and nine digits, or a
    temporary 50/51 number), or ``""``.  A 9-digit number gets its leading 0; a 12-digit one
    written with its 3-digit category code keeps the last 9 digits of the registration."""
    digits = re.sub(r"[\s./-]", "", value or "")
    if not digits.isdigit():
        return ""
    if len(digits) == 12:
        digits = digits[3:]
    if len(digits) == 9:
        digits = "0" + digits
    return digits if NSSO_NUMBER.fullmatch(digits) else ""
