"""The one exception type of the social-debt clients, with a stable ``code``; the TLS set-up they share."""

from requests.adapters import HTTPAdapter

# What a user reads for each code (English source; the addon translates its own copy).
MESSAGES = {
    "invalid_enterprise": "This is not a valid Belgian enterprise number (KBO/BCE, 10 digits, mod 97).",
    "no_customer_number": "The company has no valid enterprise number of its own to identify itself to the KSZ.",
    "certificate": "The KSZ certificate and key cannot be read: check the certificate and its password.",
    "signature_refused": "The KSZ refused the signature of the request: check the company's certificate.",
    "soap_fault": "The KSZ refused the request.",
    "timeout": "The service did not answer in time. Try again later.",
    "network": "The service cannot be reached. Check the connection and try again.",
    "tls": "The secure connection failed: the service's certificate is not trusted, or the service refused the "
    "company's client certificate.",
    "malformed": "The service sent an answer that cannot be read.",
    "too_large": "The service sent an answer larger than allowed.",
    "unauthorized": "The service refused the credentials.",
    "forbidden": "The service does not allow this request for this organisation.",
    "unknown_batch": "The KSZ does not know this batch.",
}
RETRYABLE_CODES = {"timeout", "network"}


class SocialDebtError(Exception):
    """Any fault of a KSZ or RSZ call: ``code`` is stable, ``message`` is for users, ``detail`` for logs."""

    def __init__(self, code, message=None, status=None, detail="", duration=0.0, body=b""):
        self.code = code
        self.message = message or MESSAGES.get(code) or f"The service answered with an error ({code})."
        self.status = status
        self.detail = detail
        self.duration = duration
        self.body = body
        super().__init__(self.message)

    @property
    def retryable(self):
        """Faults that may pass when asked again later: timeouts, network faults, HTTP 5xx (not SOAP faults)."""
        return self.code in RETRYABLE_CODES or self.code.startswith("http_5")


class PinnedVerifyAdapter(HTTPAdapter):
    """HTTPS that keeps the CA bundle it was given: requests lets ``REQUESTS_CA_BUNDLE`` (set in many
    containers and distributions) win over a session's ``verify``, and zeep passes no ``verify`` per
    request, so the CA bundle setting would be dropped."""

    def __init__(self, verify):
        super().__init__()
        self.pinned_verify = verify

    def send(self, request, *args, **kwargs):
        kwargs["verify"] = self.pinned_verify
        return super().send(request, *args, **kwargs)


def pin_verify(session, verify):
    """Set ``verify`` (True, False or the path of a CA bundle) on ``session``; a CA bundle is pinned
    for every HTTPS request of the session (see :class:`PinnedVerifyAdapter`)."""
    session.verify = verify
    if isinstance(verify, str):
        session.mount("https://", PinnedVerifyAdapter(verify))
    return session
