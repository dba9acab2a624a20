from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import ClientOnlineHttpCase, minimal_pdf


@tagged("post_install", "-at_install")
class TestAccessOverRpc(ClientOnlineHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env, login="co-portal", groups="base.group_portal", company_id=cls.company.id
        )
        cls.employee = new_test_user(cls.env, login="co-employee", groups="base.group_user", company_id=cls.company.id)
        cls.other_office = new_test_user(
            cls.env,
            login="co-epsilon",
            groups="base.group_user,client_online_connector.group_client_online_user",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )

    def setUp(self):
        super().setUp()
        self.document = self.send(self.bakkerij, "jaarrekening.pdf", minimal_pdf())
        self.run_job()
        self.assertEqual(self.document.state, "sent")
        self.sandbox_control.clear_requests()

    def call(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def assert_refused(self, model, method, args, kwargs=None):
        with self.assertRaises(JsonRpcException) as caught, mute_logger("odoo.http"):
            self.call(model, method, args, kwargs)
        return caught.exception

    def attempts(self):
        doc = self.document.id
        return [
            ("client.online.document", "search_read", [[]], {"fields": ["name", "state"]}),
            ("client.online.document", "read", [[doc], ["name", "portal_ref"]]),
            ("client.online.document", "action_send_now", [[doc]]),
            ("client.online.document", "action_refresh_status", [[doc]]),
            ("client.online.document", "action_retry", [[doc]]),
            ("client.online.document", "action_assign_client", [[doc], self.jansen.id]),
            ("client.online.document", "action_sync_now", []),
            ("client.online.document", "_cron_sync", []),
            ("client.online.service", "_upload", [self.document.id, False]),
            ("client.online.service", "_test_connection", [self.company.id]),
            ("client.online.attempt", "search_read", [[]], {"fields": ["message"]}),
            ("client.online.folder.file", "search_read", [[]], {"fields": ["name"]}),
            ("res.partner", "action_client_online_lookup", [[self.bakkerij.id]]),
            ("res.partner", "action_client_online_send", [[self.bakkerij.id]]),
        ]

    def test_a_portal_user_gets_nothing(self):
        self.authenticate("co-portal", "co-portal")
        for model, method, args, *kwargs in self.attempts():
            with self.subTest(model=model, method=method):
                self.assert_refused(model, method, args, *kwargs)
        self.assertFalse(self.sandbox_control.requests("/clientonline/"), "the portal saw no call")

    def test_an_employee_without_the_group_gets_nothing(self):
        self.authenticate("co-employee", "co-employee")
        for model, method, args, *kwargs in self.attempts():
            with self.subTest(model=model, method=method):
                self.assert_refused(model, method, args, *kwargs)
        error = self.assert_refused(
            "client.online.send.wizard",
            "create",
            [{"res_model": "res.partner", "res_id": self.bakkerij.id, "partner_id": self.bakkerij.id}],
        )
        self.assertIn("AccessError", error.args[0])
        self.assertFalse(self.sandbox_control.requests("/clientonline/"))

    def test_a_user_of_another_office_does_not_see_the_document(self):
        self.authenticate("co-epsilon", "co-epsilon")
        self.assertEqual(self.call("client.online.document", "search_read", [[]], {"fields": ["name"]}), [])
        self.assertEqual(self.call("client.online.document", "search_count", [[]]), 0)
        for method in ("read", "action_refresh_status", "action_send_now", "action_retry"):
            with self.subTest(method=method):
                args = [[self.document.id], ["name"]] if method == "read" else [[self.document.id]]
                self.assert_refused("client.online.document", method, args)
        self.assertEqual(self.call("client.online.attempt", "search_count", [[]]), 0)
        self.assertFalse(self.sandbox_control.requests("/clientonline/"))

    def test_the_accountant_changes_documents_only_through_their_buttons(self):
        self.authenticate("co-accountant", "co-accountant")
        doc = self.document.id
        self.assertEqual(self.call("client.online.document", "search_count", [[]]), 1)
        for vals in ({"state": "approved"}, {"portal_ref": "CO-1"}, {"partner_id": self.jansen.id}):
            with self.subTest(vals=vals):
                self.assert_refused("client.online.document", "write", [[doc], vals])
        self.assert_refused("client.online.document", "create", [{"name": "x.pdf", "kind": "pdf"}])
        self.assert_refused("client.online.document", "unlink", [[doc]])
        attempt = self.document.attempt_ids[:1].id
        self.assert_refused("client.online.attempt", "write", [[attempt], {"message": "changed"}])
        self.assert_refused("client.online.attempt", "unlink", [[attempt]])
        self.assert_refused("client.online.document", "_client_online_process", [self.company.id])
        # what the accountant may do
        self.assertTrue(self.call("client.online.document", "write", [[doc], {"user_id": self.accountant.id}]))
        self.assertTrue(self.call("client.online.document", "action_refresh_status", [[doc]]))
        self.assertTrue(self.sandbox_control.requests("/clientonline/soap/"))
        self.assertEqual(self.document.state, "sent")
        # managing the run and reading the settings is for others
        self.assert_refused("client.online.document", "action_sync_now", [])
        self.assert_refused("res.config.settings", "create", [{}])

    def test_the_bsn_is_for_the_group_only(self):
        self.authenticate("co-employee", "co-employee")
        error = self.assert_refused("res.partner", "read", [[self.jansen.id], ["client_online_bsn"]])
        self.assertIn("AccessError", error.args[0])
        (read,) = self.call("res.partner", "read", [[self.jansen.id], ["client_online_ob_number"]])
        self.assertEqual(read["client_online_ob_number"], "862341206B01")
        self.authenticate("co-accountant", "co-accountant")
        self.assertEqual(
            self.call("res.partner", "read", [[self.jansen.id], ["client_online_bsn"]])[0]["client_online_bsn"],
            "111222333",
        )


@tagged("post_install", "-at_install")
class TestWizardInput(ClientOnlineHttpCase):
    def test_a_file_of_another_record_is_refused(self):
        other = self.env["ir.attachment"].create(
            {"name": "salaris.pdf", "raw": minimal_pdf("geheim"), "res_model": "res.partner", "res_id": self.jansen.id}
        )
        wizard = (
            self.env["client.online.send.wizard"]
            .with_user(self.accountant)
            .with_context(active_model="res.partner", active_id=self.bakkerij.id)
            .create({})
        )
        wizard.attachment_id = other  # as a browser could send it
        with self.assertRaises(AccessError):
            wizard.action_send()
        self.assertFalse(self.documents())

    def test_a_client_of_another_company_is_refused(self):
        stranger = self.env["res.partner"].create(
            {"name": "Epsilon's client", "is_company": True, "company_id": self.company_b.id}
        )
        attachment = self.env["ir.attachment"].create(
            {"name": "brief.pdf", "raw": minimal_pdf(), "res_model": "res.partner", "res_id": self.bakkerij.id}
        )
        wizard = (
            self.env["client.online.send.wizard"]
            .with_company(self.company)
            .with_context(active_model="res.partner", active_id=self.bakkerij.id)
            .create({"attachment_id": attachment.id})
        )
        wizard.partner_id = stranger
        with self.assertRaises(UserError):
            wizard.action_send()
        self.assertFalse(self.documents())
