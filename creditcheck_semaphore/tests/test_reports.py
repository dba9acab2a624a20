import json

from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import SAZKA, CreditcheckHttpCase


@tagged("post_install", "-at_install")
class TestCreditcheckPaidReport(CreditcheckHttpCase):
    """The paid report's code is the company's secret: the browser gets a link to this server only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.make_second_company()
        cls.company.creditcheck_report_code = "PAID-A"
        cls.company_b.creditcheck_report_code = "PAID-B"
        partner = cls.env["res.partner"]
        cls.partner_a = partner.create(
            {"name": "Sazka a.s.", "is_company": True, "company_registry": SAZKA, "country_id": cls.cz.id,
             "company_id": cls.company.id}
        )  # fmt: skip
        cls.partner_b = partner.create(
            {"name": "B's subject", "is_company": True, "company_registry": "00177041", "country_id": cls.cz.id,
             "company_id": cls.company_b.id}
        )  # fmt: skip
        cls.shared = partner.create(
            {"name": "Shared", "is_company": True, "company_registry": "25865366", "country_id": cls.cz.id}
        )
        cls.person = partner.create({"name": "A person at Sazka", "parent_id": cls.partner_a.id})
        cls.portal = new_test_user(cls.env, login="cc-portal", groups="base.group_portal")
        cls.plain = new_test_user(cls.env, login="cc-plain", groups="base.group_user")

    def open_report(self, partner):
        return self.url_open(f"/creditcheck/report/{partner.id}", allow_redirects=False)

    def test_the_code_is_not_in_anything_the_browser_reads(self):
        self.authenticate("cc-salesman", "cc-salesman")
        ids = [self.partner_a.id, self.shared.id, self.person.id]
        rows = self.rpc("res.partner", "read", ids, ["creditcheck_report_url"])
        self.assertEqual(
            [row["creditcheck_report_url"] for row in rows],
            [f"/creditcheck/report/{self.partner_a.id}", f"/creditcheck/report/{self.shared.id}",
             f"/creditcheck/report/{self.partner_a.id}"],
        )  # fmt: skip
        form = self.rpc(
            "res.partner", "web_read", ids, specification={"creditcheck_report_url": {}, "creditcheck_badge": {}}
        )
        self.assertNotIn("PAID", json.dumps(form))
        with self.assertRaises(JsonRpcException), mute_logger("odoo.http"):
            self.rpc("res.company", "read", [self.company.id], ["creditcheck_report_code"])

    def test_the_route_redirects_with_the_partners_company_code(self):
        self.authenticate("cc-salesman", "cc-salesman")
        answer = self.open_report(self.partner_a)
        self.assertEqual(answer.status_code, 303)
        self.assertEqual(
            answer.headers["Location"], f"https://www.creditcheck.cz/CCLfull.aspx?cid=TEST-CID&ic={SAZKA}&code=PAID-A"
        )
        self.assertEqual(answer.headers["Cache-Control"], "no-store")
        self.assertEqual(self.open_report(self.person).headers["Location"], answer.headers["Location"])
        # a shared partner: the code of the company the user works in
        self.assertIn("code=PAID-A", self.open_report(self.shared).headers["Location"])
        self.authenticate("cc-salesman-b", "cc-salesman-b")
        self.assertIn("ic=00177041&code=PAID-B", self.open_report(self.partner_b).headers["Location"])

    def test_no_redirect_without_access_to_the_partner(self):
        self.authenticate("cc-salesman", "cc-salesman")
        with mute_logger("odoo.http"):
            answer = self.open_report(self.partner_b)  # company B's partner, not readable in company A
        self.assertEqual(answer.status_code, 404)
        self.assertNotIn("PAID", answer.text + str(answer.headers))
        for login in ("cc-portal", "cc-plain"):  # no CreditCheck rights
            self.authenticate(login, login)
            with mute_logger("odoo.http"):
                answer = self.open_report(self.partner_a)
            self.assertEqual(answer.status_code, 403, login)
            self.assertNotIn("PAID", answer.text + str(answer.headers))
        self.authenticate(None, None)
        answer = self.open_report(self.partner_a)
        self.assertEqual(answer.status_code, 303)
        self.assertIn("/web/login", answer.headers["Location"])
        self.assertNotIn("PAID", answer.headers["Location"])

    def test_the_free_report_without_a_code(self):
        self.company.sudo().creditcheck_report_code = False
        self.partner_a.invalidate_recordset(["creditcheck_report_url"])
        self.assertEqual(
            self.partner_a.creditcheck_report_url, f"http://www.creditcheck.cz/CCLfree.aspx?cid=TEST-CID&ic={SAZKA}"
        )
