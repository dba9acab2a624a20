"""CreditCheck (CZ/SK): the CreditCheckAktualizace ASMX SOAP service under ``/creditcheck/``."""

from .soap import SoapService


class CreditCheck(SoapService):
    name = "creditcheck"
    title = "CreditCheck CreditCheckAktualizace (CZ and SK)"
