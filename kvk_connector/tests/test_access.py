from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import KvkCase


@tagged("post_install", "-at_install")
class TestConfidentialData(KvkCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Gemeentelijk Loket",
                "is_company": True,
                "kvk_bsn": "111222333",
                "kvk_private_address": "Privéweg 1, 1234 AB Ergens",
            }
        )
        cls.confidential = new_test_user(
            cls.env,
            login="kvk-confidential",
            groups="base.group_user,kvk_connector.group_kvk_confidential",
            company_id=cls.company.id,
        )

    def test_ordinary_users_do_not_read_confidential_fields(self):
        partner = self.partner.with_user(self.salesperson)
        self.assertEqual(partner.name, "Gemeentelijk Loket")
        for field in ("kvk_bsn", "kvk_private_address"):
            with self.assertRaises(AccessError), mute_logger("odoo.models"):
                partner.read([field])
        self.assertNotIn("kvk_bsn", partner.fields_get())

    def test_confidential_group_reads_them(self):
        partner = self.partner.with_user(self.confidential)
        self.assertEqual(partner.read(["kvk_bsn"])[0]["kvk_bsn"], "111222333")
        self.assertIn("kvk_bsn", partner.fields_get())

    def test_form_view_hides_them(self):
        arch = self.env["res.partner"].with_user(self.salesperson).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("kvk_branch_number", arch)
        self.assertNotIn("kvk_bsn", arch)
