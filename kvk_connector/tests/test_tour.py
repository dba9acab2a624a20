from odoo.tests import tagged

from .common import KvkHttpCase


@tagged("post_install", "-at_install")
class TestKvkSettingsTour(KvkHttpCase):
    def test_settings_tour(self):
        company = self.env.ref("base.user_admin").company_id
        company.kvk_mode = "test"
        self.start_tour("/odoo/settings#kvk_connector", "kvk_connector_settings_tour", login="admin")
        self.assertEqual(company.kvk_mode, "sandbox")
