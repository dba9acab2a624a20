from odoo.tests import tagged

from .common import ClientOnlineHttpCase, minimal_pdf, samples


@tagged("post_install", "-at_install")
class TestSendWizard(ClientOnlineHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A PDF report of the office, as an engagement letter would be.
        cls.env["ir.ui.view"].create(
            {
                "name": "client_online_test_letter",
                "type": "qweb",
                "key": "client_online_connector.test_engagement_letter",
                "arch": """<t t-name="client_online_connector.test_engagement_letter">
                    <t t-call="web.html_container"><t t-foreach="docs" t-as="o">
                        <div class="page"><h1>Opdrachtbevestiging</h1><p t-out="o.name"/></div>
                    </t></t>
                </t>""",
            }
        )
        cls.report = cls.env["ir.actions.report"].create(
            {
                "name": "Engagement letter",
                "model": "res.partner",
                "report_type": "qweb-pdf",
                "report_name": "client_online_connector.test_engagement_letter",
                "print_report_name": "'Opdrachtbevestiging %s' % object.name",
            }
        )
        cls.bank = cls.env["res.partner.bank"].create({"acc_number": "NL91ABNA0417164300", "partner_id": cls.linde.id})

    def wizard(self, record, **values):
        return (
            self.env["client.online.send.wizard"]
            .with_user(self.accountant)
            .with_company(self.company)
            .with_context(active_model=record._name, active_id=record.id)
            .create(values)
        )

    def test_defaults_come_from_the_record_and_the_settings(self):
        self.company.client_online_pdf_document_type = "DefinitieveJaarrekening"
        attachment = self.env["ir.attachment"].create(
            {"name": "jr.pdf", "raw": minimal_pdf(), "res_model": "res.partner", "res_id": self.bakkerij.id}
        )
        wizard = self.wizard(self.bakkerij)
        self.assertRecordValues(
            wizard,
            [
                {
                    "partner_id": self.bakkerij.id,
                    "source": "attachment",
                    "attachment_id": attachment.id,
                    "document_type": "DefinitieveJaarrekening",
                    "is_xbrl": False,
                }
            ],
        )
        # a contact person sends for the organisation
        person = self.env["res.partner"].create({"name": "Piet Bakker", "parent_id": self.bakkerij.id})
        self.assertEqual(self.wizard(person).partner_id, self.bakkerij)

    def test_a_pdf_report_of_the_record_is_rendered_and_sent(self):
        wizard = self.wizard(self.bakkerij)
        self.assertEqual((wizard.source, wizard.report_id), ("report", self.report))
        document = self.env["client.online.document"].browse(wizard.action_send()["res_id"])
        self.assertEqual(document.name, "Opdrachtbevestiging Bakkerij De Korenschoof B.V.pdf")
        content = document.attachment_id.raw
        self.assertTrue(content.startswith(b"%PDF-"), "a real PDF, made by the report engine")
        self.assertIn(b"%%EOF", content[-1024:])
        self.run_job()
        self.assertEqual(document.state, "sent")
        self.assertEqual(self.portal_documents()[0]["size"], len(content))

    def test_send_from_another_kind_of_record_picks_its_client(self):
        self.env["res.config.settings"]._client_online_bind(self.env["ir.model"]._get("res.partner.bank"))
        self.env["ir.attachment"].create(
            {"name": "machtiging.pdf", "raw": minimal_pdf("SEPA"), "res_model": "res.partner.bank",
             "res_id": self.bank.id}
        )  # fmt: skip
        wizard = self.wizard(self.bank)
        self.assertEqual(wizard.partner_id, self.linde)
        document = self.env["client.online.document"].browse(wizard.action_send()["res_id"])
        self.assertRecordValues(
            document, [{"partner_id": self.linde.id, "res_model": "res.partner.bank", "res_id": self.bank.id}]
        )
        self.assertEqual(document.source_name, self.bank.display_name)

    def test_the_check_shows_before_sending(self):
        xbrl = samples.ob_declaration("001000044B37", *samples.quarter(2021, 4))
        self.env["ir.attachment"].create(
            {"name": "ob.xbrl", "raw": xbrl, "res_model": "res.partner", "res_id": self.bakkerij.id,
             "mimetype": "application/xml"}
        )  # fmt: skip
        wizard = self.wizard(self.bakkerij)
        self.assertTrue(wizard.is_xbrl)
        self.assertFalse(wizard.check_ok)
        self.assertIn("001000044B37", wizard.check_message)
        self.assertIn("NL852147971B01", wizard.check_message)
        self.assertIn("VAT return (OB) 10/01/2021 - 12/31/2021", wizard.declaration, "dates as the user writes them")
        wizard.partner_id = self.sbr
        self.assertTrue(wizard.check_ok)
        self.assertIn("is the client's", wizard.check_message)
