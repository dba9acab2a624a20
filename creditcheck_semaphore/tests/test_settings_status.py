"""What the Settings tell an administrator: the endpoint and account in use, a connection test, the jobs'
last runs with their counts, units on every number and times in the administrator's time zone."""

import socket
from datetime import datetime

from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from ..clients import ParseReport
from ..models.creditcheck_service import DEFAULT_ENDPOINTS
from ..models.creditcheck_sync import MAX_RECORD_ID
from .common import SAZKA, CreditcheckCase, CreditcheckHttpCase

REFRESH_CRON = "creditcheck_semaphore.ir_cron_creditcheck_semaphore_refresh"
TRACK_CRON = "creditcheck_semaphore.ir_cron_creditcheck_semaphore_track_changes"


def closed_port():
    """A loopback port on which nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


CLOSED_PORT = closed_port()


class SettingsMixin:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = new_test_user(
            cls.env,
            login="cc-status-admin",
            groups="base.group_system,creditcheck_semaphore.group_creditcheck_manager",
            tz="Europe/Prague",
        )

    @classmethod
    def _allowed_endpoints(cls):
        # a port where nothing listens, for "cannot be reached": the guard lets it through, nothing answers
        return super()._allowed_endpoints() | {("127.0.0.1", CLOSED_PORT)}

    def params(self, **values):
        for key, value in values.items():
            self.env["ir.config_parameter"].sudo().set_param(f"creditcheck_semaphore.{key}", value)

    def settings(self, user=None):
        return Form(self.env["res.config.settings"].with_user(user or self.admin))

    def calls(self):
        return [call for call in self.sandbox_control.requests("/creditcheck/") if call["method"] == "POST"]


@tagged("post_install", "-at_install")
class TestSettingsStatus(SettingsMixin, CreditcheckCase):
    def test_the_endpoint_shown_is_the_chosen_environments(self):
        self.params(endpoint_cz="https://cc.example.cz/CreditCheckAktualizace.asmx")
        settings = self.settings()
        settings.creditcheck_mode = "sandbox"  # not saved: the form follows the choice
        self.assertEqual(
            (settings.creditcheck_endpoint_url_cz, settings.creditcheck_endpoint_url_sk),
            (
                f"{self.sandbox_url}/creditcheck/cz/CreditCheckAktualizace.asmx",
                f"{self.sandbox_url}/creditcheck/sk/CreditCheckAktualizace.asmx",
            ),
        )
        settings.creditcheck_mode = "production"
        self.assertEqual(settings.creditcheck_endpoint_url_cz, "https://cc.example.cz/CreditCheckAktualizace.asmx")
        self.assertEqual(settings.creditcheck_endpoint_url_sk, DEFAULT_ENDPOINTS["sk"])
        self.assertNotIn("127.0.0.1", settings.creditcheck_endpoint_url_sk)
        # and the calls go where the Settings say
        self.params(mode="sandbox")
        self.assertEqual(
            self.env["creditcheck.service"]._get_endpoint("cz"),
            f"{self.sandbox_url}/creditcheck/cz/CreditCheckAktualizace.asmx",
        )
        # the production endpoints are not offered for editing while the sandbox is chosen
        arch = etree.fromstring(self.env["res.config.settings"].get_view(view_type="form")["arch"])
        (endpoints,) = arch.xpath("//*[@id='creditcheck_endpoints']")
        self.assertIn("creditcheck_mode == 'sandbox'", endpoints.get("invisible"))

    def test_without_a_login_the_settings_say_what_is_used(self):
        self.params(login="", password="")
        settings = self.settings()
        settings.creditcheck_mode = "sandbox"
        self.assertIn("“api_sandbox” is used", settings.creditcheck_login_note)
        settings.creditcheck_mode = "production"
        self.assertIn("CreditCheck cannot be asked", settings.creditcheck_login_note)
        settings.creditcheck_login = "api_acme"
        settings.creditcheck_password = "secret"
        self.assertEqual(settings.creditcheck_login_note, "The login and password entered here are used.")
        # the seam uses what the note says: the sandbox's account, and the sandbox accepts it
        self.params(mode="sandbox")
        self.assertEqual(self.env["creditcheck.service"]._credentials(), ("api_sandbox", "sandbox"))
        self.assertEqual(self.run_sync("complete").state, "done")
        self.params(mode="production")
        self.assertFalse(any(self.env["creditcheck.service"]._credentials()))

    def run_connection_test(self, user=None):
        settings = self.env["res.config.settings"].with_user(user or self.admin).create({})
        return settings.action_creditcheck_test_connection()["params"]

    def test_connection_works(self):
        self.sandbox_control.clear_requests()
        params = self.run_connection_test()
        self.assertEqual(params["type"], "success")
        self.assertRegex(
            params["message"],
            rf"^Czech: CreditCheck answered at {self.sandbox_url}/creditcheck/cz/\S+ in \d+\.\d\d seconds: "
            rf"the connection works\. Slovak: CreditCheck answered at {self.sandbox_url}/creditcheck/sk/",
        )
        # one call per country, each in the sync log
        self.assertEqual([call["path"].split("/")[2] for call in self.calls()], ["cz", "sk"])
        logs = self.env["creditcheck.sync.log"].search([("kind", "=", "test")], order="id")
        expected = {"method": "GetCreditChecksBatch", "state": "done", "lines_read": 0, "user_id": self.admin.id}
        self.assertRecordValues(logs, [dict(expected, country="cz"), dict(expected, country="sk")])
        # the cheapest call: the changes after the last possible record, an empty list, where the
        # changes after record 0 are the whole history
        history = self.env["creditcheck.service"]._iter_lines("cz", "GetCreditChecksBatch", ParseReport(), last_id=0)
        self.assertGreater(len(list(history)), 0)
        self.assertEqual(MAX_RECORD_ID, 2**63 - 1)  # the largest s:long of the WSDL
        self.assertEqual(self.env["creditcheck.sync"]._single_checks_left("cz"), 200)
        self.assertFalse(self.env["creditcheck.status"].search([]), "a test applies nothing")

    def test_connection_refused_login(self):
        self.params(login="api_wrong", password="wrong", countries="cz")
        params = self.run_connection_test()
        self.assertEqual(params["type"], "danger")
        self.assertEqual(params["message"], "CreditCheck refused the login “api_wrong”: check the login and password.")
        log = self.env["creditcheck.sync.log"].search([("kind", "=", "test")])
        self.assertRecordValues(log, [{"state": "failed"}])
        self.assertIn("[login_refused]", log.error)

    def test_connection_unreachable(self):
        endpoint = f"http://127.0.0.1:{CLOSED_PORT}/CreditCheckWebServices/CreditCheckAktualizace.asmx"
        self.params(mode="production", endpoint_cz=endpoint, countries="cz")
        params = self.run_connection_test()
        self.assertEqual(params["type"], "danger")
        self.assertTrue(params["message"].startswith(f"{endpoint} cannot be reached:"), params["message"])

    def test_connection_too_slow(self):
        self.params(timeout="1", countries="cz")
        self.sandbox_control.arm_fault("/creditcheck/cz/", latency_ms=2500)
        params = self.run_connection_test()
        self.assertEqual(params["type"], "danger")
        self.assertEqual(
            params["message"],
            f"{self.sandbox_url}/creditcheck/cz/CreditCheckAktualizace.asmx did not answer within 1 seconds.",
        )

    def test_production_without_an_account_calls_nothing(self):
        self.params(mode="production", login="", password="", countries="cz")
        self.sandbox_control.clear_requests()
        params = self.run_connection_test()
        self.assertEqual(params["type"], "danger")
        self.assertIn("production needs the API account", params["message"])
        self.assertEqual(self.calls(), [])

    def test_only_administrators_test_the_connection(self):
        settings = self.env["res.config.settings"].with_user(self.admin).create({})
        self.sandbox_control.clear_requests()
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            settings.with_user(self.manager).action_creditcheck_test_connection()
        self.assertEqual(self.calls(), [])

    # -- the jobs' last runs ----------------------------------------------------------------------

    def test_the_last_successful_run_of_each_job_with_its_counts(self):
        self.params(countries="cz,sk")
        settings = self.settings()
        self.assertEqual(settings.creditcheck_job_complete, "Czech: not run yet\nSlovak: not run yet")
        self.assertEqual(settings.creditcheck_job_digest, "not run yet")
        self.make_partners(self.subjects(limit=60))
        with freeze_time("2026-01-20 01:00:05"):
            done = self.run_sync("complete")
        self.assertEqual(done.state, "done")
        # a later failure does not replace the last success
        with (
            freeze_time("2026-01-21 01:00:05"),
            mute_logger("odoo.addons.creditcheck_semaphore.models.creditcheck_sync"),
        ):
            self.params(login="api_wrong", password="wrong")
            self.assertEqual(self.run_sync("complete").state, "failed")
            self.params(login="api_sandbox", password="sandbox")
        settings = self.settings()
        # the end of the run in the administrator's time zone (Prague, UTC+1 in January)
        self.assertEqual(
            settings.creditcheck_job_complete,
            f"Czech: Jan 20, 2026, 2:00:05 AM, subjects applied: {done.lines_applied} from {done.lines_read} lines, "
            f"partners changed: {done.partners_changed}\nSlovak: not run yet",
        )
        self.assertGreater(done.partners_changed, 0)
        # the one-subject checks: what is used of CreditCheck's 200 a day
        sazka = self.env["res.partner"].search([("creditcheck_ico", "=", SAZKA)])
        sazka.with_user(self.salesman).action_creditcheck_check_now()
        self.assertIn("Czech: 1 of 200 used in the last 24 hours", self.settings().creditcheck_job_single)
        # the change tracking, the messages and the digest
        with freeze_time("2026-01-20 01:30:00"):
            changes = self.run_sync("changes")
            self.env["res.partner"]._cron_creditcheck_notify()
            self.env["creditcheck.event"]._cron_digest()
        settings = self.settings()
        self.assertIn(
            f"Czech: Jan 20, 2026, 2:30:00 AM, new events: {changes.lines_applied} from {changes.lines_read} records",
            settings.creditcheck_job_changes,
        )
        self.assertRegex(
            settings.creditcheck_job_notify,
            r"^Jan 20, 2026, 2:30:00 AM, changes and events told: \d+, left for the next run: 0$",
        )
        self.assertEqual(settings.creditcheck_job_digest, "Jan 20, 2026, 2:30:00 AM, digest mails sent: 1")

    # -- units and time zones -------------------------------------------------------------------

    def test_the_refresh_hour_is_in_the_administrators_time_zone(self):
        with freeze_time("2026-01-10 12:00:00"):
            settings = self.settings()
            self.assertEqual(settings.creditcheck_user_tz, "Europe/Prague")
            settings.creditcheck_refresh_hour = 4
            settings.save().execute()
            # 04:00 in Prague is 03:00 UTC in winter
            self.assertEqual(self.env.ref(REFRESH_CRON).nextcall, datetime(2026, 1, 11, 3, 0))
            self.assertEqual(self.env.ref(TRACK_CRON).nextcall, datetime(2026, 1, 11, 3, 30))
            self.assertEqual(self.settings().creditcheck_refresh_hour, 4)
            # an administrator in UTC reads the same moment in their time zone
            other = new_test_user(self.env, login="cc-status-utc", groups="base.group_system", tz="UTC")
            self.assertEqual(self.settings(other).creditcheck_refresh_hour, 3)
            # saving other settings leaves the plan alone
            settings = self.settings()
            settings.creditcheck_hold_share = 40
            settings.save().execute()
            self.assertEqual(self.env.ref(REFRESH_CRON).nextcall, datetime(2026, 1, 11, 3, 0))
        with freeze_time("2026-07-10 12:00:00"):
            settings = self.settings()
            settings.creditcheck_refresh_hour = 1
            settings.save().execute()
            # 01:00 in Prague is 23:00 UTC the day before in summer
            self.assertEqual(self.env.ref(REFRESH_CRON).nextcall, datetime(2026, 7, 10, 23, 0))

    def test_units_on_every_number(self):
        arch = etree.fromstring(self.env["res.config.settings"].get_view(view_type="form")["arch"])
        (app,) = arch.xpath("//app[@name='creditcheck_semaphore']")

        def text(setting_id):
            (setting,) = app.xpath(f".//*[@id='{setting_id}']")
            return " ".join(" ".join(setting.itertext()).split())

        self.assertIn("seconds", text("creditcheck_timeout"))
        self.assertIn("times a year", text("creditcheck_defunct_per_year"))
        self.assertIn("o'clock, your time zone", text("creditcheck_refresh_hour"))
        download = text("creditcheck_download")
        self.assertIn("MB", download)
        self.assertIn("% of the last applied list", download)
        numbers = {
            node.get("name")
            for node in app.xpath(".//field")
            if self.env["res.config.settings"]._fields[node.get("name")].type in ("integer", "float", "monetary")
        }
        self.assertEqual(
            numbers,
            {
                "creditcheck_timeout",
                "creditcheck_refresh_hour",
                "creditcheck_defunct_per_year",
                "creditcheck_max_decompressed_mb",
                "creditcheck_hold_share",
            },
            "a number without its unit in this test",
        )
        self.assertEqual(self.env["creditcheck.sync.log"]._fields["duration"].string, "Duration (seconds)")


@tagged("post_install", "-at_install")
class TestSettingsStatusOverRpc(SettingsMixin, CreditcheckHttpCase):
    @mute_logger("odoo.http")
    def test_the_connection_test_is_for_administrators_over_rpc(self):
        new_test_user(self.env, login="cc-status-portal", groups="base.group_portal")
        new_test_user(self.env, login="cc-status-plain", groups="base.group_user")
        self.sandbox_control.clear_requests()
        for login in ("cc-status-portal", "cc-status-plain", "cc-manager"):
            with self.subTest(login=login):
                self.authenticate(login, login)
                with self.assertRaises(JsonRpcException):
                    self.rpc("res.config.settings", "action_creditcheck_test_connection", [])
                with self.assertRaises(JsonRpcException):
                    self.rpc("creditcheck.sync", "_test_connection")
        self.assertEqual(self.calls(), [])
        self.assertFalse(self.env["creditcheck.sync.log"].search([]))
        self.authenticate("cc-status-admin", "cc-status-admin")
        settings = self.rpc("res.config.settings", "create", {})
        result = self.rpc("res.config.settings", "action_creditcheck_test_connection", [settings], route="call_button")
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual(len(self.calls()), 2)
