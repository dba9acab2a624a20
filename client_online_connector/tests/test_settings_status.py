"""What the Settings tell an administrator: the endpoint and account in use, a connection test that says
what happened, units on every number, and the scheduled job's last successful run with its counts."""

import ssl
import tempfile
from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import Form, TransactionCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from ..models.client_online_document import LOCK_COMPANY
from ..models.client_online_service import DEFAULT_ENDPOINT, SANDBOX_URL_PARAM, TIMEOUT_PARAM
from .common import ClientOnlineCase, ClientOnlineHttpCase, minimal_pdf, samples

try:
    from sandbox.testing import SandboxCaseMixin, SandboxControl
    from sandbox.tls import make_test_pki
except ImportError as exc:  # pragma: no cover - a set-up error, not a test result
    raise ImportError("the tests need the project's sandbox on PYTHONPATH (make test does)") from exc


@tagged("post_install", "-at_install")
class TestSettingsStatus(ClientOnlineCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.administrator = new_test_user(
            cls.env,
            login="co-status-admin",
            groups="base.group_system,client_online_connector.group_client_online_manager",
            company_id=cls.company.id,
        )
        cls.administrator.company_ids = cls.company

    def settings(self):
        return Form(self.env["res.config.settings"].with_user(self.administrator).with_company(self.company))

    def connection_test(self):
        settings = self.env["res.config.settings"].with_user(self.administrator).with_company(self.company).create({})
        return settings.action_client_online_test_connection()["params"]

    def logins(self):
        return self.env["client.online.attempt"].search(
            [("company_id", "=", self.company.id), ("operation", "=", "login")]
        )

    # -- what the page shows ------------------------------------------------------------------------------

    def test_the_endpoint_shown_is_the_chosen_environments(self):
        settings = self.settings()
        self.assertEqual(settings.client_online_endpoint_url, f"{self.sandbox_url}/clientonline/soap/2010/accordering")
        settings.client_online_mode = "production"  # not saved: the page follows the choice
        self.assertEqual(settings.client_online_endpoint_url, DEFAULT_ENDPOINT)
        settings.client_online_endpoint = "https://portal.example.nl/soap/2010/accordering"
        self.assertEqual(settings.client_online_endpoint_url, "https://portal.example.nl/soap/2010/accordering")
        settings.client_online_mode = "sandbox"
        self.assertNotIn("example.nl", settings.client_online_endpoint_url, "no production address in the sandbox")
        self.assertEqual(
            settings.client_online_endpoint_url, self.env["client.online.service"]._get_endpoint(self.company)
        )
        # the production endpoint field shows only while production is chosen
        arch = etree.fromstring(
            self.env["res.config.settings"].with_user(self.administrator).get_view(view_type="form")["arch"]
        )
        (endpoint,) = arch.xpath("//setting[@id='client_online_endpoint']")
        self.assertEqual(endpoint.get("invisible"), "client_online_mode != 'production'")

    def test_without_an_account_the_settings_say_what_is_used(self):
        self.company.write({"client_online_username": False, "client_online_password": False})
        settings = self.settings()
        self.assertIn("sandbox-demo", settings.client_online_account_note)
        settings.client_online_mode = "production"
        self.assertIn("production needs the office's portal account", settings.client_online_account_note)
        settings.client_online_username = "kantoor-delta"
        self.assertIn("No password entered", settings.client_online_account_note)
        settings.client_online_password = "geheim"
        self.assertEqual(settings.client_online_account_note, "The company's own portal account kantoor-delta is used.")
        # and the seam logs in with what the note says: the sandbox's account, in the sandbox only
        service = self.env["client.online.service"]
        self.assertEqual(service._credentials(self.company), ("sandbox-demo", "sandbox"))
        self.assertTrue(service._connection_ready(self.company))
        self.company.client_online_mode = "production"
        self.assertEqual(service._credentials(self.company), ("", ""))
        self.assertFalse(service._connection_ready(self.company))

    def test_every_number_has_its_unit(self):
        arch = self.env.ref("client_online_connector.res_config_settings_view_form").arch
        for field_name, unit in (
            ("client_online_interval", "minutes"),
            ("client_online_max_attempts", "attempts"),
            ("client_online_max_file_mb", "MB"),
            ("client_online_settle_seconds", "seconds"),
        ):
            with self.subTest(field=field_name):
                self.assertRegex(arch, rf'<field name="{field_name}" class="oe_inline"/> <span>{unit}</span>')
        # times are datetime fields: the browser shows them in the user's time zone
        for name in ("client_online_job_last_run", "client_online_last_run"):
            self.assertEqual(self.env["res.config.settings"]._fields[name].type, "datetime")
        self.assertEqual(self.env["client.online.job.run"]._fields["ended_at"].type, "datetime")

    # -- Test connection ----------------------------------------------------------------------------------------

    def test_connection_works(self):
        params = self.connection_test()
        self.assertEqual(params["type"], "success")
        self.assertIn("the connection works", params["message"])
        self.assertIn(f"{self.sandbox_url}/clientonline/soap/2010/accordering", params["message"])
        (call,) = self.portal_calls()  # one call, the login
        self.assertEqual(call["status"], 200)
        self.assertRecordValues(self.logins(), [{"outcome": "ok", "user_id": self.administrator.id}])
        self.assertEqual(self.logins().request_text, "Log in as sandbox-delta")

    def test_connection_with_the_sandbox_account_when_none_is_entered(self):
        self.company.write({"client_online_username": False, "client_online_password": False})
        params = self.connection_test()
        self.assertEqual(params["type"], "success", params["message"])
        self.assertIn("sandbox-demo", params["message"])

    @mute_logger("odoo.addons.client_online_connector.models.client_online_service")
    def test_connection_refused_credentials(self):
        self.company.client_online_password = "wrong"
        params = self.connection_test()
        self.assertEqual(params["type"], "danger")
        self.assertEqual(params["message"], "The portal refused the user name or password.")
        self.assertRecordValues(self.logins(), [{"outcome": "error", "error_code": "login"}])

    def test_connection_unreachable(self):
        self.env["ir.config_parameter"].set_param(TIMEOUT_PARAM, "1")
        self.sandbox_control.arm_fault("/clientonline/soap/", latency_ms=2500)
        params = self.connection_test()
        self.assertEqual(params["type"], "danger")
        self.assertIn("cannot be reached", params["message"])
        self.assertIn("did not answer within 1.0 seconds", params["message"])
        self.env["ir.config_parameter"].set_param(SANDBOX_URL_PARAM, "http://127.0.0.1:9")
        params = self.connection_test()
        self.assertEqual(params["type"], "danger")
        self.assertIn("http://127.0.0.1:9/clientonline/soap/2010/accordering cannot be reached", params["message"])

    def test_production_without_an_account_calls_nothing(self):
        self.company.write(
            {"client_online_mode": "production", "client_online_username": False, "client_online_password": False}
        )
        params = self.connection_test()
        self.assertEqual(params["type"], "danger")
        self.assertIn("production needs the office's portal account", params["message"])
        self.assertFalse(self.logins())

    def test_only_administrators_test_the_connection(self):
        manager = new_test_user(
            self.env,
            login="co-status-manager",
            groups="base.group_user,client_online_connector.group_client_online_manager",
            company_id=self.company.id,
        )
        settings = self.env["res.config.settings"].with_user(self.administrator).with_company(self.company).create({})
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            settings.with_user(manager).action_client_online_test_connection()
        self.assertEqual(self.portal_calls(), [])

    # -- the job's runs ------------------------------------------------------------------------------------

    def test_the_last_successful_run_with_its_counts(self):
        settings = self.settings()
        self.assertEqual(settings.client_online_job_last_summary, "not run yet")
        self.assertFalse(settings.client_online_job_last_run)
        self.drop("61234567_jaarrekening.pdf", minimal_pdf())
        self.drop("ob.xbrl", samples.ob_declaration("001000044B93", *samples.quarter(2025, 3)))  # nobody's
        # a run while another holds the company is skipped: recorded, but no success
        with self.registry.cursor() as other_run:
            other_run.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_COMPANY, self.company.id])
            self.assertTrue(other_run.fetchone()[0])
            self.assertFalse(self.run_job())
            other_run.rollback()
        skipped = self.env["client.online.job.run"].search([("company_id", "=", self.company.id)])
        self.assertEqual(skipped.state, "skipped")
        self.assertEqual(self.settings().client_online_job_last_summary, "not run yet")
        # the run picks up both files, sends one (the other matches no client)
        self.assertTrue(self.run_job())
        run = self.env["client.online.job.run"]._last(self.company)
        self.assertRecordValues(
            run, [{"picked_count": 2, "sent_count": 1, "failed_count": 0, "changed_count": 0, "moved_count": 1}]
        )
        settings = self.settings()
        self.assertEqual(settings.client_online_job_last_run, run.ended_at)
        self.assertEqual(
            settings.client_online_job_last_summary,
            "files picked up: 2, documents sent: 1, uploads failed: 0, states changed: 0, files moved: 1",
        )
        # the client approves: the next run sees it and files the document
        (document,) = self.documents().filtered(lambda d: d.state == "sent")
        self.portal_act(document, "approve")
        self.run_job()
        run = self.env["client.online.job.run"]._last(self.company)
        self.assertRecordValues(run, [{"picked_count": 0, "sent_count": 0, "changed_count": 1, "moved_count": 1}])
        # the other company's runs are its own
        self.run_job(self.company_b)
        self.assertEqual(self.env["client.online.job.run"]._last(self.company), run)
        self.assertTrue(self.env["client.online.job.run"]._last(self.company_b))

    def test_a_run_that_could_not_do_everything_says_so(self):
        self.company.client_online_folder_inbox = "/nowhere/at/all"
        self.run_job()
        run = self.env["client.online.job.run"]._last(self.company)
        self.assertIn("does not exist", run.problems)
        self.assertIn("does not exist", self.settings().client_online_status)

    def test_runs_are_kept_ninety_days(self):
        Runs = self.env["client.online.job.run"]
        old = Runs._record(self.company, fields.Datetime.now())
        other = Runs._record(self.company_b, fields.Datetime.now())
        self.env.cr.execute(
            "UPDATE client_online_job_run SET ended_at = %s WHERE id IN %s",
            [fields.Datetime.now() - timedelta(days=91), (old.id, other.id)],
        )
        self.env.invalidate_all()
        Runs._record(self.company, fields.Datetime.now())
        self.assertFalse(old.exists())
        self.assertTrue(other.exists(), "a company's run forgets only its own old runs")

    def test_runs_cannot_be_written_by_anyone(self):
        run = self.env["client.online.job.run"]._record(self.company, fields.Datetime.now())
        with self.assertRaises(Exception), mute_logger("odoo.models"):  # noqa: B017 - UserError or AccessError
            run.sudo().write({"sent_count": 99})
        with self.assertRaises(Exception), mute_logger("odoo.models"):  # noqa: B017
            run.sudo().unlink()
        with self.assertRaises(Exception), mute_logger("odoo.models"):  # noqa: B017
            self.env["client.online.job.run"].sudo().create({"company_id": self.company.id})
        self.assertEqual(run.sent_count, 0)


@tagged("post_install", "-at_install")
class TestConnectionCertificate(SandboxCaseMixin, TransactionCase):
    """The portal on HTTPS with a certificate this server does not trust: a certificate problem."""

    @classmethod
    def _sandbox_tls(cls):
        folder = tempfile.mkdtemp(prefix="client-online-pki-")
        cls.pki = make_test_pki(folder)
        return cls.pki.tls_config(require_client_cert=False)

    @classmethod
    def _sandbox_control_context(cls):
        return ssl.create_default_context(cafile=str(cls.pki.ca_file))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(SANDBOX_URL_PARAM, cls.sandbox_url)
        cls.company = cls.env["res.company"].create(
            {
                "name": "Kantoor Zeta",
                "client_online_mode": "sandbox",
                "client_online_username": "sandbox-zeta",
                "client_online_password": "sandbox",
            }
        )
        cls.env.user.company_ids |= cls.company

    def test_an_untrusted_certificate_is_a_certificate_problem(self):
        self.assertTrue(self.sandbox_url.startswith("https://"))
        SandboxControl(self.sandbox_url, ssl_context=self._sandbox_control_context()).clear_requests()
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        params = settings.action_client_online_test_connection()["params"]
        self.assertEqual(params["type"], "danger")
        self.assertTrue(params["message"].startswith("Certificate problem at https://127.0.0.1:"), params["message"])
        self.assertIn("certificate", params["message"])
        login = self.env["client.online.attempt"].search([("company_id", "=", self.company.id)])
        self.assertRecordValues(login, [{"operation": "login", "outcome": "error", "error_code": "certificate"}])
        # the handshake failed: the portal never saw the login
        self.assertEqual(self.sandbox_control.requests("/clientonline/soap/"), [])


@tagged("post_install", "-at_install")
class TestJobRunAccess(ClientOnlineHttpCase):
    """The job's runs and the connection test over RPC, as users who should not get them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for login, groups, company in (
            ("co-run-portal", "base.group_portal", cls.company),
            ("co-run-plain", "base.group_user", cls.company),
            ("co-run-user", "base.group_user,client_online_connector.group_client_online_user", cls.company),
            ("co-run-manager", "base.group_user,client_online_connector.group_client_online_manager", cls.company),
            ("co-run-other", "base.group_user,client_online_connector.group_client_online_manager", cls.company_b),
        ):
            new_test_user(cls.env, login=login, groups=groups, company_id=company.id,
                          company_ids=[(6, 0, company.ids)])  # fmt: skip
        Runs = cls.env["client.online.job.run"]
        cls.ours = Runs._record(cls.company, fields.Datetime.now(), counts={"sent": 5})
        cls.theirs = Runs._record(cls.company_b, fields.Datetime.now(), counts={"sent": 7})

    def rpc(self, login, model, method, args=(), **kwargs):
        self.authenticate(login, login)
        params = {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        return self.make_jsonrpc_request(f"/web/dataset/call_kw/{model}/{method}", params)

    def refused(self, login, model, method, args=(), **kwargs):
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.rpc(login, model, method, args, **kwargs)

    def test_who_reads_the_runs(self):
        for login in ("co-run-portal", "co-run-plain", "co-run-user"):
            with self.subTest(login=login):
                self.refused(login, "client.online.job.run", "search_read", [[]], fields=["sent_count"])
        seen = self.rpc("co-run-manager", "client.online.job.run", "search_read", [[]], fields=["id"])
        self.assertEqual({row["id"] for row in seen} & {self.ours.id, self.theirs.id}, {self.ours.id})
        seen = self.rpc("co-run-other", "client.online.job.run", "search_read", [[]], fields=["id"])
        self.assertEqual({row["id"] for row in seen} & {self.ours.id, self.theirs.id}, {self.theirs.id})
        self.refused("co-run-manager", "client.online.job.run", "write", [[self.ours.id], {"sent_count": 1}])
        self.refused("co-run-manager", "client.online.job.run", "create", [{"company_id": self.company.id}])
        self.refused("co-run-manager", "client.online.job.run", "unlink", [[self.ours.id]])
        self.refused("co-run-manager", "client.online.job.run", "_record", [self.company.id, False])
        self.assertEqual(self.ours.sent_count, 5)

    def test_the_connection_test_is_for_administrators_over_rpc(self):
        for login in ("co-run-portal", "co-run-plain", "co-run-manager"):
            with self.subTest(login=login):
                self.refused(login, "res.config.settings", "action_client_online_test_connection", [[]])
                self.refused(login, "client.online.service", "_test_connection", [self.company.id])
        self.assertEqual(self.portal_calls(), [])
