"""``python -m sandbox --port PORT``: run every simulated service until Ctrl-C."""

import argparse
import logging
import signal
import sys

from .server import DEFAULT_SEED, SandboxServer


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8070, help="port to listen on; 0 picks a free one")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the generated data")
    parser.add_argument("--quiet", action="store_true", help="do not log each request")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(asctime)s sandbox %(message)s")
    server = SandboxServer((args.host, args.port), seed=args.seed)
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
