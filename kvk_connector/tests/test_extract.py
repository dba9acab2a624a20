from odoo.tests import tagged

from .common import KvkHttpCase


@tagged("post_install", "-at_install")
class TestExtract(KvkHttpCase):
    def test_extract_pdf_is_stored_on_the_contact(self):
        wizard = self.env["kvk.search.wizard"].with_user(self.salesperson).create({"kvk_number": "68750110"})
        wizard.action_search()
        wizard.line_ids.filtered(lambda line: line.branch_number == "000037178598").action_select()
        partner = self.env["res.partner"].browse(wizard.action_apply()["res_id"])
        action = partner.with_user(self.salesperson).action_kvk_print_extract()
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id), ("mimetype", "=", "application/pdf")]
        )
        self.assertEqual(len(attachment), 1)
        self.assertTrue(attachment.raw.startswith(b"%PDF"))
        self.assertIn(str(attachment.id), action["url"])
        self.assertIn(attachment, partner.message_ids[0].attachment_ids)
        html = self.env["ir.actions.report"]._render_qweb_html("kvk_connector.report_kvk_extract", partner.ids)[0]
        for text in (b"68750110", b"857587973", b"01241", b"Hizzaarderlaan"):
            self.assertIn(text, html)

    def test_logged_answer_prints(self):
        self.env["kvk.service"].with_user(self.salesperson)._fetch_profile("68750110")
        log = self.company_logs([], limit=1)
        report = self.env.ref("kvk_connector.action_report_kvk_query_log")
        pdf, kind = report.with_context(force_report_rendering=True)._render_qweb_pdf(report.report_name, log.ids)
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        html = report._render_qweb_html(report.report_name, log.ids)[0]
        self.assertIn(b"Test BV Donald", html)
