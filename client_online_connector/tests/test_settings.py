import requests

from odoo.exceptions import AccessError, UserError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import ClientOnlineCase


@tagged("post_install", "-at_install")
class TestClientOnlineSettings(ClientOnlineCase):
    def test_settings_write_the_company(self):
        settings = Form(self.env["res.config.settings"].with_company(self.company))
        settings.client_online_mode = "production"
        settings.client_online_username = "kantoor-delta"
        settings.client_online_password = "geheim"
        settings.save().execute()
        self.assertRecordValues(
            self.company,
            [
                {
                    "client_online_mode": "production",
                    "client_online_username": "kantoor-delta",
                    "client_online_password": "geheim",
                    "client_online_endpoint": "https://www.clientonline.nl/soap/2010/accordering",
                }
            ],
        )

    def test_endpoint_follows_the_mode(self):
        service = self.env["client.online.service"]
        endpoint = service._get_endpoint(self.company)
        self.assertEqual(endpoint, f"{self.sandbox_url}/clientonline/soap/2010/accordering")
        self.assertEqual(requests.get(f"{self.sandbox_url}/clientonline/health", timeout=5).status_code, 200)
        self.company.client_online_mode = "production"
        self.assertEqual(service._get_endpoint(self.company), "https://www.clientonline.nl/soap/2010/accordering")

    def test_neutralize_switches_to_sandbox(self):
        self.company.client_online_mode = "production"
        self.env.flush_all()
        for query in get_neutralization_queries(["client_online_connector"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.assertEqual(self.company.client_online_mode, "sandbox")
        self.assertFalse(self.company.client_online_folder_inbox, "a copy never takes the office's files")
        self.assertFalse(self.company.client_online_folder_approved)

    def test_password_is_for_administrators_only(self):
        user = new_test_user(
            self.env,
            login="co-user",
            groups="client_online_connector.group_client_online_manager",
            company_id=self.company.id,
        )
        self.assertEqual(self.company.with_user(user).client_online_mode, "sandbox")
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.company.with_user(user).read(["client_online_password"])


@tagged("post_install", "-at_install")
class TestConnectionAndFolders(ClientOnlineCase):
    def settings(self):
        return self.env["res.config.settings"].with_company(self.company).create({})

    def test_test_connection(self):
        result = self.settings().action_client_online_test_connection()
        self.assertEqual(result["params"]["type"], "success")
        self.assertIn("/clientonline/soap/2010/accordering", result["params"]["message"])
        self.company.client_online_password = "wrong"
        result = self.settings().action_client_online_test_connection()
        self.assertEqual(result["params"]["type"], "danger")
        self.assertIn("refused the user name or password", result["params"]["message"])
        logins = self.env["client.online.attempt"].search(
            [("company_id", "=", self.company.id), ("operation", "=", "login")]
        )
        self.assertEqual(logins.mapped("outcome"), ["error", "ok"])
        with self.assertRaises(AccessError):
            self.settings().with_user(self.accountant).action_client_online_test_connection()

    def test_check_folders(self):
        result = self.settings().action_client_online_check_folders()
        self.assertEqual(result["params"]["type"], "success")
        self.company.client_online_folder_rejected = "/sys/kernel"
        self.company.client_online_folder_failed = "/nowhere/at/all"
        result = self.settings().action_client_online_check_folders()
        self.assertEqual(result["params"]["type"], "danger")
        for words in ("rejected", "cannot be written", "failed", "does not exist"):
            self.assertIn(words, self.company.client_online_status)

    def test_two_companies_cannot_share_a_folder(self):
        settings = self.env["res.config.settings"].with_company(self.company_b).create({})
        settings.client_online_folder_approved = self.company.client_online_folder_inbox
        with self.assertRaises(UserError):
            settings.execute()

    def test_the_job_runs_as_often_as_the_most_frequent_company_wants(self):
        cron = self.env.ref("client_online_connector.ir_cron_client_online_connector_sync")
        self.company.client_online_interval = 7
        self.assertEqual((cron.interval_number, cron.interval_type), (7, "minutes"))
        self.company_b.client_online_interval = 3
        self.assertEqual(cron.interval_number, 3)

    def test_send_for_approval_offered_on_other_records(self):
        bank_model = self.env["ir.model"]._get("res.partner.bank")
        settings = self.settings()
        settings.client_online_bound_model_ids = bank_model
        settings.execute()
        action = self.env["ir.actions.act_window"].search(
            [("res_model", "=", "client.online.send.wizard"), ("binding_model_id", "=", bank_model.id)]
        )
        self.assertEqual(len(action), 1)
        self.assertEqual(action.groups_id, self.env.ref("client_online_connector.group_client_online_user"))
        self.assertIn(bank_model, self.settings().client_online_bound_model_ids)
        settings = self.settings()
        settings.client_online_bound_model_ids = False
        settings.execute()
        self.assertFalse(action.exists())
        # contacts offer it with their own button, where ClientOnline applies, not in every contact's Action menu
        partner_action = self.env.ref("client_online_connector.client_online_send_wizard_action")
        self.assertFalse(partner_action.binding_model_id)

    def test_the_vendors_wsdl_replaces_the_rebuilt_one(self):
        settings = self.settings()
        settings.client_online_wsdl = f"{self.sandbox_url}/clientonline/soap/2010/accordering?wsdl"
        settings.execute()
        service = self.env["client.online.service"]
        self.assertEqual(service._get_wsdl(), f"{self.sandbox_url}/clientonline/soap/2010/accordering?wsdl")
        self.sandbox_control.clear_requests()
        self.settings().action_client_online_test_connection()
        fetched = [r for r in self.sandbox_control.requests("/clientonline/soap/") if r["method"] == "GET"]
        self.assertEqual(len(fetched), 1, "the WSDL came from the configured address")
        settings = self.settings()
        settings.client_online_wsdl = False
        settings.execute()
        self.assertTrue(service._get_wsdl().endswith("client_online_connector/schemas/clientonline_accordering.wsdl"))
