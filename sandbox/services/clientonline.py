"""ClientOnline "Accordering Online" (NL): the approval portal's SOAP service under ``/clientonline/``."""

from .soap import SoapService


class ClientOnline(SoapService):
    name = "clientonline"
    title = "ClientOnline Accordering Online portal"
