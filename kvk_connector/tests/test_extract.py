import re

from lxml import html

from odoo.tests import tagged

from .common import KvkHttpCase


def text_of(html_bytes, css_class):
    """The text a reader sees in the element of ``css_class`` (spaces collapsed), one string per element."""
    root = html.fromstring(html_bytes)
    return [
        re.sub(r"\s+", " ", " ".join(element.itertext())).strip()
        for element in root.xpath(f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {css_class} ')]")
    ]


@tagged("post_install", "-at_install")
class TestExtract(KvkHttpCase):
    def apply(self, kvk_number, branch_number, **values):
        wizard = self.env["kvk.search.wizard"].with_user(self.salesperson).create({"kvk_number": kvk_number, **values})
        wizard.action_search()
        wizard.line_ids.filtered(lambda line: line.branch_number == branch_number).action_select()
        return self.env["res.partner"].browse(wizard.action_apply()["res_id"])

    def render(self, partner):
        report = self.env["ir.actions.report"].with_user(self.salesperson)
        return report._render_qweb_html("kvk_connector.report_kvk_extract", partner.ids)[0]

    def test_extract_pdf_is_stored_on_the_contact(self):
        partner = self.apply("68750110", "000037178598")
        action = partner.with_user(self.salesperson).action_kvk_print_extract()
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id), ("mimetype", "=", "application/pdf")]
        )
        self.assertEqual(len(attachment), 1)
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        self.assertIn(str(attachment.id), action["url"])
        self.assertIn(attachment, partner.message_ids[0].attachment_ids)

    def test_the_extract_is_a_document_to_file(self):
        """Every register value held, as people read it, and where it came from (the report's HTML: what
        wkhtmltopdf prints, whatever build of it is installed)."""
        partner = self.apply("68750110", "000037178598")
        page = self.render(partner)
        (table,) = text_of(page, "o_kvk_extract_table")
        for text in (
            "KvK number 68750110",
            "Vestigingsnummer 000037178598",
            "Registration Main branch",
            "RSIN 857587973",
            "Legal form Besloten vennootschap met gewone structuur",
            "Statutory name Test BV Donald",
            "Founding date March 2017",
            "Website https://www.testbvdonald.nl",
            "Main activity (SBI) 01241 Teelt van appels en peren",
            "Employees 4 (2 full-time, 1 part-time)",
        ):
            self.assertIn(text, table)
        self.assertNotIn("20170300", table, "the raw date is for developers only")
        self.assertNotIn("Registration ended", table, "no empty row for an active company")
        self.assertEqual(text_of(page, "o_kvk_trade_name"), ["Test BV Donald", "Donald Fruit"])
        self.assertEqual(text_of(page, "o_kvk_visiting"), ["Hizzaarderlaan 3 A 8823 SJ Lollum Netherlands"])
        self.assertEqual(text_of(page, "o_kvk_postal"), ["Postbus 200 1000 AE Rommeldam Netherlands"])
        edition = partner.kvk_sbi_id.version  # by the day of the answer: SBI 2008, or SBI 2025 since September 2025
        self.assertEqual(text_of(page, "o_kvk_activity"), [f"01241 Teelt van appels en peren (SBI {edition})"])
        # where the data came from: product, time of the answer, query-log reference
        log = self.env["kvk.query.log"].search([("partner_id", "=", partner.id), ("product", "=", "basisprofiel")])
        (source,) = text_of(page, "o_kvk_extract_source")
        self.assertIn("Product KvK Basisprofiel", source)
        self.assertIn(f"Query log reference #{log.id}", source)
        received = self.env["ir.qweb.field.datetime"].with_user(self.salesperson).value_to_html(log.create_date, {})
        self.assertIn(f"Answer received {received}", source)
        # the company's letterhead
        self.assertIn(self.company.name, html.fromstring(page).text_content())

    def test_a_cached_answer_names_the_answer_it_reused(self):
        partner = self.apply("68750110", "000037178598")
        original = self.env["kvk.query.log"].search([("partner_id", "=", partner.id), ("product", "=", "basisprofiel")])
        # the same contact filled again within the cache time: the paid answer is reused
        wizard = (
            self.env["kvk.search.wizard"]
            .with_user(self.salesperson)
            .create({"kvk_number": "68750110", "partner_id": partner.id})
        )
        wizard.action_search()
        wizard.line_ids.filtered(lambda line: line.branch_number == "000037178598").action_select()
        wizard.action_apply()
        cached = self.env["kvk.query.log"].search(
            [("partner_id", "=", partner.id), ("product", "=", "basisprofiel"), ("state", "=", "cached")]
        )
        self.assertEqual(len(cached), 1)
        (source,) = text_of(self.render(partner), "o_kvk_extract_source")
        self.assertIn(f"#{cached.id}, answer #{original.id}", source)
        self.assertIn("(reused from the cache)", source)

    def test_an_ended_registration_shows_its_end(self):
        partner = self.apply("96354429", "", include_inactive=True, kind="rechtspersoon")
        (table,) = text_of(self.render(partner), "o_kvk_extract_table")
        self.assertIn("Registration ended June 30, 2024 (former organisation)", table)

    def test_logged_answer_prints(self):
        self.env["kvk.service"].with_user(self.salesperson)._fetch_profile("68750110")
        log = self.company_logs([], limit=1)
        report = self.env.ref("kvk_connector.action_report_kvk_query_log")
        pdf, kind = report.with_context(force_report_rendering=True)._render_qweb_pdf(report.report_name, log.ids)
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        html_page = report._render_qweb_html(report.report_name, log.ids)[0]
        self.assertIn(b"Test BV Donald", html_page)
