"""What a browser can do over JSON-RPC (``/web/dataset/call_kw``), tried as the users who should not get in."""

import json

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import KvkHttpCase
from .test_public_sector import pki_pair

SEAM_CALLS = [
    ("fetch_profile", ["68750110"]),
    ("_fetch_profile", ["68750110"]),
    ("search", [{"kvkNummer": "68750110"}]),
    ("_search_register", [{"kvkNummer": "68750110"}]),
    ("_call", ["basisprofiel", "basisprofiel", "68750110"]),
]


@tagged("post_install", "-at_install")
class TestRpcAccess(KvkHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = new_test_user(cls.env, login="kvk-portal", groups="base.group_portal", company_id=cls.company.id)
        cls.plain = new_test_user(
            cls.env,
            login="kvk-plain-rpc",
            groups="base.group_user,base.group_partner_manager",
            company_id=cls.company.id,
        )
        cls.colleague = new_test_user(
            cls.env,
            login="kvk-colleague-rpc",
            groups="base.group_user,base.group_partner_manager,kvk_connector.group_kvk_user",
            company_id=cls.company.id,
        )
        cls.officer = new_test_user(
            cls.env,
            login="kvk-officer-rpc",
            groups="base.group_user,kvk_connector.group_kvk_confidential",
            company_id=cls.company.id,
        )
        cls.salesperson.password = "kvk-salesperson"
        cls.partner = cls.env["res.partner"].create({"name": "Donald", "is_company": True})

    def rpc(self, login, model, method, args=(), **kwargs):
        """``/web/dataset/call_kw`` as ``login``; the error's class name when it fails."""
        self.authenticate(login, login)
        params = {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        try:
            return self.make_jsonrpc_request(f"/web/dataset/call_kw/{model}/{method}", params)
        except JsonRpcException as error:
            return RpcError(str(error))

    def assert_refused(self, result):
        self.assertIsInstance(result, RpcError, f"expected an error, got {result!r}")
        return result

    def logs(self):
        return self.env["kvk.query.log"].sudo().search([("company_id", "=", self.company.id)])

    # -- the service seam --------------------------------------------------------------------------

    @mute_logger("odoo.http", "odoo.addons.kvk_connector.models.kvk_service")
    def test_the_seam_is_not_callable_by_a_portal_user_or_a_user_without_the_group(self):
        for login in ("kvk-portal", "kvk-plain-rpc"):
            for method, args in SEAM_CALLS:
                with self.subTest(login=login, method=method):
                    self.assert_refused(self.rpc(login, "kvk.service", method, args))
        self.assertEqual(self.kvk_calls("/kvk/"), [], "the register was reached")
        self.assertFalse(self.logs())

    @mute_logger("odoo.http")
    def test_not_even_a_kvk_user_calls_the_seam_over_rpc(self):
        """Its answers may hold confidential values: they never go to the browser as such."""
        for method, args in SEAM_CALLS:
            with self.subTest(method=method):
                self.assert_refused(self.rpc("kvk-salesperson", "kvk.service", method, args))
        self.assertEqual(self.kvk_calls("/kvk/"), [])

    def test_the_seam_checks_the_group_itself(self):
        for user in (self.plain, self.portal):
            for call in (
                lambda service: service._fetch_profile("68750110"),
                lambda service: service._search_register({"kvkNummer": "68750110"}),
                lambda service: service._call("basisprofiel", "basisprofiel", "68750110"),
            ):
                with self.assertRaises(AccessError):
                    call(self.env["kvk.service"].with_user(user))
        self.assertEqual(self.kvk_calls("/kvk/"), [])
        self.assertFalse(self.logs())

    @mute_logger("odoo.http")
    def test_actions_check_the_group(self):
        refused = self.assert_refused(self.rpc("kvk-plain-rpc", "res.partner", "action_kvk_search", [self.partner.ids]))
        self.assertEqual(refused.message, "odoo.exceptions.AccessError")
        refused = self.assert_refused(
            self.rpc("kvk-plain-rpc", "res.partner", "action_kvk_print_extract", [self.partner.ids])
        )
        self.assertEqual(refused.message, "odoo.exceptions.AccessError")
        self.assert_refused(self.rpc("kvk-plain-rpc", "kvk.search.wizard", "create", [{"kvk_number": "68750110"}]))
        self.assert_refused(self.rpc("kvk-portal", "kvk.search.wizard", "create", [{"kvk_number": "68750110"}]))
        action = self.rpc("kvk-salesperson", "res.partner", "action_kvk_search", [self.partner.ids])
        self.assertEqual(action["res_model"], "kvk.search.wizard")
        self.assertEqual(self.kvk_calls("/kvk/"), [])

    # -- the search wizard ---------------------------------------------------------------------------

    def wizard_over_rpc(self, login, kvk_number, branch_number, **values):
        """Search and select over RPC, as the browser does; the wizard's id."""
        wizard_id = self.rpc(login, "kvk.search.wizard", "create", [{"kvk_number": kvk_number, **values}])
        self.rpc(login, "kvk.search.wizard", "action_search", [[wizard_id]])
        wizard = self.env["kvk.search.wizard"].browse(wizard_id)
        line = wizard.line_ids.filtered(lambda line: line.branch_number == branch_number)
        self.assertEqual(len(line), 1)
        self.rpc(login, "kvk.search.wizard.line", "action_select", [line.ids])
        self.assertEqual(wizard.state, "preview")
        return wizard_id

    def read_everything(self, login, wizard_id):
        """Every field of the wizard, its lines and its preview rows, as the browser can read them."""
        fields = self.rpc(login, "kvk.search.wizard", "fields_get", [], attributes=["type"])
        spec = {name: {} for name in fields}
        spec["line_ids"] = {"fields": {"kvk_number": {}, "name": {}, "rsin": {}, "street": {}}}
        spec["preview_ids"] = {"fields": {"key": {}, "current_value": {}, "register_value": {}, "label": {}}}
        return json.dumps(self.rpc(login, "kvk.search.wizard", "web_read", [[wizard_id]], specification=spec))

    def test_the_wizard_shows_no_confidential_value_to_the_browser(self):
        cert, key = pki_pair()
        self.company.write({"kvk_connection": "public", "kvk_pki_certificate": cert, "kvk_pki_key": key})
        wizard_id = self.wizard_over_rpc("kvk-salesperson", "69599084", "000038509504")
        seen = self.read_everything("kvk-salesperson", wizard_id)
        action = self.rpc("kvk-salesperson", "kvk.search.wizard", "action_apply", [[wizard_id]])
        partner = self.env["res.partner"].browse(action["res_id"])
        confidential = partner.with_user(self.officer).read(["kvk_bsn", "kvk_private_address"])[0]
        self.assertRegex(confidential["kvk_bsn"], r"^[0-9]{9}$")  # the answer did hold a BSN...
        self.assertIn("69599084", seen)
        self.assertNotIn(confidential["kvk_bsn"], seen)  # ...that the browser never saw
        for line in confidential["kvk_private_address"].splitlines():
            self.assertNotIn(line.split(": ", 1)[1], seen)
        with mute_logger("odoo.http"):
            self.assert_refused(
                self.rpc("kvk-salesperson", "kvk.search.wizard.answer", "search_read", [[]], fields=["values_json"])
            )

    @mute_logger("odoo.http")
    def test_a_forged_payload_writes_nothing_confidential_and_no_sbi_record(self):
        wizard_id = self.wizard_over_rpc("kvk-salesperson", "68750110", "000037178598")
        forged = {
            "company_registry": ["KvK number", "68750110", "68750110"],
            "kvk_rsin": ["RSIN", "111222333", "111222333"],
            "kvk_bsn": ["BSN", "999999990", "(confidential)"],
            "kvk_private_address": ["Private", "Vervalst 1, 1234 AB Nergens", "(confidential)"],
            "kvk_sbi_ids": ["SBI", [["99999", "Vervalste activiteit"]], "99999"],
        }
        # the old wizard kept the answer in a field the browser writes; whatever is sent there, nothing of it counts
        self.rpc("kvk-salesperson", "kvk.search.wizard", "write", [[wizard_id], {"values_json": json.dumps(forged)}])
        rows = [
            (0, 0, {"key": key, "label": key, "register_value": str(value[1]), "apply": True})
            for key, value in forged.items()
        ]
        self.rpc("kvk-salesperson", "kvk.search.wizard", "write", [[wizard_id], {"preview_ids": rows}])
        action = self.rpc("kvk-salesperson", "kvk.search.wizard", "action_apply", [[wizard_id]])
        partner = self.env["res.partner"].browse(action["res_id"]).sudo()
        self.assertEqual(partner.kvk_rsin, "857587973")  # the register's, not the forged one
        self.assertFalse(partner.kvk_bsn)
        self.assertFalse(partner.kvk_private_address)
        self.assertFalse(self.env["kvk.sbi.activity"].with_context(active_test=False).search([("code", "=", "99999")]))
        self.assertEqual(partner.kvk_sbi_ids.mapped("code"), ["01241"])

    @mute_logger("odoo.http")
    def test_a_foreign_log_entry_cannot_be_relinked(self):
        # a query of the salesperson's that belongs to no contact: another search, never applied
        other_search = self.env["kvk.search.wizard"].with_user(self.salesperson).create({"name": "Katrien"})
        other_search.action_search()
        foreign = self.logs().filtered(lambda log: not log.partner_id)
        self.assertEqual(len(foreign), 1)
        wizard_id = self.wizard_over_rpc("kvk-salesperson", "68750110", "000037178598")
        # the old wizard linked every query from a browser-writable id on
        self.rpc("kvk-salesperson", "kvk.search.wizard", "write", [[wizard_id], {"first_log_id": foreign.id}])
        action = self.rpc("kvk-salesperson", "kvk.search.wizard", "action_apply", [[wizard_id]])
        partner = self.env["res.partner"].browse(action["res_id"])
        self.assertFalse(foreign.partner_id)
        self.assertEqual(sorted(self.logs().filtered("partner_id").mapped("product")), ["basisprofiel", "zoeken"])
        self.assertEqual(self.logs().filtered("partner_id").partner_id, partner)

    @mute_logger("odoo.http")
    def test_a_colleague_does_not_read_or_apply_my_search(self):
        wizard_id = self.wizard_over_rpc("kvk-salesperson", "68750110", "000037178598")
        self.assert_refused(self.rpc("kvk-colleague-rpc", "kvk.search.wizard", "read", [[wizard_id], ["name"]]))
        self.assert_refused(self.rpc("kvk-colleague-rpc", "kvk.search.wizard", "action_apply", [[wizard_id]]))
        self.assertFalse(self.env["res.partner"].search([("company_registry", "=", "68750110")]))


class RpcError:
    """An error answer of a JSON-RPC call; ``message`` is the exception's name (``odoo.exceptions.AccessError``)."""

    def __init__(self, message):
        self.message = message

    def __repr__(self):
        return f"RpcError({self.message!r})"
