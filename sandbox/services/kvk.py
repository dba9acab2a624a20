"""KvK Handelsregister (NL): the REST APIs under ``/kvk/``."""

from ..core import Response, Service

# The classic APIs' IPD code for each HTTP status the sandbox is asked to fail with.
STATUS_CODES = {400: "IPD1999", 401: "IPD0004", 404: "IPD5200", 500: "IPD9999", 503: "IPD1003"}


class Kvk(Service):
    name = "kvk"
    title = "KvK Handelsregister APIs (Zoeken, Basisprofiel, Vestigingsprofiel, Naamgeving)"

    def error_response(self, status, message):
        code = STATUS_CODES.get(status, "IPD9999")
        return Response.json({"fout": [{"code": code, "omschrijving": message}]}, status=status)
