"""``python -m sandbox --port PORT``: run every simulated service until Ctrl-C.

``--tls-cert``/``--tls-key`` serve HTTPS instead of HTTP; ``--tls-client-ca`` then also
requires a client certificate issued by that CA (mutual TLS)."""

import argparse
import logging
import signal
import sys

from .server import DEFAULT_SEED, SandboxServer, TlsConfig


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8070, help="port to listen on; 0 picks a free one")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the generated data")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    parser.add_argument("--tls-cert", help="PEM file of the server certificate (chain): serve HTTPS")
    parser.add_argument("--tls-key", help="PEM file of the server certificate's key")
    parser.add_argument("--tls-client-ca", help="PEM file of the CA whose client certificates are required")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key) or (args.tls_client_ca and not args.tls_cert):
        parser.error("--tls-cert and --tls-key go together; --tls-client-ca needs them")
    tls = TlsConfig(args.tls_cert, args.tls_key, client_ca_file=args.tls_client_ca) if args.tls_cert else None
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(asctime)s sandbox %(message)s")
    server = SandboxServer((args.host, args.port), seed=args.seed, tls=tls)
    signal.signal(signal.SIGTERM, lambda *_: server.shutdown_from_signal())
    print(f"sandbox listening on {server.url} (seed {args.seed})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
