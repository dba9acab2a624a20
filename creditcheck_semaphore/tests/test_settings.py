import requests

from odoo.exceptions import AccessError, UserError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import CreditcheckCase


@tagged("post_install", "-at_install")
class TestCreditcheckSettings(CreditcheckCase):
    def test_settings_are_installation_wide_and_per_company(self):
        settings = Form(self.env["res.config.settings"])
        settings.creditcheck_mode = "production"
        settings.creditcheck_login = "api_acme"
        settings.creditcheck_password = "s3cret"
        settings.creditcheck_cid = "F5A4EE27-D3FD-4477-A2C2-A7656605F12C"
        settings.creditcheck_report_code = "PAID-42"
        settings.save().execute()
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(params.get_param("creditcheck_semaphore.mode"), "production")
        self.assertEqual(params.get_param("creditcheck_semaphore.login"), "api_acme")
        self.assertEqual(params.get_param("creditcheck_semaphore.password"), "s3cret")
        self.assertEqual(params.get_param("creditcheck_semaphore.cid"), "F5A4EE27-D3FD-4477-A2C2-A7656605F12C")
        self.assertEqual(self.env.company.creditcheck_report_code, "PAID-42")

    def test_endpoint_per_country_and_mode(self):
        service = self.env["creditcheck.service"]
        self.assertEqual(service._get_endpoint("sk"), f"{self.sandbox_url}/creditcheck/sk/CreditCheckAktualizace.asmx")
        self.env["ir.config_parameter"].sudo().set_param("creditcheck_semaphore.mode", "production")
        self.assertIn("creditcheck.cz/", service._get_endpoint("cz"))
        with self.assertRaises(UserError):
            service._get_endpoint("pl")

    def test_sandbox_serves_creditcheck(self):
        answer = requests.get(f"{self.sandbox_url}/creditcheck/health", timeout=5)
        self.assertEqual(answer.json()["soap"], True)

    def test_neutralize_switches_to_sandbox(self):
        params = self.env["ir.config_parameter"].sudo()
        params.search([("key", "=", "creditcheck_semaphore.mode")]).unlink()
        self.env.flush_all()
        for query in get_neutralization_queries(["creditcheck_semaphore"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        self.assertEqual(params.get_param("creditcheck_semaphore.mode"), "sandbox")

    def test_credentials_are_for_administrators_only(self):
        user = new_test_user(self.env, login="cc-sales", groups="creditcheck_semaphore.group_creditcheck_manager")
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env["ir.config_parameter"].with_user(user).get_param("creditcheck_semaphore.password")
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env.company.with_user(user).read(["creditcheck_report_code"])
