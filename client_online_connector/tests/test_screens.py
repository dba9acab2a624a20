"""Screens that explain themselves: help on every list that can be empty, calls read in words, an answer that
found nothing is no error, buttons say what they did (also when nothing changed), messages without
placeholders for what is missing, and expected refusals are no errors in the server's log."""

from lxml import etree, html

from odoo.tests import tagged

from .common import ClientOnlineCase, minimal_pdf, samples

ADDON_LOGGER = "odoo.addons.client_online_connector"
OB = samples.ob_declaration("001000044B37", *samples.quarter(2025, 3))


@tagged("post_install", "-at_install")
class TestScreens(ClientOnlineCase):
    def calls(self, **domain):
        return self.env["client.online.attempt"].search(
            [("company_id", "=", self.company.id)] + [(key, "=", value) for key, value in domain.items()]
        )

    def test_every_list_that_can_be_empty_says_what_will_appear(self):
        models = ["client.online.document", "client.online.attempt", "client.online.folder.file",
                  "client.online.job.run"]  # fmt: skip
        actions = self.env["ir.actions.act_window"].search([("res_model", "in", models)])
        lists = actions.filtered(lambda action: "list" in action.view_mode)
        self.assertEqual(set(lists.mapped("res_model")), set(models), "every list of the addon is checked")
        for action in lists:
            with self.subTest(action=action.name):
                self.assertTrue(action.help, f"{action.name} has no help text")
                text = html.fromstring(str(action.help)).text_content()
                self.assertGreater(len(text.split()), 12, text)
        # the lists inside a document's form say it too
        form = self.env.ref("client_online_connector.client_online_document_view_form").arch
        self.assertIn('<p class="text-muted" invisible="attempt_ids">', form)
        self.assertIn('invisible="suggested_partner_ids"', form)

    def test_calls_read_in_words_with_the_json_for_developers(self):
        document = self.send(self.bakkerij, "jaarrekening 2024.pdf", minimal_pdf())
        self.run_job()
        (upload,) = self.calls(operation="upload")
        self.assertEqual(
            upload.request_text, "Upload jaarrekening 2024.pdf (PDF, Other) for the client with KvK number 61234567"
        )
        self.assertEqual(upload.answer_text, f"Placed as {document.portal_ref}, for the client's approval")
        self.assertRecordValues(upload, [{"outcome": "ok", "result_code": "GEPLAATST"}])
        self.assertIn('"kvk_number": "61234567"', upload.params)
        document.action_refresh_status()
        status = self.calls(operation="status")[:1]  # the button's, after the job's
        self.assertEqual(status.request_text, f"State of document {document.portal_ref}")
        self.assertEqual(status.answer_text, "1 of 1 answered")
        # the raw parameters and the portal's codes are for developer mode
        arch = etree.fromstring(self.env.ref("client_online_connector.client_online_attempt_view_list").arch)
        for name in ("params", "result_code", "error_code"):
            (node,) = arch.xpath(f"//field[@name='{name}']")
            self.assertEqual(node.get("groups"), "base.group_no_one", name)
        form = etree.fromstring(self.env.ref("client_online_connector.client_online_document_view_form").arch)
        (portal_status,) = form.xpath("//field[@name='portal_status']")
        self.assertEqual(portal_status.get("groups"), "base.group_no_one", "TER_ACCORDERING is not for users")

    def test_a_call_that_found_nothing_is_no_result_not_an_error(self):
        stranger = self.env["res.partner"].create(
            {"name": "Onbekend B.V.", "is_company": True, "company_registry": "55555555", "company_id": self.company.id}
        )
        stranger.with_user(self.accountant).action_client_online_lookup()
        (lookup,) = self.calls(operation="lookup")
        self.assertRecordValues(lookup, [{"outcome": "no_result"}])
        self.assertEqual(lookup.request_text, "Client with KvK number 55555555")
        self.assertEqual(lookup.answer_text, "The portal knows no such client")
        document = self.send(stranger, "brief.pdf", minimal_pdf())
        self.run_job()
        self.assertEqual(document.state, "not_found")
        (upload,) = self.calls(operation="upload")
        self.assertEqual(upload.outcome, "no_result")
        # only errors are red in the log; refusals are orange, no result is grey
        arch = etree.fromstring(self.env.ref("client_online_connector.client_online_attempt_view_list").arch)
        self.assertEqual(arch.get("decoration-danger"), "outcome == 'error'")
        self.assertEqual(arch.get("decoration-muted"), "outcome == 'no_result'")

    def test_a_refusal_by_the_portal_is_refused_not_an_error(self):
        moved = self.env["res.partner"].create(
            {"name": "Verhuisd B.V.", "is_company": True, "company_registry": "61234567",
             "client_online_ob_number": "001000044B37", "company_id": self.company.id}
        )  # fmt: skip
        self.send(moved, "ob.xbrl", OB)
        self.run_job()
        (upload,) = self.calls(operation="upload")
        self.assertEqual(upload.outcome, "refused")
        self.assertTrue(
            upload.answer_text.startswith("Refused: the number in the declaration is not the client's: Het opgegeven"),
            upload.answer_text,
        )

    def test_buttons_say_what_they_did_also_when_nothing_changed(self):
        document = self.send(self.bakkerij, "jaarrekening.pdf", minimal_pdf())
        as_accountant = document.with_user(self.accountant)
        notice = as_accountant.action_send_now()["params"]
        self.assertEqual(notice["type"], "success")
        self.assertEqual(
            notice["message"],
            f"Sent: jaarrekening.pdf awaits the client's approval in the portal (document {document.portal_ref}).",
        )
        self.assertEqual(as_accountant.action_send_now()["params"]["type"], "warning", "nothing left to send")
        notice = as_accountant.action_refresh_status()["params"]
        self.assertEqual(
            (notice["type"], notice["message"]),
            ("info", "No change: the portal still has jaarrekening.pdf as Awaiting approval."),
        )
        self.portal_act(document, "approve")
        notice = as_accountant.action_refresh_status()["params"]
        self.assertEqual(
            (notice["type"], notice["message"]), ("success", "jaarrekening.pdf: Awaiting approval → Approved")
        )
        # the contact's look-up says when the hidden ID was already there
        partner = self.bakkerij.with_user(self.accountant)
        self.assertEqual(partner.action_client_online_lookup()["params"]["type"], "success")
        notice = partner.action_client_online_lookup()["params"]
        self.assertEqual(notice["type"], "info")
        self.assertTrue(notice["message"].startswith("No change:"), notice["message"])

    def test_retry_says_whether_the_checks_pass_now(self):
        self.drop("ob.xbrl", OB)
        self.sbr.client_online_ob_number = False  # nobody has this OB number now
        self.run_job()
        (document,) = self.documents()
        notice = document.with_user(self.accountant).action_retry()["params"]
        self.assertEqual(notice["type"], "warning")
        self.assertIn("Still not sendable: No contact has the OB number 001000044B37", notice["message"])
        self.sbr.client_online_ob_number = "001000044B37"
        notice = document.with_user(self.accountant).action_retry()["params"]
        self.assertEqual(notice["type"], "success")
        self.assertEqual(document.state, "queued")

    def test_messages_hold_no_placeholder_for_what_is_missing(self):
        self.admin("POST", "/clientonline/_admin/settings", {"minimal": True})
        try:
            document = self.send(self.sbr, "ob.xbrl", OB)
            self.run_job()
            self.assertEqual(document.state, "sent")
            self.portal_act(document, "approve")
            self.admin("POST", f"/clientonline/_admin/documents/{document.portal_ref}", {"action": "send_failed"})
            self.run_job()
        finally:
            self.admin("POST", "/clientonline/_admin/settings", {"minimal": False})
        self.assertEqual(document.state, "failed")
        (note,) = document.message_ids.filtered(lambda message: "keeps trying" in (message.body or ""))
        self.assertIn("The portal could not send the approved document on (it keeps trying).", note.body)
        for placeholder in ("(-)", ": -", "?", "(record", "None", "False"):
            self.assertNotIn(placeholder, note.body)
        self.assertEqual(document.last_error, html.fromstring(note.body).text_content())

    def test_expected_refusals_are_not_errors_in_the_log(self):
        with self.assertNoLogs(ADDON_LOGGER, level="ERROR"):
            self.company.client_online_password = "wrong"  # refused login
            self.send(self.bakkerij, "a.pdf", minimal_pdf("a"))
            self.run_job()
            self.company.client_online_password = "sandbox"
            moved = self.env["res.partner"].create(
                {"name": "Verhuisd B.V.", "is_company": True, "company_registry": "61234567",
                 "client_online_ob_number": "001000044B37", "company_id": self.company.id}
            )  # fmt: skip
            self.send(moved, "ob.xbrl", OB)  # refused by the portal's own check
            self.sandbox_control.arm_fault("/clientonline/soap/", status=503)  # passing outage
            self.run_job()
            self.run_job()
        states = sorted(self.documents().mapped("state"))
        self.assertEqual(states, ["permanently_failed", "sent"])

    def test_the_jobs_notes_for_the_settings_in_the_responsibles_language(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        self.env["ir.module.module"]._load_module_terms(["client_online_connector"], ["nl_NL"], overwrite=True)
        self.accountant.lang = "nl_NL"
        self.company.client_online_folder_inbox = "/nowhere/at/all"
        self.company_b.client_online_folder_inbox = False
        Document = self.env["client.online.document"].with_context(lang="en_US")
        Document._cron_sync()
        self.assertEqual(
            self.company.client_online_status, "Map naar portaal: De map /nowhere/at/all bestaat niet (meer)."
        )
        run = self.env["client.online.job.run"]._last(self.company)
        self.assertEqual(run.problems, self.company.client_online_status)
        self.assertEqual(run.with_context(lang="nl_NL").summary.split(":")[0], "bestanden opgepakt")
        # nothing to say: nothing shown, rather than a sentence in the language of whoever ran it last
        self.company.client_online_folder_inbox = False
        self.company.client_online_next_run = False
        Document._cron_sync()
        self.assertFalse(self.company.client_online_status)

    def test_send_now_says_why_nothing_went_out(self):
        document = self.send(self.bakkerij, "brief.pdf", minimal_pdf("brief")).with_user(self.accountant)
        self.company.client_online_password = "wrong"
        notice = document.action_send_now()["params"]
        self.assertEqual(notice["type"], "warning")
        self.assertIn("Not sent: The portal refused the user name or password.", notice["message"])
        self.company.write({"client_online_mode": "production", "client_online_username": False})
        notice = document.action_send_now()["params"]
        self.assertIn("Not sent: The portal connection is not configured", notice["message"])
        self.assertEqual(document.state, "queued", "the document waits for the connection")
