#!/usr/bin/env python3
"""Screenshots of a running Odoo for the READMEs, with headless Chromium.

    python tools/screenshot.py URL OUT.png [--login admin --password admin --db demo]
        [--wait-for CSS] [--width 1400 --height 900]

It logs in over JSON-RPC, hands the session cookie to Chromium through the
DevTools protocol, opens URL, waits until CSS matches (and the page is idle),
and writes a PNG.  Needs ``websocket-client`` (in the project's environment).
"""

import argparse
import base64
import json
import shutil
import socket
import subprocess
import tempfile
import time
from urllib.parse import urlsplit

import requests
import websocket


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Chrome:
    def __init__(self, width, height):
        self.port = free_port()
        self.profile = tempfile.mkdtemp(prefix="screenshot-chrome-")
        binary = shutil.which("chromium") or shutil.which("google-chrome")
        self.proc = subprocess.Popen(
            [
                binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--remote-debugging-port={self.port}", f"--user-data-dir={self.profile}",
                f"--window-size={width},{height}", "about:blank",
            ],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.ws = websocket.create_connection(self._page_ws_url(), timeout=30)
        self._id = 0

    def _page_ws_url(self):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                pages = requests.get(f"http://127.0.0.1:{self.port}/json", timeout=2).json()
                for page in pages:
                    if page.get("type") == "page":
                        return page["webSocketDebuggerUrl"]
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("Chromium did not open its DevTools port")

    def call(self, method, **params):
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self._id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def close(self):
        self.ws.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def login(base, db, user, password):
    answer = requests.post(
        f"{base}/web/session/authenticate",
        json={"jsonrpc": "2.0", "method": "call", "params": {"db": db, "login": user, "password": password}},
        timeout=30,
    )
    answer.raise_for_status()
    if answer.json().get("error"):
        raise RuntimeError(f"login refused: {answer.json()['error']['data']['message']}")
    return answer.cookies["session_id"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--db", default="demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--wait-for", default=".o_action_manager .o_view_controller")
    parser.add_argument("--click", action="append", default=[], help="CSS of an element to click first (repeatable)")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=900)
    args = parser.parse_args()

    parts = urlsplit(args.url)
    base = f"{parts.scheme}://{parts.netloc}"
    session = login(base, args.db, args.login, args.password)
    chrome = Chrome(args.width, args.height)
    try:
        chrome.call("Network.enable")
        chrome.call("Network.setCookie", name="session_id", value=session, domain=parts.hostname, path="/")
        chrome.call("Emulation.setDeviceMetricsOverride", width=args.width, height=args.height,
                    deviceScaleFactor=1, mobile=False)  # fmt: skip
        chrome.call("Page.enable")
        chrome.call("Page.navigate", url=args.url)
        for selector in [args.wait_for, *args.click]:
            deadline = time.monotonic() + 30
            while not chrome.evaluate(f"!!document.querySelector({json.dumps(selector)})"):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"nothing matched {selector!r} on {args.url}")
                time.sleep(0.2)
            if selector != args.wait_for:
                chrome.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
        time.sleep(1.5)  # let fonts, images and animations settle
        shot = chrome.call("Page.captureScreenshot", format="png")
        with open(args.out, "wb") as out:
            out.write(base64.b64decode(shot["data"]))
    finally:
        chrome.close()
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
