"""``make demo`` builds a database that works on the first click and calls nothing outside the machine.

The database is built by the same function ``make demo`` uses, with a sandbox on a free port,
and with every HTTP(S) request of Odoo sent through a proxy that only records where it was
asked to go: the demo must not ask it anything.
"""

import os
import socketserver
import subprocess
import sys
import threading
import xmlrpc.client
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import requests

from sandbox import start_in_thread

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import bootstrap  # noqa: E402
import demo  # noqa: E402
from run_tests import free_port  # noqa: E402


class RecordingProxy(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """An HTTP proxy that forwards nothing: it notes each request's target and answers 502."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.seen = []
        super().__init__(("127.0.0.1", 0), ProxyHandler)


class ProxyHandler(BaseHTTPRequestHandler):
    def _refuse(self):
        self.server.seen.append(f"{self.command} {self.path}")
        self.send_response(502)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = do_HEAD = do_CONNECT = _refuse

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory):
    state = bootstrap.ensure(with_tools=False)
    proxy = RecordingProxy()
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    sandbox = start_in_thread()
    database = f"demo_test_{os.getpid()}"
    proxy_url = f"http://127.0.0.1:{proxy.server_address[1]}"
    env = dict(
        os.environ,
        PYTHONPATH=str(bootstrap.ROOT),
        HTTP_PROXY=proxy_url,
        HTTPS_PROXY=proxy_url,
        http_proxy=proxy_url,
        https_proxy=proxy_url,
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    env.pop("ODOO_RC", None)
    data_dir = tmp_path_factory.mktemp("demo-data")
    server = None
    try:
        demo.build_database(state, env, database, data_dir, sandbox.url)
        port = free_port()
        odoo = demo.odoo_command(state, database, data_dir)
        server = subprocess.Popen(
            [*odoo, "--http-port", str(port), "--max-cron-threads", "0", "--log-level", "warn"], env=env
        )
        assert demo.wait_for(f"http://127.0.0.1:{port}/web/login", seconds=120), "the demo's Odoo did not start"
        yield {"url": f"http://127.0.0.1:{port}", "database": database, "proxy": proxy, "sandbox": sandbox}
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        proxy.shutdown()
        sandbox.stop()
        subprocess.run(["dropdb", "--if-exists", database], check=False)


def rpc(demo_database, login, password):
    url = demo_database["url"]
    uid = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(
        demo_database["database"], login, password, {}
    )
    assert uid, f"{login} cannot log in to the demo"
    models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object", allow_none=True)

    def call(model, method, *args, **kwargs):
        return models.execute_kw(demo_database["database"], uid, password, model, method, list(args), kwargs)

    return call


def test_the_demo_has_the_apps_a_user_walks_through(demo_database):
    call = rpc(demo_database, "admin", "admin")
    states = {
        module["name"]: module["state"]
        for module in call(
            "ir.module.module",
            "search_read",
            [("name", "in", [*demo.DEMO_MODULES, "partner_autocomplete"])],
            fields=["name", "state"],
        )
    }
    assert all(states[name] == "installed" for name in demo.DEMO_MODULES), states
    assert states["partner_autocomplete"] == "uninstalled"
    roots = call("ir.ui.menu", "search_read", [("parent_id", "=", False)], fields=["name"])
    assert {"Sales", "Contacts"} <= {menu["name"] for menu in roots}


def test_the_demo_partners_have_their_first_creditcheck_colours(demo_database):
    call = rpc(demo_database, "admin", "admin")
    runs = call("creditcheck.sync.log", "search_read", [], fields=["country", "kind", "state"])
    assert {(run["country"], run["kind"], run["state"]) for run in runs} >= {
        ("cz", "complete", "done"),
        ("sk", "complete", "done"),
        ("cz", "defunct", "done"),
    }
    coloured = call("res.partner", "search_count", [("creditcheck_state", "in", ["green", "orange", "red"])])
    assert coloured > 0


def test_a_creditcheck_sync_works_on_the_demo(demo_database):
    """The demo's Czech and Slovak partners have their colours and change events from the first
    synchronisations; the demo's Czech salesperson checks one at once and the administrator's
    connection test works: real calls to the sandbox with the demo's account."""
    admin = rpc(demo_database, "admin", "admin")
    names = ["demo_partner_sazka", "demo_partner_strojirna", "demo_partner_pekarny", "demo_partner_zanikla",
             "demo_partner_kosice"]  # fmt: skip
    refs = admin(
        "ir.model.data", "search_read", [("module", "=", "creditcheck_semaphore"), ("name", "in", names)],
        fields=["name", "res_id"],
    )  # fmt: skip
    ids = {ref["name"]: ref["res_id"] for ref in refs}
    partners = {
        partner["id"]: partner
        for partner in admin(
            "res.partner",
            "read",
            list(ids.values()),
            fields=["creditcheck_badge", "creditcheck_defunct", "creditcheck_country", "creditcheck_event_count"],
        )  # fmt: skip
    }
    seen = {
        name: (partners[ids[name]]["creditcheck_badge"], partners[ids[name]]["creditcheck_defunct"]) for name in names
    }
    assert seen == {
        "demo_partner_sazka": ("red", False),
        "demo_partner_strojirna": ("orange", False),
        "demo_partner_pekarny": ("green", False),
        "demo_partner_zanikla": ("red", True),
        "demo_partner_kosice": ("orange", False),
    }, seen
    assert partners[ids["demo_partner_kosice"]]["creditcheck_country"] == "sk"
    assert partners[ids["demo_partner_sazka"]]["creditcheck_event_count"] > 0
    runs = admin("creditcheck.sync.log", "search_read", [("kind", "in", ["complete", "changes", "defunct"])],
                 fields=["state"])  # fmt: skip
    assert {run["state"] for run in runs} == {"done"}, runs
    jana = rpc(demo_database, "jana", "jana")
    result = jana("res.partner", "action_creditcheck_check_now", [ids["demo_partner_sazka"]])
    assert "nothing changed, the status is still Red" in result["params"]["message"], result
    settings = admin("res.config.settings", "create", {})
    result = admin("res.config.settings", "action_creditcheck_test_connection", [settings])
    assert result["params"]["type"] == "success", result
    assert "the connection works" in result["params"]["message"]


def test_a_kvk_search_works_on_the_first_click(demo_database):
    """The demo's Dutch salesperson searches the register for the demo contact and fills it: the demo
    company asks the sandbox with the sandbox's documented key, having no key of its own."""
    admin = rpc(demo_database, "admin", "admin")
    company = admin("res.users", "read", [2], fields=["company_id"])[0]["company_id"][0]
    settings = admin("res.company", "read", [company], fields=["kvk_mode", "kvk_api_key"])[0]
    assert (settings["kvk_mode"], settings["kvk_api_key"]) == ("sandbox", False)
    call = rpc(demo_database, "sanne", "sanne")
    (donald,) = call("res.partner", "search_read", [("name", "=", "Donald"), ("is_company", "=", True)], fields=["id"])
    action = call("res.partner", "action_kvk_search", [donald["id"]])
    assert action["context"]["default_name"] == "Donald"
    wizard = call("kvk.search.wizard", "create", {}, context=action["context"])
    call("kvk.search.wizard", "action_search", [wizard])
    (found,) = call("kvk.search.wizard", "read", [wizard], fields=["state", "message", "line_ids"])
    assert (found["state"], found["message"]) == ("results", False), found
    lines = call("kvk.search.wizard.line", "read", found["line_ids"], fields=["branch_number", "kind"])
    (main,) = [line for line in lines if line["branch_number"] == "000037178598"]
    call("kvk.search.wizard.line", "action_select", [main["id"]])
    call("kvk.search.wizard", "action_apply", [wizard])
    (filled,) = call(
        "res.partner", "read", [donald["id"]], fields=["kvk_linked", "company_registry", "kvk_rsin", "city"]
    )
    assert (filled["kvk_linked"], filled["company_registry"], filled["kvk_rsin"], filled["city"]) == (
        True, "68750110", "857587973", "Lollum",
    )  # fmt: skip
    logs = call("kvk.query.log", "search_read", [("partner_id", "=", donald["id"])], fields=["product", "state"])
    assert sorted((log["product"], log["state"]) for log in logs) == [("basisprofiel", "done"), ("zoeken", "done")]


def test_a_social_debt_check_and_payment_work_on_the_first_click(demo_database):
    """The demo's Belgian accountant checks the demo contractor with debts and pays its demo bill: the
    demo company asks the sandbox, its requests signed with the sandbox demo certificate (it has no
    certificate of its own), and the payment is split as the withholding wants it."""
    admin = rpc(demo_database, "admin", "admin")
    company = admin("res.users", "read", [2], fields=["company_id"])[0]["company_id"][0]
    fields = ["social_debt_mode", "social_debt_certificate", "social_debt_enterprise_number"]
    (settings,) = admin("res.company", "read", [company], fields=fields)
    assert (settings["social_debt_mode"], settings["social_debt_certificate"]) == ("sandbox", False), settings
    assert settings["social_debt_enterprise_number"] == "0477472701"
    call = rpc(demo_database, "lotte", "lotte")
    (debtor,) = call(
        "res.partner", "search_read", [("name", "=", "Betonwerken De Smet NV")],
        fields=["social_debt_verdict", "social_debt_applies", "social_debt_scope"],
    )  # fmt: skip
    assert (debtor["social_debt_verdict"], debtor["social_debt_applies"], debtor["social_debt_scope"]) == (
        "not_checked", True, "art30bis",
    )  # fmt: skip
    result = call("res.partner", "action_social_debt_check", [debtor["id"]])
    assert result["params"] == {**result["params"], "type": "success", "message": "Checked: Social and tax debt."}
    (checked,) = call("res.partner", "read", [debtor["id"]], fields=["social_debt_verdict", "social_debt_check_id"])
    assert checked["social_debt_verdict"] == "social_tax_debt"
    (check,) = call(
        "social.debt.check", "read", [checked["social_debt_check_id"][0]],
        fields=["state", "mode", "backend", "proof_attachment_id"],
    )  # fmt: skip
    assert (check["state"], check["mode"], check["backend"]) == ("answered", "sync", "ksz")
    assert check["proof_attachment_id"], "the proof is printed and kept"
    (bill,) = call("account.move", "search_read", [("ref", "=", "F-DEMO-0042")], fields=["payment_state"])
    assert bill["payment_state"] == "not_paid"
    context = {"active_model": "account.move", "active_ids": [bill["id"]]}
    wizard = call("account.payment.register", "create", {}, context=context)
    (split,) = call(
        "account.payment.register", "read", [wizard], context=context,
        fields=["social_debt_state", "social_debt_rsz_amount", "social_debt_fod_amount", "social_debt_supplier_amount"],
    )  # fmt: skip
    assert split == {**split, "social_debt_state": "split", "social_debt_rsz_amount": 350.0,
                     "social_debt_fod_amount": 150.0, "social_debt_supplier_amount": 500.0}  # fmt: skip
    call("account.payment.register", "action_create_payments", [wizard], context=context)
    (paid,) = call("account.move", "read", [bill["id"]], fields=["payment_state", "matched_payment_ids"])
    assert paid["payment_state"] in ("paid", "in_payment"), paid
    assert len(paid["matched_payment_ids"]) == 3
    # the administrator's connection test says the connection works, with the same demo certificate
    settings_id = admin("res.config.settings", "create", {})
    test = admin("res.config.settings", "action_social_debt_test_connection", [settings_id])
    assert test["params"]["type"] == "success", test["params"]["message"]


def test_the_demo_calls_nothing_outside_the_machine(demo_database):
    call = rpc(demo_database, "admin", "admin")
    # What a first login sets off: the web client's session information and company enrichment.
    call("res.users", "read", [2], fields=["name"])
    cron = call(
        "ir.model.data", "search_read", [("module", "=", "mail"), ("name", "=", "ir_cron_module_update_notification")],
        fields=["res_id"],
    )  # fmt: skip
    assert call("ir.cron", "read", [cron[0]["res_id"]], fields=["active"])[0]["active"] is False
    assert demo_database["proxy"].seen == []
    # The proxy does see what the demo's Odoo sends out: the update notification it switched off,
    # run by hand, goes through it (and fails there, in cron mode quietly).
    assert call("publisher_warranty.contract", "update_notification", [], cron_mode=True) is False
    assert any("services.odoo.com" in seen for seen in demo_database["proxy"].seen), demo_database["proxy"].seen


def test_a_clientonline_document_is_sent_on_the_first_click(demo_database):
    """The demo's accountant sends the demo's OB declaration from its client's contact to the sandbox's
    portal, the demo company logging in with the sandbox's documented account (it has none of its own);
    the scheduled job, run once by hand, picks up the demo's folder."""
    outside = list(demo_database["proxy"].seen)
    admin = rpc(demo_database, "admin", "admin")
    company = admin("res.users", "read", [2], fields=["company_id"])[0]["company_id"][0]
    settings = admin(
        "res.company",
        "read",
        [company],
        fields=["client_online_mode", "client_online_username", "client_online_folder_inbox"],
    )[0]
    assert (settings["client_online_mode"], settings["client_online_username"]) == ("sandbox", False)
    inbox = Path(settings["client_online_folder_inbox"])
    assert len(list(inbox.iterdir())) == 4, "the demo's folder has files waiting"
    # Test connection, as the administrator
    config = admin("res.config.settings", "create", {})
    notice = admin("res.config.settings", "action_client_online_test_connection", [config])
    assert notice["params"]["type"] == "success", notice
    # the accountant sends the declaration attached to the test company
    call = rpc(demo_database, "bram", "bram")
    (sbr,) = call("res.partner", "search_read", [("company_registry", "=", "30267975")], fields=["id"])
    action = call("res.partner", "action_client_online_send", [sbr["id"]])
    wizard = call("client.online.send.wizard", "create", {}, context=action["context"])
    (check,) = call("client.online.send.wizard", "read", [wizard], fields=["check_ok", "check_message", "declaration"])
    assert check["check_ok"], check
    opened = call("client.online.send.wizard", "action_send", [wizard])
    notice = call("client.online.document", "action_send_now", [opened["res_id"]])
    assert notice["params"]["type"] == "success", notice
    (document,) = call("client.online.document", "read", [opened["res_id"]], fields=["state", "portal_ref"])
    assert document["state"] == "sent" and document["portal_ref"].startswith("CO-")
    portal = requests.get(f"{demo_database['sandbox'].url}/clientonline/_admin/documents", timeout=10).json()
    placed = {(doc["account"], doc["name"]) for doc in portal["documents"]}
    assert ("sandbox-demo", "ob-aangifte 2025-Q3.xbrl") in placed
    # the folder's files, by one run of the job
    (cron,) = admin(
        "ir.model.data", "search_read",
        [("module", "=", "client_online_connector"), ("name", "=", "ir_cron_client_online_connector_sync")],
        fields=["res_id"],
    )  # fmt: skip
    admin("ir.cron", "method_direct_trigger", [cron["res_id"]])
    states = {
        doc["name"]: doc["state"]
        for doc in admin("client.online.document", "search_read", [("source", "=", "folder")], fields=["name", "state"])
    }
    assert states == {
        "61234567_publicatiestukken 2024.pdf": "sent",
        "vpb-aangifte 2024 De Linde.xbrl": "sent",
        "71234568_ob-aangifte 2025-Q3.xbrl": "permanently_failed",
        "6123456_brief Korenschoof.pdf": "not_found",
    }, states
    assert demo_database["proxy"].seen == outside, "nothing went out of the machine"


def test_the_kvk_inbox_has_something_to_review(demo_database):
    """The demo salesperson finds updates, a deletion, a move and new registrations in the KvK inbox, each of
    them from the sandbox's change signals; the demo profile's bulk file has been tested."""
    call = rpc(demo_database, "sanne", "sanne")
    items = call("kvk.review", "search_read", [("to_review", "=", True)], fields=["kind", "user_id", "kvk_number"])
    assert {"update", "deleted", "move", "new"} <= {item["kind"] for item in items}, items
    (sanne,) = call("res.users", "search_read", [("login", "=", "sanne")], fields=["id"])
    assert all(item["user_id"] and item["user_id"][0] == sanne["id"] for item in items), items
    followed = call("kvk.enrolment", "search_count", [("state", "=", "active")])
    assert followed >= 3
    (profile,) = call(
        "kvk.profile", "search_read", [("bulk_filename", "!=", False)], fields=["selection_matches", "selection_band"]
    )
    assert profile["selection_band"] == "within" and profile["selection_matches"] > 1000, profile
    admin = rpc(demo_database, "admin", "admin")
    runs = admin("kvk.job.run", "search_read", [("job", "=", "signals")], fields=["state", "read_count"])
    assert runs and runs[0]["state"] == "done" and runs[0]["read_count"] >= 10, runs
