from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import KvkCase


@tagged("post_install", "-at_install")
class TestKvkSettings(KvkCase):
    def test_settings_write_the_company(self):
        settings = Form(self.env["res.config.settings"].with_company(self.company))
        settings.kvk_mode = "production"
        settings.kvk_api_key = "l7xx-production-key"
        settings.kvk_timeout = 25
        settings.save().execute()
        self.assertRecordValues(
            self.company, [{"kvk_mode": "production", "kvk_api_key": "l7xx-production-key", "kvk_timeout": 25}]
        )

    def test_products_cost_and_retention(self):
        settings = Form(self.env["res.config.settings"].with_company(self.company))
        settings.kvk_use_naamgeving = True
        settings.kvk_price_naamgeving = 0.05
        settings.kvk_use_vestigingsprofiel = False
        settings.kvk_cache_hours = 48
        settings.kvk_monthly_cap = 25
        settings.kvk_log_retention_days = 90
        settings.save().execute()
        self.assertRecordValues(
            self.company,
            [
                {
                    "kvk_use_naamgeving": True,
                    "kvk_price_naamgeving": 0.05,
                    "kvk_use_vestigingsprofiel": False,
                    "kvk_cache_hours": 48,
                    "kvk_monthly_cap": 25,
                }
            ],
        )
        self.assertEqual(self.env["ir.config_parameter"].get_param("kvk_connector.log_retention_days"), "90")
        service = self.env["kvk.service"].with_company(self.company)
        self.assertTrue(service._product_enabled("naamgeving") and service._product_enabled("zoeken"))
        self.assertFalse(service._product_enabled("vestigingsprofiel"))
        self.assertEqual(service._product_price("naamgeving"), 0.05)
        self.assertEqual(service._product_price("zoeken"), 0.0)

    def test_client_is_built_from_the_settings(self):
        self.company.kvk_timeout = 7
        client = self.env["kvk.service"]._get_client(self.company)
        self.assertEqual(
            (client.base_url, client.api_key, client.timeout), (f"{self.sandbox_url}/kvk/api", "sandbox-key", 7)
        )
        self.assertIs(client.verify, True)
        self.env["ir.config_parameter"].set_param("kvk_connector.ca_bundle", "/etc/ssl/kvk-chain.pem")
        self.assertEqual(self.env["kvk.service"]._get_client(self.company).verify, "/etc/ssl/kvk-chain.pem")

    def test_endpoint_follows_the_mode(self):
        service = self.env["kvk.service"]
        self.assertEqual(service._get_base_url(self.company), f"{self.sandbox_url}/kvk/api")
        self.company.kvk_mode = "test"
        self.assertEqual(service._get_base_url(self.company), "https://api.kvk.nl/test/api")
        self.company.kvk_mode = "production"
        self.assertEqual(service._get_base_url(self.company), "https://api.kvk.nl/api")

    def test_neutralize_switches_to_sandbox(self):
        self.company.kvk_mode = "production"
        self.env.flush_all()
        for query in get_neutralization_queries(["kvk_connector"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.assertEqual(self.company.kvk_mode, "sandbox")

    def test_api_key_is_for_administrators_only(self):
        user = new_test_user(
            self.env,
            login="kvk-sales",
            groups="base.group_user,kvk_connector.group_kvk_user",
            company_id=self.company.id,
        )
        company = self.company.with_user(user)
        self.assertEqual(company.kvk_mode, "sandbox")
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            company.read(["kvk_api_key"])

    def test_timeout_must_be_positive(self):
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                self.company.kvk_timeout = 0
                self.env.flush_all()
