import base64

from odoo.exceptions import AccessError, UserError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import SocialDebtCase


@tagged("post_install", "-at_install")
class TestSocialDebtSettings(SocialDebtCase):
    def test_settings_write_the_company(self):
        pem = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
        settings = Form(self.env["res.config.settings"].with_company(self.company))
        settings.social_debt_mode = "production"
        settings.social_debt_endpoint = "https://ksz.example.be/EmployerAccountBalance"
        settings.social_debt_certificate = pem
        settings.save().execute()
        self.assertRecordValues(
            self.company,
            [
                {
                    "social_debt_mode": "production",
                    "social_debt_endpoint": "https://ksz.example.be/EmployerAccountBalance",
                }
            ],
        )
        self.assertEqual(self.company.social_debt_certificate, pem)

    def test_endpoint_follows_the_mode(self):
        service = self.env["social.debt.service"]
        self.assertEqual(service._get_endpoint(self.company), f"{self.sandbox_url}/ksz/EmployerAccountBalance")
        self.company.social_debt_mode = "production"
        with self.assertRaisesRegex(UserError, "has no KSZ endpoint"):
            service._get_endpoint(self.company)

    def test_neutralize_switches_to_sandbox(self):
        self.company.social_debt_mode = "production"
        self.env.flush_all()
        for query in get_neutralization_queries(["social_debt"]):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.assertEqual(self.company.social_debt_mode, "sandbox")

    def test_certificate_is_for_administrators_only(self):
        user = new_test_user(
            self.env, login="sd-user", groups="social_debt.group_social_debt_manager", company_id=self.company.id
        )
        self.assertEqual(self.company.with_user(user).social_debt_mode, "sandbox")
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.company.with_user(user).read(["social_debt_certificate_password"])

    def test_source_and_own_number_are_set_per_company(self):
        settings = Form(self.env["res.config.settings"].with_company(self.company))
        settings.social_debt_backend = "billretainment"
        settings.social_debt_customer_number = "0414.445.663"
        settings.social_debt_check_tax = False
        settings.save().execute()
        self.assertRecordValues(
            self.company,
            [{"social_debt_backend": "billretainment", "social_debt_enterprise_number": "0414445663"}],
        )
        self.assertEqual(self.company_2.social_debt_backend, "ksz")
        self.assertEqual(
            self.env["social.debt.service"]._get_endpoint(self.company, "rsz"),
            f"{self.sandbox_url}/rsz/billRetainment/v1",
        )
