"""Suggestions from the register while typing a new company's name (and the name field that shows them)."""

import json

from lxml import etree

from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import KvkHttpCase
from .test_rpc_access import RpcError


@tagged("post_install", "-at_install")
class TestTypeahead(KvkHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson.password = "kvk-salesperson"
        cls.portal = new_test_user(
            cls.env, login="kvk-ta-portal", groups="base.group_portal", company_id=cls.company.id
        )
        cls.plain = new_test_user(
            cls.env,
            login="kvk-ta-plain",
            groups="base.group_user,base.group_partner_manager",
            company_id=cls.company.id,
        )
        cls.Partner = cls.env["res.partner"].with_user(cls.salesperson)

    def rpc(self, login, model, method, args=(), **kwargs):
        self.authenticate(login, login)
        params = {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        try:
            return self.make_jsonrpc_request(f"/web/dataset/call_kw/{model}/{method}", params)
        except Exception as error:  # noqa: BLE001 - the JSON-RPC error as a value
            return RpcError(str(error))

    def typeahead_logs(self):
        return self.company_logs([("channel", "=", "typeahead")])

    def test_suggestions_with_number_type_and_city_from_the_free_search(self):
        suggestions = self.Partner.kvk_suggest("Donald")
        main = next(s for s in suggestions if s["branch_number"] == "000037178598")
        self.assertEqual(
            {key: main[key] for key in ("name", "kvk_number", "kind", "kind_label", "city", "active", "existing_name")},
            {
                "name": "Test BV Donald",
                "kvk_number": "68750110",
                "kind": "hoofdvestiging",
                "kind_label": "Main branch",
                "city": "Lollum",
                "active": True,
                "existing_name": "",
            },
        )
        self.assertEqual({s["kind"] for s in suggestions}, {"hoofdvestiging", "nevenvestiging", "rechtspersoon"})
        # logged like any call, as the user's, and never a paid call
        (log,) = self.typeahead_logs()
        self.assertRecordValues(log, [{"product": "zoeken", "state": "done", "user_id": self.salesperson.id}])
        self.assertEqual(json.loads(log.params)["naam"], "Donald")
        self.assertEqual(self.kvk_calls("/kvk/api/v1/"), [])
        self.assertEqual(self.company_logs([("cost", ">", 0)]), self.env["kvk.query.log"])

    def test_from_three_characters(self):
        self.assertEqual(self.Partner.kvk_suggest("Do"), [])
        self.assertEqual(self.Partner.kvk_suggest("  Do  "), [])
        self.assertEqual(self.kvk_calls("/kvk/"), [])
        self.assertFalse(self.typeahead_logs())

    def test_a_company_already_in_odoo_is_named(self):
        self.env["res.partner"].create(
            {"name": "Donald", "is_company": True, "company_registry": "68750110", "kvk_branch_number": "000037178598"}
        )
        suggestions = self.Partner.kvk_suggest("Donald")
        main = next(s for s in suggestions if s["branch_number"] == "000037178598")
        self.assertEqual(main["existing_name"], "Donald")

    @mute_logger("odoo.addons.kvk_connector.models.kvk_service")
    def test_errors_give_no_suggestions_and_are_logged(self):
        self.sandbox_control.arm_fault("/kvk/", status=503)
        self.assertEqual(self.Partner.kvk_suggest("Donald"), [])
        self.assertRecordValues(self.typeahead_logs(), [{"state": "error", "error_code": "IPD1003"}])
        self.assertEqual(self.Partner.kvk_suggest("Nergensbestaand"), [])  # nothing found: no suggestion either
        self.assertEqual(self.typeahead_logs()[0].state, "empty")

    def test_no_connection_no_call(self):
        self.company.write({"kvk_mode": "production", "kvk_api_key": False})
        self.assertEqual(self.Partner.kvk_suggest("Donald"), [])
        self.assertFalse(self.typeahead_logs())

    @mute_logger("odoo.http")
    def test_only_kvk_users_get_suggestions_over_rpc(self):
        for login in ("kvk-ta-portal", "kvk-ta-plain"):
            with self.subTest(login=login):
                self.assertIsInstance(self.rpc(login, "res.partner", "kvk_suggest", ["Donald"]), RpcError)
                self.assertIsInstance(
                    self.rpc(login, "res.partner", "action_kvk_suggestion_open", ["68750110", "000037178598"]),
                    RpcError,
                )
        self.assertEqual(self.kvk_calls("/kvk/"), [])
        self.assertFalse(self.company_logs([]))
        suggestions = self.rpc("kvk-salesperson", "res.partner", "kvk_suggest", ["Donald"])
        self.assertEqual(len(suggestions), 3)

    def test_the_web_client_is_told_when_to_suggest(self):
        def told(login):
            self.authenticate(login, login)
            return self.make_jsonrpc_request("/web/session/get_session_info")["kvk_typeahead"]

        self.assertTrue(told("kvk-salesperson"))
        self.assertFalse(told("kvk-ta-plain"))
        self.company.write({"kvk_mode": "production", "kvk_api_key": False})
        self.assertFalse(told("kvk-salesperson"))
        self.company.write({"kvk_api_key": "l7xx-own-key"})
        self.assertTrue(told("kvk-salesperson"))

    def test_picking_opens_the_preview(self):
        action = self.Partner.action_kvk_suggestion_open("68750110", "000037178598", "hoofdvestiging")
        wizard = self.env["kvk.search.wizard"].browse(action["res_id"])
        self.assertEqual(action["res_model"], "kvk.search.wizard")
        self.assertEqual(wizard.state, "preview")
        self.assertIn("857587973", wizard.preview_ids.mapped("register_value"))
        self.assertEqual(len(self.kvk_calls("/kvk/api/v1/")), 1, "the preview's one paid call")
        # the legal entity, which has no vestigingsnummer, is found by its type
        action = self.Partner.action_kvk_suggestion_open("68750110", "", "rechtspersoon")
        wizard = self.env["kvk.search.wizard"].browse(action["res_id"])
        self.assertEqual(wizard.selected_line_id.kind, "rechtspersoon")

    def test_a_picked_company_already_in_odoo_opens_its_contact(self):
        existing = self.env["res.partner"].create(
            {"name": "Donald", "is_company": True, "company_registry": "68750110", "kvk_branch_number": "000037178598"}
        )
        action = self.Partner.with_context(kvk_form_return=True).action_kvk_suggestion_open(
            "68750110", "000037178598", "hoofdvestiging"
        )
        self.assertEqual(action, {"type": "ir.actions.act_window_close", "infos": {"kvk_partner_id": existing.id}})
        self.assertEqual(self.kvk_calls("/kvk/api/v1/"), [])

    def test_a_forged_pick_previews_nothing(self):
        """The browser names a registration; the server asks the register again: a branch that is not
        the company's gives no preview and no paid call."""
        action = self.Partner.action_kvk_suggestion_open("68750110", "000038509504", "hoofdvestiging")
        wizard = self.env["kvk.search.wizard"].browse(action["res_id"])
        self.assertNotEqual(wizard.state, "preview")
        self.assertEqual(self.kvk_calls("/kvk/api/v1/"), [])

    def test_the_name_field_gets_the_widget_and_keeps_the_one_it_had(self):
        arch = etree.fromstring(self.env["res.partner"].get_view(view_type="form")["arch"])
        names = arch.xpath("//field[@name='name'][not(ancestor::field)]")
        self.assertTrue(names)
        autocomplete = self.env["ir.module.module"].search([("name", "=", "partner_autocomplete")]).state
        for node in names:
            self.assertEqual(node.get("widget"), "kvk_partner_name")
            # the company name keeps Odoo's partner autocomplete as its widget outside the Netherlands
            if autocomplete == "installed":
                self.assertEqual(node.get("kvk_fallback"), "field_partner_autocomplete")
            else:
                self.assertIn(node.get("kvk_fallback"), ("text", "char"))
        # contact persons inside the company form keep their own name field
        for node in arch.xpath("//field[@name='child_ids']//field[@name='name']"):
            self.assertNotEqual(node.get("widget"), "kvk_partner_name")
