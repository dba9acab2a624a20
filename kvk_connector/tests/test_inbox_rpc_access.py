"""The models of change signals, the inbox and profiles over JSON-RPC, as users who should not get in."""

from odoo.tests import new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common_inbox import KvkInboxHttpCase
from .test_rpc_access import RpcError

MODELS = (
    "kvk.enrolment",
    "kvk.register.entry",
    "kvk.register.change",
    "kvk.subscription",
    "kvk.signal",
    "kvk.review",
    "kvk.review.line",
    "kvk.profile",
    "kvk.criterion.value",
    "kvk.import.job",
    "kvk.import.job.line",
)
# what a KvK user (a reviewer) may read; the rest is for KvK administrators
USER_READS = {
    "kvk.enrolment",
    "kvk.register.entry",
    "kvk.register.change",
    "kvk.signal",
    "kvk.review",
    "kvk.review.line",
    "kvk.profile",
    "kvk.criterion.value",
}


@tagged("post_install", "-at_install")
class TestInboxRpcAccess(KvkInboxHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        cls.other = cls.env["res.company"].create({"name": "Concurrent B.V.", "kvk_mode": "sandbox"})

        def user(login, groups, company):
            return new_test_user(cls.env, login=login, groups=groups, company_id=company.id, password=login)

        cls.portal = user("inbox-portal", "base.group_portal", company)
        cls.plain = user("inbox-plain", "base.group_user,base.group_partner_manager", company)
        cls.reviewer = user(
            "inbox-reviewer", "base.group_user,base.group_partner_manager,kvk_connector.group_kvk_user", company
        )
        cls.manager = user(
            "inbox-manager", "base.group_user,base.group_partner_manager,kvk_connector.group_kvk_manager", company
        )
        cls.stranger = user("inbox-stranger", "base.group_user,kvk_connector.group_kvk_manager", cls.other)
        Env = cls.env(context=dict(cls.env.context, allowed_company_ids=company.ids))
        cls.partner = Env["res.partner"].create(
            {"name": "Donald", "is_company": True, "company_registry": "68750110", "company_id": company.id}
        )
        cls.partner.with_company(company)._kvk_enrol(source="bulk")
        entry = Env["kvk.register.entry"].with_company(company)._kvk_entry("68750110")
        entry._kvk_record({"name": ("Name", "Test BV Donald", "Test BV Donald")}, "signal")
        subscription = Env["kvk.subscription"]._kvk_for_company(company)
        Env["kvk.signal"].sudo().create(
            {"company_id": company.id, "subscription_id": subscription.id, "signal_id": "s-1", "kvk_number": "68750110"}
        )
        cls.item, _auto = (
            Env["kvk.review"].sudo().with_company(company)._kvk_propose(cls.partner, entry, ["name"], "signal")
        )
        cls.profile = Env["kvk.profile"].create({"name": "Sport", "company_id": company.id, "bulk_file": "MQ=="})
        job = Env["kvk.import.job"].sudo().create({"company_id": company.id, "profile_id": cls.profile.id})
        Env["kvk.import.job.line"].sudo().create({"job_id": job.id, "line_number": 2, "outcome": "rejected"})
        cls.ids = {model: Env[model].sudo().search([("id", "!=", 0)]).ids for model in MODELS}
        for model in MODELS:
            assert cls.ids[model], model

    def rpc(self, login, model, method, args=(), **kwargs):
        self.authenticate(login, login)
        params = {"model": model, "method": method, "args": list(args), "kwargs": kwargs}
        try:
            return self.make_jsonrpc_request(f"/web/dataset/call_kw/{model}/{method}", params)
        except JsonRpcException as error:
            return RpcError(str(error))

    def refused(self, result, expected="odoo.exceptions.AccessError"):
        self.assertIsInstance(result, RpcError, f"expected a refusal, got {result!r}")
        if expected:
            self.assertEqual(result.message, expected)

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_rule", "odoo.addons.base.models.ir_model")
    def test_portal_users_and_users_without_the_group_read_nothing(self):
        for login in ("inbox-portal", "inbox-plain"):
            for model in MODELS:
                with self.subTest(login=login, model=model):
                    self.refused(self.rpc(login, model, "search_read", [[]], fields=["id"]))
                    self.refused(self.rpc(login, model, "read", [self.ids[model][:1], ["id"]]))

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_rule", "odoo.addons.base.models.ir_model")
    def test_another_companys_user_sees_nothing_of_this_company(self):
        for model in MODELS:
            with self.subTest(model=model):
                if model == "kvk.criterion.value":  # reference data of every company
                    continue
                found = self.rpc("inbox-stranger", model, "search_read", [[]], fields=["id"])
                self.assertNotIsInstance(found, RpcError)
                self.assertFalse(set(self.ids[model]) & {row["id"] for row in found})
                self.refused(self.rpc("inbox-stranger", model, "read", [self.ids[model][:1], ["id"]]))
        self.refused(self.rpc("inbox-stranger", "kvk.review", "action_accept", [self.item.ids]))
        self.refused(self.rpc("inbox-stranger", "kvk.profile", "action_test_selection", [self.profile.ids]))
        self.assertEqual(self.item.state, "new")

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_rule", "odoo.addons.base.models.ir_model")
    def test_a_reviewer_reads_what_a_reviewer_needs_and_changes_nothing_directly(self):
        for model in MODELS:
            with self.subTest(model=model):
                found = self.rpc("inbox-reviewer", model, "search_read", [[]], fields=["id"])
                if model in USER_READS:
                    self.assertTrue({row["id"] for row in found} >= set(self.ids[model]))
                else:
                    self.refused(found)
        line = self.item.line_ids
        self.refused(self.rpc("inbox-reviewer", "kvk.review", "write", [self.item.ids, {"state": "applied"}]))
        self.refused(self.rpc("inbox-reviewer", "kvk.review.line", "write", [line.ids, {"state": "applied"}]))
        self.refused(self.rpc("inbox-reviewer", "kvk.review", "unlink", [self.item.ids]))
        self.refused(
            self.rpc(
                "inbox-reviewer", "kvk.enrolment", "create", [{"kvk_number": "12345678", "partner_id": self.partner.id}]
            )
        )
        self.refused(self.rpc("inbox-reviewer", "kvk.profile", "create", [{"name": "Mine"}]))
        self.refused(self.rpc("inbox-reviewer", "kvk.profile", "action_import", [self.profile.ids]))
        self.refused(self.rpc("inbox-reviewer", "kvk.subscription", "action_retry_now", [self.ids["kvk.subscription"]]))
        self.refused(
            self.rpc("inbox-reviewer", "kvk.signal.job", "_cron_kvk_signals", []),
            expected="odoo.exceptions.AccessError",
        )
        self.assertEqual(self.item.state, "new")
        # deciding is what a reviewer does, through the action
        self.assertEqual(self.rpc("inbox-reviewer", "kvk.review.line", "action_reject", [line.ids]), True)
        self.assertEqual(self.item.state, "rejected")

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_rule", "odoo.addons.base.models.ir_model")
    def test_actions_check_their_group(self):
        self.refused(self.rpc("inbox-plain", "res.partner", "action_kvk_enrol", [self.partner.ids]))
        self.refused(self.rpc("inbox-plain", "res.partner", "action_kvk_end_enrolment", [self.partner.ids]))
        self.refused(self.rpc("inbox-portal", "res.partner", "action_kvk_enrol", [self.partner.ids]))
        self.refused(self.rpc("inbox-plain", "kvk.review", "action_accept", [self.item.ids]))
        self.refused(self.rpc("inbox-plain", "kvk.enrolment", "action_end", [self.ids["kvk.enrolment"]]))
        for private in ("_kvk_propose", "_cron_kvk_digest", "_kvk_create_item"):
            self.refused(self.rpc("inbox-manager", "kvk.review", private, []), expected=None)
        self.refused(self.rpc("inbox-manager", "kvk.import.job", "_cron_kvk_import", []), expected=None)
        self.refused(self.rpc("inbox-manager", "kvk.service", "_mutatie_subscriptions", []), expected=None)
        self.assertTrue(self.partner.with_company(self.company).kvk_enrolled)
        self.assertEqual(self.sandbox_control.requests("/kvk/api/"), [])
        # an administrator may hand an item to someone else, and nothing more
        self.assertTrue(
            self.rpc("inbox-manager", "kvk.review", "write", [self.item.ids, {"user_id": self.reviewer.id}])
        )
        self.assertEqual(self.item.user_id, self.reviewer)
        self.refused(
            self.rpc("inbox-manager", "kvk.review", "write", [self.item.ids, {"state": "applied"}]), expected=None
        )
