from datetime import date, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import ClientOnlineCase, minimal_pdf, samples

OB_PERIOD = (date(2021, 10, 1), date(2021, 10, 31))


@tagged("post_install", "-at_install")
class TestSendForApproval(ClientOnlineCase):
    def test_pdf_of_a_contact_is_sent_approved_and_archived(self):
        document = self.send(self.bakkerij, "jaarrekening 2024.pdf", minimal_pdf(), document_type="ConceptJaarrekening")
        self.assertRecordValues(
            document,
            [
                {
                    "state": "queued",
                    "kind": "pdf",
                    "source": "odoo",
                    "partner_id": self.bakkerij.id,
                    "document_type": "ConceptJaarrekening",
                    "res_model": "res.partner",
                    "res_id": self.bakkerij.id,
                    "user_id": self.accountant.id,
                }
            ],
        )
        self.assertEqual(document.attachment_id.raw, minimal_pdf())
        self.assertEqual(len(document.document_hash), 64)
        self.run_job()
        self.assertEqual(document.state, "sent")
        self.assertTrue(document.portal_ref.startswith("CO-"))
        self.assertTrue(document.deadline)
        (placed,) = self.portal_documents()
        self.assertEqual((placed["client"], placed["kind"], placed["type"]), ("100001", "PDF", "ConceptJaarrekening"))
        self.assertEqual(placed["hash"], document.document_hash)
        self.portal_act(document, "approve")
        self.run_job()
        self.assertRecordValues(document, [{"state": "approved", "portal_status": "GEACCORDEERD"}])
        self.assertTrue(any("Approved by the client" in body for body in document.message_ids.mapped("body")))
        # a document sent from Odoo is archived in the folder of its outcome
        self.assertEqual(self.folder("approved"), ["jaarrekening 2024.pdf"])
        self.assertEqual(document.file_folder, "approved")
        with open(document.file_path, "rb") as handle:
            self.assertEqual(handle.read(), minimal_pdf())
        # the contact counts it
        self.assertEqual(self.bakkerij.client_online_document_count, 1)

    def test_ob_declaration_type_period_and_identifier_are_read(self):
        xbrl = samples.ob_declaration("001000044B37", *OB_PERIOD, year=2021)
        document = self.send(self.sbr, "ob-oktober.xbrl", xbrl)
        self.assertRecordValues(
            document,
            [
                {
                    "kind": "xbrl",
                    "declaration_type": "ob",
                    "document_type": "Belastingaangifte",
                    "period_start": OB_PERIOD[0],
                    "period_end": OB_PERIOD[1],
                    "xbrl_identifier": "001000044B37",
                    "xbrl_identifier_scheme": "www.belastingdienst.nl/omzetbelastingnummer",
                    "identifier_kind": "ob",
                    "state": "queued",
                }
            ],
        )
        self.assertIn("bd-rpt-ob-aangifte-2021.xsd", document.entrypoint)
        self.run_job()
        self.assertEqual(document.state, "sent")
        self.assertEqual(self.portal_documents()[0]["client"], "100004")

    def test_annual_accounts_go_as_publication_documents(self):
        xbrl = samples.annual_accounts("61234567", 2024)
        document = self.send(self.bakkerij, "jaarrekening.xbrl", xbrl)
        self.assertRecordValues(
            document,
            [
                {
                    "declaration_type": "kvk",
                    "document_type": "Publicatiestukken",
                    "period_start": date(2024, 1, 1),
                    "period_end": date(2024, 12, 31),
                    "identifier_kind": "kvk",
                }
            ],
        )
        self.run_job()
        self.assertEqual(document.state, "sent")

    def test_identifier_mismatch_is_refused_before_anything_is_sent(self):
        cases = [
            # (client, declaration, the client's number the message names)
            (self.bakkerij, samples.ob_declaration("001000044B37", *OB_PERIOD), "NL852147971B01"),
            (self.jansen, samples.income_tax("123456782", 2024), "111222333"),
            (self.linde, samples.corporate_tax("852147971", 2024), "815948475"),
            (self.bakkerij, samples.payroll_tax("815948475L01", *OB_PERIOD), "852147971L01"),
            (self.bakkerij, samples.annual_accounts("30267975", 2024), "61234567"),
        ]
        for index, (client, xbrl, known) in enumerate(cases):
            with self.subTest(client=client.name, index=index):
                declared = samples_identifier(xbrl)
                with self.assertRaises(UserError) as caught:
                    self.send(client, f"declaration-{index}.xbrl", xbrl)
                message = caught.exception.args[0]
                self.assertIn(declared, message)
                self.assertIn(known, message)
                self.assertIn(client.name, message)
        self.assertFalse(self.documents())
        self.assertFalse(self.portal_calls())

    def test_a_client_without_the_number_is_refused_too(self):
        with self.assertRaises(UserError) as caught:
            self.send(self.jansen, "vpb.xbrl", samples.corporate_tax("815948475", 2024))
        self.assertIn("has no RSIN", caught.exception.args[0])
        self.assertIn("815948475", caught.exception.args[0])

    def test_each_declaration_kind_passes_for_its_client(self):
        cases = [
            (self.jansen, samples.income_tax("111222333", 2024), "ihz", "bsn"),
            (self.linde, samples.corporate_tax("815948475", 2024), "vpb", "rsin"),
            (self.bakkerij, samples.payroll_tax("852147971L01", *OB_PERIOD), "lh", "lh"),
            (self.bakkerij, samples.icp_declaration("NL852147971B01", *OB_PERIOD), "icp", "ob"),
            (self.jansen, samples.ob_declaration("862341206B01", *OB_PERIOD), "ob", "ob"),
        ]
        for index, (client, xbrl, kind, identifier_kind) in enumerate(cases):
            with self.subTest(kind=kind):
                document = self.send(client, f"{kind}-{index}.xbrl", xbrl)
                self.assertRecordValues(
                    document, [{"state": "queued", "declaration_type": kind, "identifier_kind": identifier_kind}]
                )
        self.run_job()
        self.assertEqual(set(self.documents().mapped("state")), {"sent"})
        self.assertEqual(len(self.portal_documents()), len(cases))

    def test_same_document_twice_is_refused_and_same_content_warned(self):
        first = self.send(self.bakkerij, "61234567_jaarrekening.pdf", minimal_pdf())
        with self.assertRaises(UserError) as caught:
            self.send(self.bakkerij, "61234567_jaarrekening.pdf", minimal_pdf())
        self.assertIn("already sent", caught.exception.args[0])
        renamed = self.send(self.bakkerij, "61234567_jaarrekening-kopie.pdf", minimal_pdf())
        self.assertEqual(renamed.content_duplicate_of_id, first)
        self.assertIn("61234567_jaarrekening.pdf", renamed.warning)
        self.assertEqual(renamed.content_hash, first.content_hash)
        self.assertNotEqual(renamed.document_hash, first.document_hash)

    def test_pdfs_the_portal_cannot_take_are_refused(self):
        protected = minimal_pdf().replace(b"trailer\n<<", b"trailer\n<< /Encrypt 9 0 R")
        for name, content, words in [
            ("cut.pdf", minimal_pdf()[:200], "cut short"),
            ("protected.pdf", protected, "protected"),
            ("not-a.pdf", b"hello, this is text", "not a PDF"),
        ]:
            with self.subTest(name=name), self.assertRaises(UserError) as caught:
                self.send(self.bakkerij, name, content)
            self.assertIn(words, caught.exception.args[0])
        self.assertFalse(self.documents())


@tagged("post_install", "-at_install")
class TestPortalAnswers(ClientOnlineCase):
    def queued_pdf(self, partner=None, name="brief.pdf"):
        return self.send(partner or self.bakkerij, name, minimal_pdf(name))

    def test_rejection_reaches_the_responsible_in_their_language(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.env["ir.module.module"]._load_module_terms(["client_online_connector"], ["nl_NL"], overwrite=True)
        self.accountant.lang = "nl_NL"
        document = self.queued_pdf()
        self.run_job()
        self.portal_act(document, "reject", reason="Bedrag in post 1a klopt niet.")
        self.run_job()
        self.assertRecordValues(document, [{"state": "rejected", "portal_status": "AFGEKEURD"}])
        (activity,) = document.activity_ids
        self.assertEqual(activity.user_id, self.accountant)
        self.assertIn("Document afgekeurd", activity.summary)
        self.assertIn("Bedrag in post 1a klopt niet.", activity.note)
        # nothing new at the next run: no second activity, no second note
        notes = len(document.message_ids)
        self.run_job()
        self.assertEqual(len(document.activity_ids), 1)
        self.assertEqual(len(document.message_ids), notes)

    def test_portal_knows_no_such_client(self):
        stranger = self.env["res.partner"].create(
            {"name": "Onbekend B.V.", "is_company": True, "company_registry": "55555555"}
        )
        document = self.queued_pdf(stranger)
        self.run_job()
        self.assertEqual(document.state, "not_found")
        self.assertIn("55555555", document.last_error)
        self.assertEqual(document.activity_ids.user_id, self.accountant)

    def test_hidden_id_names_the_client(self):
        document = self.queued_pdf(self.vries)
        self.run_job()
        self.assertEqual(document.state, "sent")
        self.assertEqual(self.portal_documents()[0]["client"], "100005")

    def test_portal_identifier_check_is_reported(self):
        # Odoo's card and the declaration agree, the portal's card does not.
        moved = self.env["res.partner"].create(
            {"name": "Verhuisd B.V.", "is_company": True, "company_registry": "61234567",
             "client_online_ob_number": "001000044B37"}
        )  # fmt: skip
        document = self.send(moved, "ob.xbrl", samples.ob_declaration("001000044B37", *OB_PERIOD))
        self.run_job()
        self.assertEqual(document.state, "permanently_failed")
        self.assertIn("852147971B01", document.last_error)
        self.assertIn("001000044B37", document.last_error)
        self.assertEqual(len(document.activity_ids), 1)

    def test_transient_faults_retry_with_back_off_up_to_the_ceiling(self):
        document = self.queued_pdf()
        self.sandbox_control.arm_fault("/clientonline/soap/", count=None, status=503)
        for attempt in range(1, 10):
            self.run_job()
            self.assertRecordValues(document, [{"state": "failed", "attempt_count": attempt}])
        self.run_job()
        self.assertRecordValues(document, [{"state": "permanently_failed", "attempt_count": 10}])
        self.assertIn("10 attempts", document.last_error)
        self.assertEqual(len(document.activity_ids), 1)
        retry_notes = [body for body in document.message_ids.mapped("body") if "will retry" in body]
        self.assertEqual(len(retry_notes), 1, "a repeated error is posted once")
        uploads = document.attempt_ids.filtered(lambda a: a.operation == "upload")
        self.assertEqual(len(uploads), 10)
        # a 503 with a SOAP fault body reads as a server fault, one without as HTTP 503: both pass with time
        self.assertLessEqual(set(uploads.mapped("error_code")), {"server", "http_503"})
        # Nothing is placed in the portal
        self.sandbox_control.clear_faults()
        self.assertFalse(self.portal_documents())

    def test_back_off_grows(self):
        document = self.queued_pdf()
        self.sandbox_control.arm_fault("/clientonline/soap/", count=2, status=502)
        Document = self.env["client.online.document"]
        with freeze_time("2026-03-02 10:00:00"):
            Document._client_online_process(self.company)
            self.assertEqual(document.next_attempt, fields.Datetime.to_datetime("2026-03-02 10:05:00"))
        with freeze_time("2026-03-02 10:03:00"):  # not due yet: no call
            self.sandbox_control.clear_requests()
            Document._client_online_upload_due(self.company)
            self.assertFalse(self.portal_calls())
        with freeze_time("2026-03-02 10:06:00"):
            Document._client_online_upload_due(self.company)
            self.assertEqual(document.attempt_count, 2)
            self.assertEqual(document.next_attempt, fields.Datetime.to_datetime("2026-03-02 10:16:00"))
        with freeze_time("2026-03-02 10:17:00"):
            Document._client_online_upload_due(self.company)
            self.assertEqual(document.state, "sent")

    def test_a_lost_answer_is_a_duplicate_that_counts_as_sent(self):
        self.env["ir.config_parameter"].sudo().set_param("client_online_connector.timeout", "1")
        document = self.queued_pdf()
        # The portal takes the upload but its answer comes after the client gave up.
        self.admin("POST", "/clientonline/_admin/settings", {"upload_delay_ms": 2500})
        self.run_job()
        self.admin("POST", "/clientonline/_admin/settings", {"upload_delay_ms": 0})
        self.assertRecordValues(document, [{"state": "failed", "attempt_count": 1, "last_error_code": "timeout"}])
        self.assertEqual(len(self.portal_documents()), 1)
        self.run_job()
        self.assertEqual(document.state, "sent")
        self.assertEqual(document.portal_ref, self.portal_documents()[0]["id"])
        self.assertTrue(any("counts as sent" in body for body in document.message_ids.mapped("body")))
        self.assertEqual(len(self.portal_documents()), 1)

    def test_refused_login_keeps_documents_queued(self):
        document = self.queued_pdf()
        self.company.client_online_password = "wrong"
        self.run_job()
        self.assertRecordValues(document, [{"state": "queued", "attempt_count": 0}])
        self.assertIn("refused the user name or password", self.company.client_online_status)
        self.company.client_online_password = "sandbox"
        self.run_job()
        self.assertEqual(document.state, "sent")

    def test_without_a_portal_account_documents_wait_and_the_settings_say_why(self):
        document = self.queued_pdf()
        self.company.client_online_username = False
        self.run_job()
        self.assertRecordValues(document, [{"state": "queued", "attempt_count": 0}])
        self.assertIn("not configured", self.company.client_online_status)
        self.assertFalse(self.portal_calls())

    def test_forwarding_fails_at_the_portal_then_for_good(self):
        self.admin("POST", "/clientonline/_admin/settings", {"send_failures": 3})
        document = self.send(self.sbr, "ob.xbrl", samples.ob_declaration("001000044B37", *OB_PERIOD))
        self.run_job()
        self.portal_act(document, "approve")
        self.run_job()
        self.assertRecordValues(document, [{"state": "failed", "attempt_count": 3, "portal_status": "MISLUKT"}])
        self.portal_act(document, "send_failed", attempts=10)
        self.run_job()
        self.assertRecordValues(
            document, [{"state": "permanently_failed", "attempt_count": 10, "portal_status": "DEFINITIEF_MISLUKT"}]
        )
        self.assertEqual(len(document.activity_ids), 1)
        self.assertEqual(document.file_folder, "failed")

    def test_forwarded_declaration_stays_approved(self):
        document = self.send(self.sbr, "ob.xbrl", samples.ob_declaration("001000044B37", *OB_PERIOD))
        self.run_job()
        self.portal_act(document, "approve")
        self.run_job()
        self.assertRecordValues(document, [{"state": "approved", "portal_status": "VERZONDEN"}])
        bodies = document.message_ids.mapped("body")
        self.assertTrue(any("on to the receiving party" in b for b in bodies), bodies)

    def test_minimal_answers_are_understood(self):
        self.admin("POST", "/clientonline/_admin/settings", {"minimal": True})
        document = self.queued_pdf()
        self.run_job()
        self.assertEqual(document.state, "sent")
        self.assertFalse(document.deadline)
        self.portal_act(document, "reject", reason="Niet akkoord")
        self.run_job()
        self.assertEqual(document.state, "rejected")
        self.assertIn("Niet akkoord", document.last_error)

    def test_state_changes_only_from_allowed_states(self):
        document = self.queued_pdf()
        with self.assertRaises(UserError):
            document._set_state("approved")
        self.run_job()
        self.portal_act(document, "approve")
        self.run_job()
        with self.assertRaises(UserError):
            document._set_state("sent")
        with self.assertRaises(UserError):
            document.with_user(self.accountant).action_retry()

    def test_deadline_comes_from_the_portal(self):
        document = self.send(self.sbr, "ob.xbrl", samples.ob_declaration("001000044B37", *OB_PERIOD))
        self.run_job()
        self.assertGreaterEqual(document.deadline, date.today() + timedelta(days=14))


def samples_identifier(xbrl):
    start = xbrl.index(b"<xbrli:identifier")
    return xbrl[xbrl.index(b">", start) + 1 : xbrl.index(b"</xbrli:identifier>")].decode()


@tagged("post_install", "-at_install")
class TestContactsAndActions(ClientOnlineCase):
    def test_look_up_the_hidden_id_in_the_portal(self):
        found = self.bakkerij.with_user(self.accountant).action_client_online_lookup()
        self.assertEqual(found["params"]["type"], "success")
        self.assertEqual(self.bakkerij.client_online_hidden_id, "100001")
        stranger = self.env["res.partner"].create(
            {"name": "Onbekend", "is_company": True, "company_registry": "55555555"}
        )
        missing = stranger.with_user(self.accountant).action_client_online_lookup()
        self.assertEqual(missing["params"]["type"], "warning")
        self.assertIn("55555555", missing["params"]["message"])
        self.assertFalse(stranger.client_online_hidden_id)
        lookups = self.env["client.online.attempt"].search(
            [("company_id", "=", self.company.id), ("operation", "=", "lookup")]
        )
        self.assertEqual(len(lookups), 2)

    def test_numbers_on_the_contact_are_checked(self):
        Partner = self.env["res.partner"]
        for field, value in [
            ("client_online_ob_number", "001000045B37"),
            ("client_online_ob_number", "12345"),
            ("client_online_lh_number", "852147971X01"),
            ("client_online_rsin", "852147972"),
            ("client_online_bsn", "111222334"),
        ]:
            with self.subTest(field=field, value=value), self.assertRaises(ValidationError):
                Partner.create({"name": "Fout", field: value})
        good = Partner.create(
            {"name": "Goed", "client_online_ob_number": "NL 001000044B37", "client_online_lh_number": "852147971L01",
             "client_online_rsin": "852147971", "client_online_bsn": "111222333"}
        )  # fmt: skip
        self.assertEqual(good._client_online_identifier("ob"), "001000044B37", "stored as the portal writes it")
        self.assertEqual(good.client_online_bsn, "111222333")
        self.assertIn(good, Partner.search(Partner._client_online_identifier_domain("ob", "001000044B37")))

    def test_the_rsin_of_the_kvk_register_counts_when_the_contact_has_none(self):
        Partner = self.env["res.partner"]
        client = Partner.create({"name": "Linde (KvK)", "is_company": True})
        if "kvk_rsin" in Partner._fields:  # the KvK connector is installed alongside
            client.kvk_rsin = "815948475"
            self.assertEqual(client._client_online_identifier("rsin"), "815948475")
            client.client_online_rsin = "852147971"
            self.assertEqual(client._client_online_identifier("rsin"), "852147971", "its own field goes first")
        else:
            self.assertEqual(client._client_online_identifier("rsin"), "")

    def test_suggestions_by_a_number_with_a_typo(self):
        self.drop("6123456_brief.pdf", minimal_pdf("brief"))  # a digit short of the KvK number 61234567
        self.run_job()
        (document,) = self.documents()
        self.assertEqual(document.state, "not_found")
        self.assertIn(self.bakkerij, document.suggested_partner_ids)

    def test_a_run_started_by_an_administrator(self):
        manager = self.env["res.users"].create(
            {
                "name": "Beheerder",
                "login": "co-manager",
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
                "groups_id": [(6, 0, [self.env.ref("client_online_connector.group_client_online_manager").id])],
            }
        )
        self.company.client_online_next_run = "2099-01-01 00:00:00"
        triggers = self.env["ir.cron.trigger"].search_count([])
        action = self.env["client.online.document"].with_user(manager).with_company(self.company).action_sync_now()
        self.assertEqual(action["tag"], "display_notification")
        self.assertFalse(self.company.client_online_next_run, "the folder is due at once")
        self.assertEqual(self.env["ir.cron.trigger"].search_count([]), triggers + 1)
        with self.assertRaises(AccessError):
            self.env["client.online.document"].with_user(self.accountant).action_sync_now()

    def test_retry_after_the_contact_was_corrected(self):
        self.drop("ob.xbrl", samples.ob_declaration("001000044B37", *OB_PERIOD))
        self.sbr.client_online_ob_number = False  # nobody has this OB number now
        self.run_job()
        (document,) = self.documents()
        self.assertEqual(document.state, "not_found")
        self.sbr.client_online_ob_number = "001000044B37"
        document.with_user(self.accountant).action_retry()
        self.assertRecordValues(document, [{"state": "queued", "partner_id": self.sbr.id}])
        self.run_job()
        self.assertEqual(document.state, "sent")
        self.assertEqual(self.folder("not_found"), ["ob.xbrl"], "it waits in not found until it is done")
