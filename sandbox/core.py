"""Requests, responses, fault knobs and the base class of a simulated service."""

import json
import random
import re
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from urllib.parse import parse_qs

# The seed of the generated data when none is given (services, bulk files and tests agree on it).
DEFAULT_SEED = 20251

# Per-request fault knobs, as request headers.
LATENCY_HEADER = "X-Sandbox-Latency-Ms"
STATUS_HEADER = "X-Sandbox-Status"
MALFORMED_HEADER = "X-Sandbox-Malformed"
MAX_LATENCY_MS = 120_000


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes = b""
    subpath: str = ""
    tls: bool = False  # the request came over HTTPS
    client_cert: str = ""  # subject of the client certificate the TLS handshake verified

    @classmethod
    def build(cls, method, raw_path, headers, body=b""):
        path, _, query = raw_path.partition("?")
        return cls(
            method=method.upper(),
            path=path,
            query=parse_qs(query, keep_blank_values=True),
            headers={k.lower(): v for k, v in headers.items()},
            body=body,
        )

    def arg(self, name, default=None):
        values = self.query.get(name)
        return values[0] if values else default

    def has_flag(self, name):
        """True when the query string names ``name`` with or without a value (``?WSDL``)."""
        return any(key.lower() == name.lower() for key in self.query)

    def json(self):
        return json.loads(self.body or b"null")


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict = field(default_factory=dict)

    @classmethod
    def json(cls, data, status=200, headers=None, content_type="application/json"):
        body = json.dumps(data, ensure_ascii=False, indent=1).encode()
        return cls(status, body, content_type, dict(headers or {}))

    @classmethod
    def xml(cls, text, status=200, content_type="text/xml; charset=utf-8"):
        body = text.encode() if isinstance(text, str) else text
        return cls(status, body, content_type)

    @classmethod
    def text(cls, text, status=200):
        return cls(status, text.encode(), "text/plain; charset=utf-8")


class KnobError(ValueError):
    """A fault knob with a value the sandbox cannot use."""


@dataclass
class Fault:
    """What to do to a response: wait, replace the status, corrupt the body."""

    latency_ms: int = 0
    status: int | None = None
    malformed: bool = False

    @classmethod
    def from_values(cls, latency_ms=0, status=None, malformed=False):
        try:
            latency_ms = int(latency_ms or 0)
            status = int(status) if status not in (None, "") else None
        except (TypeError, ValueError) as exc:
            raise KnobError(f"fault knobs take whole numbers: {exc}") from exc
        if not 0 <= latency_ms <= MAX_LATENCY_MS:
            raise KnobError(f"latency must be between 0 and {MAX_LATENCY_MS} ms, not {latency_ms}")
        if status is not None and not 100 <= status <= 599:
            raise KnobError(f"status must be an HTTP status between 100 and 599, not {status}")
        if isinstance(malformed, str):
            malformed = malformed.strip().lower() in ("1", "true", "yes", "on")
        return cls(latency_ms, status, bool(malformed))

    @classmethod
    def from_headers(cls, headers):
        return cls.from_values(
            headers.get(LATENCY_HEADER.lower()),
            headers.get(STATUS_HEADER.lower()),
            headers.get(MALFORMED_HEADER.lower(), False),
        )

    def __bool__(self):
        return bool(self.latency_ms or self.status or self.malformed)

    def merge(self, other):
        return Fault(
            max(self.latency_ms, other.latency_ms),
            other.status or self.status,
            self.malformed or other.malformed,
        )


@dataclass
class ArmedFault:
    """A fault set up in advance for the next ``count`` requests under ``prefix``."""

    prefix: str
    fault: Fault
    count: int | None = 1  # None: until cleared

    def as_dict(self):
        return {"prefix": self.prefix, "count": self.count, **asdict(self.fault)}


class FaultBoard:
    """Faults armed through ``/_sandbox/faults``, consumed by matching requests."""

    def __init__(self):
        self._lock = threading.Lock()
        self._armed = []

    def arm(self, prefix="/", count=1, **knobs):
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise KnobError(f"prefix must be a path starting with '/', not {prefix!r}")
        if count is not None:
            try:
                count = int(count)
            except (TypeError, ValueError) as exc:
                raise KnobError(f"count must be a whole number or null, not {count!r}") from exc
            if count < 1:
                raise KnobError(f"count must be at least 1, not {count}")
        armed = ArmedFault(prefix, Fault.from_values(**knobs), count)
        with self._lock:
            self._armed.append(armed)
        return armed

    def take(self, path):
        """The armed fault for ``path``, if any, counting one use of it."""
        with self._lock:
            for armed in self._armed:
                if path.startswith(armed.prefix):
                    if armed.count is not None:
                        armed.count -= 1
                        if armed.count <= 0:
                            self._armed.remove(armed)
                    return armed.fault
        return Fault()

    def clear(self):
        with self._lock:
            self._armed.clear()

    def listing(self):
        with self._lock:
            return [armed.as_dict() for armed in self._armed]


class Journal:
    """The last requests the sandbox answered, for tests to look at."""

    def __init__(self, size=5000):
        self._lock = threading.Lock()
        self._entries = deque(maxlen=size)

    def add(self, request, response, fault):
        entry = {
            "time": datetime.now(timezone.utc).isoformat(),
            "method": request.method,
            "path": request.path,
            "query": request.query,
            "status": response.status,
            "fault": asdict(fault) if fault else None,
            "client_cert": request.client_cert,
        }
        with self._lock:
            self._entries.append(entry)

    def listing(self, prefix="/"):
        with self._lock:
            return [entry for entry in self._entries if entry["path"].startswith(prefix)]

    def clear(self):
        with self._lock:
            self._entries.clear()


class Service:
    """One simulated external service, mounted under ``/<name>/``.

    Subclasses add routes in ``setup_routes`` with ``self.route(method, regex,
    handler)``; a handler takes the :class:`Request` (whose ``subpath`` is the
    path below the prefix) and the regex groups, and returns a :class:`Response`.
    """

    name = ""
    title = ""
    soap = False

    def __init__(self, seed):
        self.seed = seed
        self._routes = []
        self.route("GET", r"health", self.health)
        self.setup_routes()

    @property
    def prefix(self):
        return f"/{self.name}/"

    def setup_routes(self):
        """Add the service's routes."""

    def route(self, method, pattern, handler):
        self._routes.append((method.upper(), re.compile(pattern + r"\Z"), handler))

    def rng(self, *key):
        """A random generator that depends only on the seed and ``key``."""
        return random.Random(":".join(str(part) for part in (self.seed, self.name, *key)))

    def describe(self):
        return {"service": self.name, "title": self.title, "prefix": self.prefix, "soap": self.soap}

    def health(self, request):
        return Response.json({**self.describe(), "status": "ok", "seed": self.seed})

    def dispatch(self, request):
        allowed = set()
        for method, regex, handler in self._routes:
            match = regex.match(request.subpath)
            if not match:
                continue
            if method != request.method and not (method == "GET" and request.method == "HEAD"):
                allowed.add(method)
                continue
            return handler(request, *match.groups())
        if allowed:
            response = self.error_response(405, f"method {request.method} is not allowed here")
            response.headers["Allow"] = ", ".join(sorted(allowed))
            return response
        return self.error_response(404, f"no such resource: {request.path}")

    def error_response(self, status, message):
        """The service's own error format; SOAP and REST services override it."""
        return Response.json({"error": {"status": status, "message": message}}, status=status)
