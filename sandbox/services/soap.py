"""What the simulated SOAP services share: SOAP 1.1 faults."""

from xml.sax.saxutils import escape

from ..core import Response, Service

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


def soap_fault(code, message, status=500):
    body = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body><soap:Fault>'
        f"<faultcode>soap:{escape(code)}</faultcode><faultstring>{escape(message)}</faultstring>"
        "</soap:Fault></soap:Body></soap:Envelope>"
    )
    return Response.xml(body, status=status)


class SoapService(Service):
    soap = True

    def error_response(self, status, message):
        return soap_fault("Client" if status < 500 else "Server", message, status=status)
