#!/usr/bin/env python3
"""``make demo``: the sandbox and Odoo with a ``demo`` database, until Ctrl-C.

The first run creates the database ``demo`` with the four addons and their demo
data; later runs update the addons.  Every connector is pointed at the sandbox.
Ports: ``DEMO_PORT`` (Odoo, default 8069) and ``SANDBOX_PORT`` (default 8070).
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
import bootstrap  # noqa: E402
from run_tests import ADDONS, free_port  # noqa: E402

from sandbox.services import clientonline_data as samples  # noqa: E402

DATABASE = os.environ.get("DEMO_DATABASE", "demo")
ODOO_PORT = int(os.environ.get("DEMO_PORT", "8069"))
SANDBOX_PORT = int(os.environ.get("SANDBOX_PORT", "8070"))
SANDBOX_URL_PARAM = "register_connectors.sandbox_url"
# Besides the four addons, what a user needs to walk each flow: the Sales app (quotations
# and orders with the CreditCheck alerts; it brings Invoicing along).
DEMO_MODULES = [*ADDONS, "sale_management"]
# Run once in a new demo database, after it points at the sandbox.  A demo makes no call to
# Odoo's online services, which may be unreachable and then hold a request for seconds:
# the weekly update notification is switched off and partner autocomplete (IAP enrichment of
# companies, suggestions on company names) is uninstalled.  Then the first CreditCheck
# synchronisations, so that the demo partners show their colours and have their change events,
# and the job that writes their chatter messages and to-dos.
FIRST_RUN = """
env.ref("mail.ir_cron_module_update_notification").active = False
if "creditcheck.status" in env:
    for country, kind in (("cz", "complete"), ("sk", "complete"), ("cz", "defunct"), ("cz", "changes"),
                          ("sk", "changes")):
        env["creditcheck.status"]._run(country, kind)
    env["res.partner"]._cron_creditcheck_notify()
"""
# KvK: the demo salesperson's companies followed for register changes, a few change signals from the
# sandbox for them (a new name and website, an end, a continuation, new registrations), and the change-signal
# job run once, so that the KvK inbox has updates, a deletion, a move and new registrations to review; the
# demo profile's bulk file tested.  Donald and Dagobert are left for the search.
KVK_INBOX = """
if "kvk.signal.job" in env:
    import base64, json, urllib.request
    from datetime import datetime, timedelta, timezone

    sandbox = env["ir.config_parameter"].get_param("register_connectors.sandbox_url")

    def sandbox_call(path, payload=None):
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(sandbox + path, data=data, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.read()

    sanne = env.ref("kvk_connector.demo_user_kvk_salesperson")
    env.ref("base.main_company").kvk_use_mutaties = True
    followed = {}
    for kvk, branch in (("68727720", "000037143557"), ("69599068", "990064773193"), ("69599076", "000038509474")):
        wizard = env["kvk.search.wizard"].with_user(sanne).create({"kvk_number": kvk})
        wizard.action_search()
        wizard.line_ids.filtered(lambda line: line.branch_number == branch).action_select()
        followed[kvk] = env["res.partner"].browse(wizard.action_apply()["res_id"])
        followed[kvk].user_id = sanne
    at = (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat()
    for signal in (
        {"type": "changed", "kvk_number": "68727720", "blocks": ["maOnderneming"], "change": "name"},
        {"type": "changed", "kvk_number": "68727720", "blocks": ["eigenaar"]},
        {"type": "changed", "kvk_number": "68727720", "blocks": ["vestigingen"], "change": "address"},
        {"type": "ended", "kvk_number": "69599068", "reason": "OO"},
        {"type": "continuation", "kvk_number": "69599076"},
    ):
        sandbox_call("/kvk/_mutaties/signal", {**signal, "at": at})
    sandbox_call("/kvk/_mutaties/emit", {"count": 8, "types": ["new"], "at": at})
    env["kvk.signal.job"]._cron_kvk_signals()
    profile = env.ref("kvk_connector.demo_profile_den_bosch")
    profile.write({"bulk_file": base64.b64encode(sandbox_call("/kvk/_bulk?rows=100000&bad_every=20000")),
                   "bulk_filename": "kvk-bulk.csv"})
    profile.action_test_selection()
"""
# Last: the uninstallation commits and reloads the registry, which leaves ``env`` behind.
UNINSTALL = """
autocomplete = env["ir.module.module"].search([("name", "=", "partner_autocomplete"), ("state", "=", "installed")])
autocomplete.button_immediate_uninstall()
"""


# ClientOnline's folders of the demo office (in the data folder, on the Odoo server) and the files
# waiting in "to portal" when the demo starts: a PDF for a client by its KvK number, a corporate tax
# return found by its RSIN, a VAT return whose OB number is not its client's (refused before sending)
# and a letter whose number has a typo (no client: suggestions).
CLIENT_ONLINE_FOLDERS = {
    "inbox": "naar portaal",
    "approved": "geaccordeerd",
    "rejected": "afgekeurd",
    "not_found": "niet gevonden",
    "failed": "mislukt",
}


def client_online_demo(data_dir):
    """Make the demo office's ClientOnline folders with their first files; the shell lines that set them."""
    base = Path(data_dir) / "clientonline"
    folders = {}
    for key, name in CLIENT_ONLINE_FOLDERS.items():
        (base / name).mkdir(parents=True, exist_ok=True)
        folders[f"client_online_folder_{key}"] = str(base / name)
    files = {
        "61234567_publicatiestukken 2024.pdf": samples.pdf("Publicatiestukken 2024 Bakkerij De Korenschoof B.V."),
        "vpb-aangifte 2024 De Linde.xbrl": samples.corporate_tax("815948475", 2024),
        "71234568_ob-aangifte 2025-Q3.xbrl": samples.ob_declaration("001000044B37", *samples.quarter(2025, 3)),
        "6123456_brief Korenschoof.pdf": samples.pdf("Brief aan Bakkerij De Korenschoof"),
    }
    for name, content in files.items():
        (base / CLIENT_ONLINE_FOLDERS["inbox"] / name).write_bytes(content)
    return f'if "client.online.document" in env:\n    env.ref("base.main_company").write({folders!r})\n'


def database_exists(database):
    out = subprocess.run(
        ["psql", "-X", "-At", "-d", "postgres", "-c", f"SELECT 1 FROM pg_database WHERE datname = '{database}'"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout.strip() == "1"


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback URL
                return True
        except OSError:
            time.sleep(0.3)
    return False


def odoo_command(state, database, data_dir):
    """Odoo on ``database`` with the project's addons, listening on loopback only."""
    return [
        state["python"], "-m", "odoo",
        "--database", database,
        "--db-filter", f"^{database}$",
        "--addons-path", ",".join(state["addons_path"]),
        "--data-dir", str(data_dir),
        "--http-interface", "127.0.0.1",
        "--gevent-port", str(free_port()),
    ]  # fmt: skip


def build_database(state, env, database, data_dir, sandbox_url):
    """Create ``database`` with the demo modules and data, or update it when it exists;
    either way point every connector at the sandbox on ``sandbox_url``."""
    odoo = odoo_command(state, database, data_dir)
    step = "--update" if database_exists(database) else "--init"
    print(f"[demo] {'updating' if step == '--update' else 'creating'} the database {database!r}", flush=True)
    with tempfile.NamedTemporaryFile("w", suffix=".py") as script:
        # Point every connector at this sandbox, whatever port it runs on.
        script.write(f"env['ir.config_parameter'].set_param({SANDBOX_URL_PARAM!r}, {sandbox_url!r})\n")
        if step == "--init":
            script.write(FIRST_RUN)
            script.write(client_online_demo(data_dir))
            script.write(KVK_INBOX)
        script.write("env.cr.commit()\n")
        if step == "--init":
            script.write(UNINSTALL)
        script.flush()
        modules = DEMO_MODULES if step == "--init" else ADDONS
        install = [*odoo, step, ",".join(modules), "--stop-after-init", "--log-level", "warn"]
        subprocess.run(install, env=env, check=True)
        with open(script.name) as stdin:
            subprocess.run(
                [*odoo[:3], "shell", *odoo[3:], "--no-http", "--log-level", "warn"],
                env=env, stdin=stdin, check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip


def main():
    try:
        state = bootstrap.ensure()
    except bootstrap.SetupError as exc:
        print(f"[setup] error: {exc}", file=sys.stderr)
        return 2
    env = dict(os.environ, PYTHONPATH=str(bootstrap.ROOT))
    data_dir = bootstrap.cache_dir() / "demo-data"
    sandbox_url = f"http://127.0.0.1:{SANDBOX_PORT}"
    sandbox = subprocess.Popen(
        [state["python"], "-m", "sandbox", "--port", str(SANDBOX_PORT), "--quiet"], cwd=bootstrap.ROOT, env=env
    )
    server = None
    try:
        if not wait_for(f"{sandbox_url}/health"):
            print(f"the sandbox did not start on port {SANDBOX_PORT} (set SANDBOX_PORT to a free port)")
            return 1
        build_database(state, env, DATABASE, data_dir, sandbox_url)
        odoo = odoo_command(state, DATABASE, data_dir)
        server = subprocess.Popen([*odoo, "--http-port", str(ODOO_PORT), "--log-level", "warn"], env=env)
        if wait_for(f"http://127.0.0.1:{ODOO_PORT}/web/login", seconds=60):
            print(
                f"\n  Odoo:    http://127.0.0.1:{ODOO_PORT}  (database {DATABASE}, login admin, password admin)\n"
                f"  Sandbox: {sandbox_url}/health\n  Ctrl-C stops both.\n",
                flush=True,
            )
        server.wait()
        return server.returncode
    except KeyboardInterrupt:
        return 0
    except subprocess.CalledProcessError as exc:
        print(f"[demo] {exc}", file=sys.stderr)
        return 1
    finally:
        for proc in (server, sandbox):
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()


if __name__ == "__main__":
    sys.exit(main())
