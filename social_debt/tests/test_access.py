from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .common import BOTH_DEBTS, NO_DEBT, SocialDebtHttpCase


@tagged("post_install", "-at_install")
class TestAccessOverRpc(SocialDebtHttpCase):
    """What a portal user, an internal user without the group, a user of the other company and
    even an administrator can do over /web/dataset/call_kw."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Aannemer Gent BV",
                "is_company": True,
                "country_id": cls.env.ref("base.be").id,
                "company_registry": NO_DEBT,
                "social_debt_scope": "art30bis",
            }
        )
        service = cls.env["social.debt.service"].with_user(cls.checker)
        cls.check = service._check_partners(cls.partner, company=cls.company).sudo()
        cls.other_check = service._check_partners(cls.partner, company=cls.company_2).sudo()
        cls.manager = cls._user(
            "sd-manager", "social_debt.group_social_debt_manager,account.group_account_manager,base.group_system"
        )

    def call(self, user, model, method, *args, **kwargs):
        self.authenticate(user.login, f"{user.login}-pass" if user != self.portal else "sd-portal-pass")
        return self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def refused(self, user, model, method, *args, **kwargs):
        with self.assertRaises(JsonRpcException) as caught, mute_logger("odoo.http"):
            self.call(user, model, method, *args, **kwargs)
        return caught.exception

    def test_checking_needs_the_group(self):
        self.sandbox_control.clear_requests()
        for user in (self.portal, self.internal, self.clerk):
            error = self.refused(user, "res.partner", "action_social_debt_check", [self.partner.id])
            self.assertIn("AccessError", str(error), user.login)
            self.refused(user, "res.partner", "action_social_debt_check_grouped", [self.partner.id])
            self.refused(user, "social.debt.check", "action_retry", [self.check.id])
            self.refused(user, "social.debt.check", "action_download_proof", [self.check.id])
        self.assertEqual(self.calls(), [], "the KSZ was never asked")
        result = self.call(self.checker, "res.partner", "action_social_debt_check", [self.partner.id])
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual(len(self.calls()), 2)

    def test_the_service_seam_is_not_reachable(self):
        self.sandbox_control.clear_requests()
        for method in ("_check_partners", "_create_batch", "_cron_monitor", "_cron_process_batches"):
            error = self.refused(self.manager, "social.debt.service", method, [self.partner.id])
            self.assertIn("AccessError", str(error), method)
        self.assertEqual(self.calls(), [])

    def test_checks_are_read_by_the_group_of_their_company_only(self):
        for user in (self.portal, self.internal):
            self.refused(user, "social.debt.check", "search_read", [], fields=["verdict"])
        mine = self.call(self.checker, "social.debt.check", "search_read", [], fields=["company_id", "raw_answer"])
        self.assertIn(self.check.id, [row["id"] for row in mine])
        self.assertEqual({row["company_id"][0] for row in mine}, {self.company.id})
        theirs = self.call(self.other, "social.debt.check", "search_read", [], fields=["company_id"])
        self.assertEqual([row["id"] for row in theirs], [self.other_check.id])
        self.refused(self.other, "social.debt.check", "read", [self.check.id], fields=["raw_answer"])

    def test_nobody_changes_or_deletes_a_check_or_its_proof(self):
        proof = self.check._ensure_proof()
        for user in (self.checker, self.manager):
            self.refused(user, "social.debt.check", "write", [self.check.id], {"verdict": "social_debt"})
            self.refused(user, "social.debt.check", "unlink", [self.check.id])
            self.refused(user, "social.debt.check", "create", {"enterprise_number": BOTH_DEBTS, "ticket": "x"})
            self.refused(user, "ir.attachment", "write", [proof.id], {"raw": "Zm9yZ2Vk"})
            self.refused(user, "ir.attachment", "unlink", [proof.id])
        with self.assertRaisesRegex(UserError, "answered social debt check cannot be changed"):
            self.check.write({"raw_answer": "<forged/>"})
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            self.check.unlink()
        with self.assertRaisesRegex(UserError, "proof of a social debt check cannot be replaced"):
            self.check.write({"proof_attachment_id": proof.copy().id})
        self.assertEqual(self.check.verdict, "no_debt")
        self.assertTrue(proof.exists())

    def test_credentials_are_for_administrators(self):
        user_manager = self._user("sd-admin-no-system", "social_debt.group_social_debt_manager")
        for user in (user_manager, self.checker):
            error = self.refused(user, "res.company", "read", [self.company.id], ["social_debt_certificate_password"])
            self.assertIn("AccessError", str(error))
        rows = self.call(self.manager, "res.company", "read", [self.company.id], ["social_debt_certificate_password"])
        self.assertEqual(rows[0]["social_debt_certificate_password"], "sandbox")

    def test_job_runs_are_for_managers(self):
        self.env["social.debt.service"]._log_run(self.company, "monitor", "done")
        self.refused(self.checker, "social.debt.run", "search_read", [], fields=["state"])
        rows = self.call(self.manager, "social.debt.run", "search_read", [], fields=["state"])
        self.assertTrue(rows)
        self.refused(self.manager, "social.debt.run", "unlink", [rows[0]["id"]])
