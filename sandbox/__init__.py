"""Local simulators of the external services the addons talk to.

One HTTP server on 127.0.0.1 serves every simulated service under its own path
prefix (``/kvk/``, ``/creditcheck/``, ``/ksz/``, ``/clientonline/``).  It is what
``make demo`` points the addons at and what the tests talk to over real HTTP.
It is never installed into Odoo.
"""

from .server import SandboxServer, TlsConfig, start_in_thread

__all__ = ["SandboxServer", "TlsConfig", "start_in_thread"]
