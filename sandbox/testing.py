"""Starting the sandbox from tests.

``SandboxCaseMixin`` goes in front of an Odoo test class (``TransactionCase``,
``HttpCase``): it starts one sandbox per class on a free loopback port and
replaces Odoo's outbound-request guard by a stricter one that lets through only
the sandbox and Odoo's own test HTTP server.  Everything else, other loopback
ports included, stays blocked as Odoo's guard blocks it.  A class that overrides
``_sandbox_tls`` gets its sandbox on HTTPS (mutual TLS tests).
"""

import json
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from .server import DEFAULT_SEED, start_in_thread

LOOPBACK = ("127.0.0.1", "localhost")


class SandboxControl:
    """Arm faults on and read the journal of a running sandbox, over HTTP (or HTTPS with ``ssl_context``)."""

    def __init__(self, url, ssl_context=None):
        self.url = url.rstrip("/")
        self.ssl_context = ssl_context  # for an HTTPS sandbox: trusts its CA (and holds a client certificate)

    def _call(self, method, path, payload=None):
        data = json.dumps(payload).encode() if payload is not None else None
        request = Request(self.url + path, data=data, method=method, headers={"Content-Type": "application/json"})
        with urlopen(request, timeout=10, context=self.ssl_context) as answer:  # noqa: S310 - loopback URL built above
            return json.loads(answer.read())

    def arm_fault(self, prefix, count=1, latency_ms=0, status=None, malformed=False):
        spec = {"prefix": prefix, "count": count, "latency_ms": latency_ms, "status": status, "malformed": malformed}
        return self._call("POST", "/_sandbox/faults", spec)["armed"]

    def clear_faults(self):
        self._call("DELETE", "/_sandbox/faults")

    def requests(self, prefix="/"):
        return self._call("GET", f"/_sandbox/requests?prefix={prefix}")["requests"]

    def clear_requests(self):
        self._call("DELETE", "/_sandbox/requests")


class SandboxCaseMixin:
    """Mixin for Odoo test classes that talk to the sandbox over real HTTP."""

    sandbox_seed = DEFAULT_SEED

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sandbox = start_in_thread(seed=cls.sandbox_seed, tls=cls._sandbox_tls())
        cls.addClassCleanup(cls.sandbox.stop)
        cls.sandbox_url = cls.sandbox.url
        cls.sandbox_control = SandboxControl(cls.sandbox.url, ssl_context=cls._sandbox_control_context())

    @classmethod
    def _sandbox_tls(cls):
        """A :class:`~sandbox.server.TlsConfig` to run the class's sandbox on HTTPS; None: plain HTTP."""
        return None

    @classmethod
    def _sandbox_control_context(cls):
        """The ``ssl.SSLContext`` with which the tests reach an HTTPS sandbox's control routes."""
        return None

    @classmethod
    def _allowed_endpoints(cls):
        from odoo.tools import config

        allowed = {(host, cls.sandbox.port) for host in LOOPBACK}
        allowed |= {(host, int(config["http_port"])) for host in LOOPBACK}
        return allowed

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        from odoo.tests.common import BlockedRequest, _super_send

        url = urlsplit(r.url)
        if url.scheme == "file" or (url.hostname, url.port) in cls._allowed_endpoints():
            return _super_send(s, r, **kw)
        devtools = url.path == "/json" or url.path.startswith("/json/")
        if hasattr(cls, "browser_js") and url.hostname in LOOPBACK and devtools:
            # An HttpCase asks the headless Chrome it started for its DevTools endpoints.
            return _super_send(s, r, **kw)
        raise BlockedRequest(f"External requests verboten outside the sandbox (was {r.method} {r.url})")
