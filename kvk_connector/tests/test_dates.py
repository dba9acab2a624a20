from lxml import etree

from odoo.tests import new_test_user, tagged

from ..models.kvk_dates import readable_kvk_date
from .common import KvkCase, KvkHttpCase


@tagged("post_install", "-at_install")
class TestKvkDates(KvkCase):
    """KvK's zero-filled dates read as people read them, wherever a person reads one."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("nl_NL")
        cls.env = cls.env(user=cls.salesperson)
        cls.Partner = cls.env["res.partner"]

    def test_readable_dates(self):
        cases = {
            "20170300": ("March 2017", "maart 2017"),
            "20170000": ("2017", "2017"),
            "20170309": ("March 9, 2017", "9 maart 2017"),
            "20170231": ("February 2017", "februari 2017"),  # no such day: the month is still known
            "20171300": ("2017", "2017"),
            "00000000": ("", ""),
            "": ("", ""),
            "2017-03": ("2017-03", "2017-03"),  # not KvK's form: as it came
        }
        for raw, (english, dutch) in cases.items():
            with self.subTest(raw=raw):
                self.assertEqual(readable_kvk_date(raw, "en_US"), english)
                self.assertEqual(readable_kvk_date(raw, "nl_NL"), dutch)

    def apply_donald(self):
        wizard = self.env["kvk.search.wizard"].create({"kvk_number": "68750110"})
        wizard.action_search()
        wizard.line_ids.filtered(lambda line: line.branch_number == "000037178598").action_select()
        return wizard

    def test_preview_shows_one_readable_row_per_date(self):
        wizard = self.apply_donald()
        rows = {row.key: row for row in wizard.preview_ids}
        self.assertEqual(rows["kvk_founding_raw"].label, "Founding date")
        self.assertEqual(rows["kvk_founding_raw"].register_value, "March 2017")
        self.assertNotIn("kvk_founding_date", rows)
        self.assertNotIn("kvk_end_raw", rows, "an active company has no registration end: no empty row")
        self.assertFalse([row for row in wizard.preview_ids if "20170300" in (row.register_value or "")])
        # activities with code and description
        self.assertEqual(rows["kvk_sbi_id"].register_value, "01241 Teelt van appels en peren")
        self.assertIn("01241 Teelt van appels en peren", rows["kvk_sbi_ids"].register_value)

    def test_contact_form_and_chatter_read_the_date(self):
        partner = self.Partner.browse(self.apply_donald().action_apply()["res_id"])
        self.assertRecordValues(
            partner,
            [
                {
                    "kvk_founding_raw": "20170300",
                    "kvk_founding_date": False,
                    "kvk_founding_display": "March 2017",
                    "kvk_end_display": False,
                }
            ],
        )
        self.assertEqual(partner.with_context(lang="nl_NL").kvk_founding_display, "maart 2017")
        note = partner.message_ids[0].body
        self.assertIn("Founding date</b>: March 2017", note)
        self.assertNotIn("20170300", note)

    def test_a_complete_date_fills_the_date_field(self):
        wizard = self.env["kvk.search.wizard"].create({"kvk_number": "69599084"})
        wizard.action_search()
        wizard.line_ids.filtered(lambda line: line.branch_number == "000038509504").action_select()
        partner = self.Partner.browse(wizard.action_apply()["res_id"])
        self.assertRecordValues(partner, [{"kvk_founding_raw": "20170108", "kvk_founding_display": "January 8, 2017"}])
        self.assertEqual(str(partner.kvk_founding_date), "2017-01-08")

    def test_an_ended_registration_reads_as_a_date(self):
        wizard = self.env["kvk.search.wizard"].create({"kvk_number": "96354429", "include_inactive": True})
        wizard.action_search()
        wizard.line_ids.filtered(lambda line: line.kind == "rechtspersoon").action_select()
        rows = {row.key: row for row in wizard.preview_ids}
        self.assertEqual(rows["kvk_end_raw"].register_value, "June 30, 2024")
        partner = self.Partner.browse(wizard.action_apply()["res_id"])
        self.assertRecordValues(partner, [{"kvk_end_display": "June 30, 2024", "kvk_former": True}])
        self.assertEqual(str(partner.kvk_end_date), "2024-06-30")


@tagged("post_install", "-at_install")
class TestKvkDatesDeveloperMode(KvkHttpCase):
    """The register's raw date text is a technical field: only in developer mode."""

    def test_raw_text_only_in_developer_mode(self):
        new_test_user(
            self.env,
            login="kvk-developer",
            groups="base.group_user,base.group_no_one,kvk_connector.group_kvk_user",
            company_id=self.company.id,
        )
        names = ("kvk_founding_raw", "kvk_founding_date", "kvk_founding_display")

        def shown(login, debug):
            self.authenticate(login, login)
            self.url_open(f"/odoo?debug={debug}")
            views = self.make_jsonrpc_request(
                "/web/dataset/call_kw/res.partner/get_views",
                {"model": "res.partner", "method": "get_views", "args": [[[False, "form"]]], "kwargs": {}},
            )
            arch = etree.fromstring(views["views"]["form"]["arch"])
            return {name for name in names if arch.xpath(f"//page[@name='kvk_register']//field[@name='{name}']")}

        self.assertEqual(shown("kvk-developer", ""), {"kvk_founding_display"})
        self.assertEqual(shown("kvk-developer", "1"), set(names))
