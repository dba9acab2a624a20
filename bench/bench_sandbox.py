"""The sandbox's own cost per request, against a bare HTTP server in the same process.

What the addons' benchmarks report as "the sandbox's latency" includes this
overhead; it should stay a small multiple of a server that does nothing.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from sandbox import start_in_thread

from .common import Result, median_p95, timings


class _Bare(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self):
        body = b'{"status": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def run(repeat=400):
    result = Result("sandbox round trip")
    bare = ThreadingHTTPServer(("127.0.0.1", 0), _Bare)
    threading.Thread(target=bare.serve_forever, daemon=True).start()
    sandbox = start_in_thread()
    try:
        with requests.Session() as session:
            base = timings(lambda: session.get(f"http://127.0.0.1:{bare.server_address[1]}/", timeout=5), repeat)
            ours = timings(lambda: session.get(f"{sandbox.url}/kvk/health", timeout=5), repeat)
    finally:
        bare.shutdown()
        sandbox.stop()
    base_median, base_p95 = median_p95(base)
    ours_median, ours_p95 = median_p95(ours)
    result.add("bare server median", base_median * 1000, "ms")
    result.add("sandbox median", ours_median * 1000, "ms", f"p95 {ours_p95 * 1000:.2f} ms")
    result.add("sandbox / bare", ours_median / base_median, "x", "median over median, same process")
    return result
