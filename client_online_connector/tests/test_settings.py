import requests

from odoo.exceptions import AccessError
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
