"""The sandbox's HTTP server: routing by prefix, fault knobs, health and control routes.

Control routes, under ``/_sandbox/``:

* ``GET /health``: the server and its services;
* ``GET|POST|DELETE /_sandbox/faults``: list, arm (JSON body ``{"prefix": "/kvk/",
  "count": 1, "latency_ms": 0, "status": 503, "malformed": false}``; ``count``
  null keeps the fault until cleared) or clear faults for the next requests;
* ``GET|DELETE /_sandbox/requests[?prefix=/kvk/]``: the journal of answered requests.

Any request may also carry its own knobs as headers: ``X-Sandbox-Latency-Ms``,
``X-Sandbox-Status`` and ``X-Sandbox-Malformed``.

With a :class:`TlsConfig` the server speaks HTTPS, and with a client CA mutual TLS:
the handshake runs in the request's thread, a refused one is noted in
``tls_refusals`` and closes the connection.
"""

import logging
import socket
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .core import DEFAULT_SEED, Fault, FaultBoard, Journal, KnobError, Request, Response
from .services import SERVICES

_logger = logging.getLogger("sandbox")

MAX_BODY = 64 * 1024 * 1024
HANDSHAKE_TIMEOUT = 10


@dataclass(frozen=True)
class TlsConfig:
    """HTTPS for the sandbox: the server's certificate (chain) and key as PEM files and, for
    mutual TLS, the PEM file of the CA whose client certificates are accepted.  A client
    certificate is then required, or only checked when presented (``require_client_cert``)."""

    cert_file: str
    key_file: str
    client_ca_file: str | None = None
    require_client_cert: bool = True

    def server_context(self):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(self.cert_file, self.key_file)
        if self.client_ca_file:
            context.load_verify_locations(cafile=self.client_ca_file)
            context.verify_mode = ssl.CERT_REQUIRED if self.require_client_cert else ssl.CERT_OPTIONAL
        return context


def corrupt(body):
    """A body that starts like the real answer and then stops making sense."""
    return body[: max(len(body) // 2, 1)] + b"\x00<<sandbox: malformed answer"


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address=("127.0.0.1", 0), seed=DEFAULT_SEED, tls=None):
        self.tls = tls
        self.ssl_context = tls.server_context() if tls else None
        self.tls_refusals = deque(maxlen=100)  # (client address, reason) of refused TLS handshakes
        super().__init__(address, SandboxHandler)
        self.seed = seed
        self.services = {cls.name: cls(seed) for cls in SERVICES}
        self.faults = FaultBoard()
        self.journal = Journal()
        self._stopping = threading.Event()

    @property
    def url(self):
        host, port = self.server_address[:2]
        return f"{'https' if self.ssl_context else 'http'}://{host}:{port}"

    @property
    def port(self):
        return self.server_address[1]

    def service_url(self, name):
        return self.url + self.services[name].prefix.rstrip("/")

    # -- TLS -------------------------------------------------------------------

    def get_request(self):
        sock, address = super().get_request()
        if self.ssl_context is not None:
            # The handshake waits for the request's thread: a silent client cannot stall accept().
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def finish_request(self, request, client_address):
        if self.ssl_context is not None and not self._handshake(request, client_address):
            return
        try:
            super().finish_request(request, client_address)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (its timeout was shorter than a latency knob): nothing to answer

    def _handshake(self, sock, client_address):
        sock.settimeout(HANDSHAKE_TIMEOUT)
        try:
            sock.do_handshake()
        except (ssl.SSLError, OSError) as exc:
            reason = getattr(exc, "reason", None) or str(exc)
            self.tls_refusals.append((client_address[0], reason))
            _logger.info("%s TLS handshake refused: %s", client_address[0], reason)
            # Close without a reset, so that the client reads the alert instead of "connection reset".
            try:
                sock.settimeout(1)
                sock.shutdown(socket.SHUT_WR)
                while sock.recv(65536):
                    pass
            except OSError:
                pass
            return False
        sock.settimeout(None)
        return True

    # -- request handling ----------------------------------------------------

    def answer(self, request):
        if request.path == "/health":
            return Response.json(
                {
                    "status": "ok",
                    "seed": self.seed,
                    "services": {name: service.describe() for name, service in self.services.items()},
                }
            )
        if request.path.startswith("/_sandbox/"):
            return self.control(request)
        name = request.path.split("/", 2)[1]
        service = self.services.get(name)
        if service is None:
            return Response.json({"error": {"status": 404, "message": f"no service at {request.path}"}}, 404)
        request.subpath = request.path[len(service.prefix) :] if request.path != f"/{name}" else ""
        try:
            request_fault = Fault.from_headers(request.headers)
        except KnobError as exc:
            return Response.json({"error": {"status": 400, "message": str(exc)}}, 400)
        fault = request_fault.merge(self.faults.take(request.path))
        if fault.latency_ms:
            time.sleep(fault.latency_ms / 1000)
        if fault.status:
            response = service.error_response(fault.status, f"sandbox fault: HTTP {fault.status}")
        else:
            try:
                response = service.dispatch(request)
            except Exception:  # a bug in a simulator must still answer, as a real server would
                _logger.exception("sandbox service %s failed on %s", name, request.path)
                response = service.error_response(500, "internal error in the simulated service")
        if fault.malformed:
            response.body = corrupt(response.body)
        self.journal.add(request, response, fault)
        return response

    def control(self, request):
        what = request.path[len("/_sandbox/") :].strip("/")
        if what == "faults":
            if request.method == "GET":
                return Response.json({"faults": self.faults.listing()})
            if request.method == "DELETE":
                self.faults.clear()
                return Response.json({"faults": []})
            if request.method == "POST":
                try:
                    spec = request.json()
                    if not isinstance(spec, dict):
                        raise KnobError("the body must be a JSON object")
                    unknown = set(spec) - {"prefix", "count", "latency_ms", "status", "malformed"}
                    if unknown:
                        raise KnobError(f"unknown fault fields: {', '.join(sorted(unknown))}")
                    armed = self.faults.arm(**spec)
                except (ValueError, KnobError) as exc:
                    return Response.json({"error": {"status": 400, "message": str(exc)}}, 400)
                return Response.json({"armed": armed.as_dict()}, 201)
        elif what == "requests":
            if request.method == "GET":
                return Response.json({"requests": self.journal.listing(request.arg("prefix", "/"))})
            if request.method == "DELETE":
                self.journal.clear()
                return Response.json({"requests": []})
        else:
            return Response.json({"error": {"status": 404, "message": f"no control route {request.path}"}}, 404)
        return Response.json({"error": {"status": 405, "message": f"{request.method} not allowed"}}, 405)

    # -- life cycle ------------------------------------------------------------

    def shutdown_from_signal(self):
        threading.Thread(target=self.shutdown, daemon=True).start()

    def stop(self):
        self.shutdown()
        self.server_close()


class SandboxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Sandbox/1.0"
    # Headers and body go out in two writes; without this, Nagle's algorithm and the
    # client's delayed ACK hold every keep-alive answer back by about 40 ms.
    disable_nagle_algorithm = True

    def _handle(self):
        length = self.headers.get("Content-Length")
        try:
            length = int(length or 0)
        except ValueError:
            self._send(Response.json({"error": {"status": 400, "message": "bad Content-Length"}}, 400))
            return
        if length > MAX_BODY:
            self._send(Response.json({"error": {"status": 413, "message": "request body too large"}}, 413))
            self.close_connection = True
            return
        body = self.rfile.read(length) if length else b""
        request = Request.build(self.command, self.path, dict(self.headers.items()), body)
        if isinstance(self.connection, ssl.SSLSocket):
            request.tls = True
            request.client_cert = client_subject(self.connection.getpeercert())
        self._send(self.server.answer(request))

    def _send(self, response):
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _handle

    def log_message(self, format, *args):  # noqa: A002 - the name BaseHTTPRequestHandler gives it
        _logger.info("%s %s", self.address_string(), format % args)


def client_subject(cert):
    """The subject of a verified peer certificate (``getpeercert()``) as ``CN=..., O=...``; "" without one."""
    if not cert:
        return ""
    names = {"commonName": "CN", "organizationName": "O", "countryName": "C", "organizationalUnitName": "OU"}
    return ", ".join(f"{names.get(key, key)}={value}" for rdn in cert.get("subject", ()) for key, value in rdn)


def start_in_thread(seed=DEFAULT_SEED, host="127.0.0.1", port=0, tls=None):
    """Start a sandbox on a free loopback port in a daemon thread; ``.stop()`` ends it.

    ``tls``: a :class:`TlsConfig` for HTTPS (and mutual TLS); plain HTTP without it."""
    server = SandboxServer((host, port), seed=seed, tls=tls)
    thread = threading.Thread(target=server.serve_forever, name=f"sandbox-{server.port}", daemon=True)
    thread.start()
    return server
