import os
import tempfile

import requests

from odoo.exceptions import AccessError, UserError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import LOG_MODULE, CreditcheckCase


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

    def test_a_warning_when_an_endpoint_is_not_https(self):
        settings = Form(self.env["res.config.settings"])
        settings.creditcheck_mode = "production"
        settings.creditcheck_endpoint_cz = (
            "http://creditwebservices.creditcheck.cz/CreditCheckWebServices/CreditCheckAktualizace.asmx"
        )
        settings.creditcheck_endpoint_sk = (
            "https://creditwebservices.creditcheck.sk/CreditCheckWebServices/CreditCheckAktualizace.asmx"
        )
        warning = settings.creditcheck_transport_warning
        self.assertIn("Czech: http://creditwebservices.creditcheck.cz/", warning)
        self.assertNotIn("Slovak", warning)
        self.assertIn("unencrypted", warning)
        settings.creditcheck_endpoint_cz = (
            "https://creditwebservices.creditcheck.cz/CreditCheckWebServices/CreditCheckAktualizace.asmx"
        )
        self.assertFalse(settings.creditcheck_transport_warning)
        settings.creditcheck_wsdl_sk = "http://example.com/CreditCheckAktualizace.asmx?WSDL"
        self.assertIn("Slovak: http://example.com/", settings.creditcheck_transport_warning)
        settings.creditcheck_wsdl_sk = ""
        settings.creditcheck_endpoint_cz = (
            "http://creditwebservices.creditcheck.cz/CreditCheckWebServices/CreditCheckAktualizace.asmx"
        )
        settings.creditcheck_mode = "sandbox"  # the local simulator: nothing leaves the machine
        self.assertFalse(settings.creditcheck_transport_warning)
        # the warning is in the Settings page
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("o_creditcheck_transport_warning", arch)


@tagged("post_install", "-at_install")
class TestCreditcheckWsdl(CreditcheckCase):
    """The WSDL shipped with the addon is the default; a vendor's may be named; nothing else is loaded."""

    def production(self, **params):
        values = {
            "creditcheck_semaphore.mode": "production",
            "creditcheck_semaphore.endpoint_cz": f"{self.sandbox_url}/creditcheck/cz/CreditCheckAktualizace.asmx",
            **params,
        }
        for key, value in values.items():
            self.env["ir.config_parameter"].sudo().set_param(key, value)

    def calls(self):
        return [(entry["method"], sorted(entry["query"])) for entry in self.sandbox_control.requests("/creditcheck/")]

    def test_the_shipped_wsdl_is_read_from_the_addon(self):
        self.production()
        self.assertTrue(self.env["creditcheck.service"]._get_wsdl("cz").endswith("CreditCheckAktualizace-cz.wsdl"))
        self.sandbox_control.clear_requests()
        log = self.run_sync("complete")
        self.assertEqual(log.state, "done")
        self.assertEqual(self.calls(), [("POST", [])])  # the call only: no ?WSDL from the network

    def test_the_vendors_wsdl_when_configured(self):
        vendor = f"{self.sandbox_url}/creditcheck/cz/CreditCheckAktualizace.asmx?WSDL"
        self.production(**{"creditcheck_semaphore.wsdl_cz": vendor})
        self.sandbox_control.clear_requests()
        log = self.run_sync("complete")
        self.assertEqual(log.state, "done")
        self.assertEqual(self.calls(), [("GET", ["WSDL"]), ("POST", [])])

    def test_a_wsdl_referring_elsewhere_is_refused(self):
        from ..clients import shipped_wsdl

        with open(shipped_wsdl("cz"), encoding="utf-8") as file:
            text = file.read()
        elsewhere = f"{self.sandbox_url}/creditcheck/cz/other.wsdl"
        text = text.replace(
            "<wsdl:types>", f'<wsdl:import namespace="http://example.com/other" location="{elsewhere}"/><wsdl:types>', 1
        )
        with tempfile.NamedTemporaryFile("w", suffix=".wsdl", delete=False, encoding="utf-8") as file:
            file.write(text)
        self.addCleanup(os.unlink, file.name)
        self.production(**{"creditcheck_semaphore.wsdl_cz": file.name})
        self.sandbox_control.clear_requests()
        with mute_logger(LOG_MODULE):
            log = self.run_sync("complete")
        self.assertEqual(log.state, "failed")
        self.assertIn("[wsdl]", log.error)
        self.assertIn("external references are not loaded", log.error)
        self.assertEqual(self.calls(), [])  # neither the other document nor the service was asked
