"""The refresh job: per company, safe to run twice at once or after a failure, failure state per contact."""

import logging
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import convert_file, mute_logger

from ..models.res_partner import REFRESH_LOCK, ResPartner
from .common import KvkCase
from .test_public_sector import pki_pair

RES_PARTNER_LOGGER = "odoo.addons.kvk_connector.models.res_partner"
SERVICE_LOGGER = "odoo.addons.kvk_connector.models.kvk_service"


@tagged("post_install", "-at_install")
class TestRefresh(KvkCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.company"].create(
            {
                "name": "Tweede Vestiging B.V.",
                "country_id": cls.env.ref("base.nl").id,
                "kvk_mode": "sandbox",
                "kvk_api_key": "sandbox-other",
            }
        )
        cls.other.partner_id.lang = "en_US"
        cls.env.user.company_ids |= cls.other
        cls.Partner = cls.env["res.partner"].with_context(kvk_backoff=0.01)

    def linked(self, name, kvk, branch=False, kind=False, company=None, **values):
        """A contact as linking leaves it, due for a refresh."""
        partner = self.Partner.create(
            {
                "name": name,
                "is_company": True,
                "company_registry": kvk,
                "kvk_branch_number": branch,
                "company_id": (company or self.company).id,
                **values,
            }
        )
        self.env.cr.execute(
            "UPDATE res_partner SET kvk_linked = true, kvk_registration_kind = %s, kvk_last_update = NULL "
            "WHERE id = %s",
            [kind or None, partner.id],
        )
        self.env.invalidate_all()
        return partner

    def refresh(self, **kwargs):
        with mute_logger(SERVICE_LOGGER):
            return self.Partner._cron_kvk_refresh(**kwargs)

    def logs_of(self, partner):
        return self.env["kvk.query.log"].search([("partner_id", "=", partner.id)], order="id")

    def age(self, *partners, days=30):
        """Make partners' register data old again (and any back-off over)."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET kvk_last_update = %s, kvk_refresh_retry_after = NULL WHERE id IN %s",
            [fields.Datetime.now() - timedelta(days=days), tuple(p.id for p in partners)],
        )
        self.env.invalidate_all()

    # -- multi-company ---------------------------------------------------------------------------

    def test_each_company_refreshes_with_its_own_connection_and_log(self):
        ours = self.linked("Donald", "68750110", "000037178598", "hoofdvestiging")
        theirs = self.linked("Katrien", "68727720", "000037143557", "hoofdvestiging", company=self.other)
        self.other.kvk_api_key = "rejected-key"  # the other company's key: the register refuses it
        self.refresh()
        self.assertRecordValues(ours, [{"kvk_rsin": "857587973", "kvk_refresh_failures": 0}])
        self.assertRecordValues(
            theirs, [{"kvk_rsin": False, "kvk_refresh_failures": 1, "kvk_refresh_error_code": "unauthorized"}]
        )
        self.assertEqual(self.logs_of(ours).company_id, self.company)
        self.assertRecordValues(self.logs_of(theirs), [{"company_id": self.other.id, "error_code": "unauthorized"}])
        self.assertEqual(ours.kvk_company_id, self.company)  # refreshed by its company from now on

    def test_each_company_its_own_products_cache_and_cap(self):
        ours = self.linked("Donald", "68750110", "000037178598", "hoofdvestiging")
        theirs = self.linked("Donald bij de ander", "68750110", "000037178598", "hoofdvestiging", company=self.other)
        capped = self.linked("Katrien", "68727720", "000037143557", "hoofdvestiging", company=self.other)
        self.other.write({"kvk_use_basisprofiel": False, "kvk_monthly_cap": 0.03, "kvk_price_vestigingsprofiel": 0.02})
        self.refresh()
        # ours from Basisprofiel; the other company has it switched off and uses Vestigingsprofiel, paid itself
        self.assertRecordValues(self.logs_of(ours), [{"product": "basisprofiel", "state": "done", "cost": 0.019}])
        self.assertRecordValues(self.logs_of(theirs), [{"product": "vestigingsprofiel", "state": "done", "cost": 0.02}])
        # the other company's cap (0.03) stops its second paid call; ours (no cap) is not touched
        self.assertRecordValues(
            self.logs_of(capped), [{"state": "blocked", "error_code": "cap", "company_id": self.other.id}]
        )
        self.assertEqual(capped.kvk_refresh_error_code, "cap")
        # the cache is the company's own: our answer is not served to the other company
        self.age(ours, theirs)
        self.other.write({"kvk_use_basisprofiel": True, "kvk_monthly_cap": 0})
        self.refresh()
        self.assertEqual(self.logs_of(ours).mapped("state"), ["done", "cached"])
        self.assertEqual(self.logs_of(theirs).mapped("state"), ["done", "done"])
        self.assertEqual(self.logs_of(theirs)[1].product, "basisprofiel")

    # -- failure state ---------------------------------------------------------------------------------

    def test_a_failing_contact_backs_off_and_does_not_starve_the_others(self):
        failing = self.linked("Typo B.V.", "12345678")
        good = self.linked("Donald", "68750110", "000037178598", "hoofdvestiging")
        self.env.cr.execute("UPDATE res_partner SET kvk_last_update = %s WHERE id = %s", ["2000-01-01", good.id])
        self.env.invalidate_all()
        self.assertEqual(self.refresh(batch=1), 0)  # the failing one is the oldest: it goes first
        self.assertRecordValues(failing, [{"kvk_refresh_failures": 1, "kvk_refresh_error_code": "IPD0005"}])
        self.assertIn("no data for this KvK number", failing.kvk_refresh_error)
        self.assertEqual(failing.kvk_refresh_retry_after - failing.kvk_refresh_failed_at, timedelta(days=1))
        self.assertEqual(self.refresh(batch=1), 1)  # backing off: the next one gets its turn
        self.assertEqual(good.kvk_rsin, "857587973")
        calls = len(self.kvk_calls("/kvk/api/v1/"))
        self.assertEqual(self.refresh(batch=1), 0)  # nobody is due
        self.assertEqual(len(self.kvk_calls("/kvk/api/v1/")), calls)

    def test_a_note_once_per_new_failure(self):
        failing = self.linked("Typo B.V.", "12345678")

        def notes():
            return failing.message_ids.filtered(lambda m: "Register refresh failed" in (m.body or ""))

        self.refresh()
        self.assertEqual(len(notes()), 1)
        for run in (2, 3):
            self.age(failing)
            self.refresh()
            self.assertEqual(failing.kvk_refresh_failures, run)
        self.assertEqual(len(notes()), 1, "the same failure again is no news")
        self.assertEqual(failing.kvk_refresh_retry_after - failing.kvk_refresh_failed_at, timedelta(days=4))
        self.age(failing)
        self.sandbox_control.arm_fault("/kvk/api/v1/basisprofielen", status=503, count=4)
        self.refresh()
        self.assertEqual(failing.kvk_refresh_error_code, "IPD1003")
        self.assertEqual(len(notes()), 2, "a new failure gets its note")
        # the contact is put right: the next refresh works and forgets the failures
        failing.company_registry = "68750110"
        self.age(failing)
        self.refresh()
        self.assertRecordValues(
            failing,
            [
                {
                    "kvk_rsin": "857587973",
                    "kvk_refresh_failures": 0,
                    "kvk_refresh_error_code": False,
                    "kvk_refresh_retry_after": False,
                }
            ],
        )

    # -- registration kind -------------------------------------------------------------------------------

    def link_through_the_wizard(self, kvk, branch):
        wizard = self.env["kvk.search.wizard"].with_user(self.salesperson).create({"kvk_number": kvk})
        wizard.action_search()
        wizard.line_ids.filtered(lambda line: line.branch_number == branch).action_select()
        return self.env["res.partner"].browse(wizard.action_apply()["res_id"])

    def test_the_registration_kind_is_kept_and_decides_the_product(self):
        main = self.link_through_the_wizard("68750110", "000037178598")
        side = self.link_through_the_wizard("68750110", "000037178601")
        self.assertRecordValues(
            main + side,
            [
                {"kvk_registration_kind": "hoofdvestiging", "kvk_company_id": self.company.id},
                {"kvk_registration_kind": "nevenvestiging", "kvk_company_id": self.company.id},
            ],
        )
        self.company.kvk_cache_hours = 0
        self.age(main, side)
        self.sandbox_control.clear_requests()
        self.refresh()
        paths = sorted(call["path"] for call in self.kvk_calls("/kvk/api/v1/"))
        # the main branch from Basisprofiel, the side branch from Vestigingsprofiel
        self.assertEqual(paths, ["/kvk/api/v1/basisprofielen/68750110", "/kvk/api/v1/vestigingsprofielen/000037178601"])

    def test_a_public_sector_company_refreshes_main_branches_from_the_dataservice(self):
        cert, key = pki_pair()
        self.company.write({"kvk_connection": "public", "kvk_pki_certificate": cert, "kvk_pki_key": key})
        main = self.linked("Dagobert", "69599084", "000038509504", "hoofdvestiging")
        side = self.linked("Govert", "69599084", "000038509520", "nevenvestiging")
        self.refresh()
        self.assertEqual(len(self.kvk_calls("/kvk/dataservice")), 1)
        self.assertEqual(
            [c["path"] for c in self.kvk_calls("/kvk/api/")], ["/kvk/api/v1/vestigingsprofielen/000038509520"]
        )
        self.assertEqual(self.logs_of(main).product, "dataservice")
        self.assertEqual(self.logs_of(side).product, "vestigingsprofiel")
        self.assertRegex(main.sudo().kvk_bsn, r"^[0-9]{9}$")

    def test_a_contact_linked_before_kinds_were_kept_learns_its_kind(self):
        legacy = self.linked("Katrien", "68727720", "000037143557")
        self.refresh()
        self.assertEqual(self.logs_of(legacy).product, "vestigingsprofiel")
        self.assertEqual(legacy.kvk_registration_kind, "hoofdvestiging")
        self.age(legacy)
        self.refresh()
        self.assertEqual(self.logs_of(legacy)[-1].product, "basisprofiel")

    # -- runs: language, schedule, concurrency, crashes --------------------------------------------------

    def test_notes_are_in_the_language_of_the_salesperson(self):
        self.env["res.lang"]._activate_lang("nl_NL")
        dutch = new_test_user(self.env, login="kvk-verkoper", groups="base.group_user", lang="nl_NL")
        failing = self.linked("Typo B.V.", "12345678", user_id=dutch.id)
        good = self.linked("Donald", "68750110", "000037178598", "hoofdvestiging", user_id=dutch.id)
        english = self.linked("Katrien", "68727720", "000037143557", "hoofdvestiging")
        self.refresh()

        def notes(partner):
            return "\n".join(partner.message_ids.mapped(lambda message: message.body or ""))

        self.assertIn("Verversen uit het register mislukt: Het register heeft geen gegevens", notes(failing))
        self.assertIn("geen gegevens", failing.kvk_refresh_error)
        self.assertIn("Overgenomen uit het KvK-register", notes(good))
        self.assertIn("Rechtsvorm", notes(good))  # the labels of what was written too
        self.assertIn("Written from the KvK register", notes(english))
        self.assertNotIn("Overgenomen", notes(english))

    def test_the_jobs_keep_their_schedule_over_module_updates(self):
        for xmlid in ("kvk_connector.ir_cron_kvk_connector_refresh", "kvk_connector.ir_cron_kvk_connector_purge"):
            cron = self.env.ref(xmlid)
            cron.write({"interval_number": 3, "interval_type": "days", "active": True})
        convert_file(self.env, "kvk_connector", "data/ir_cron.xml", {}, mode="update", noupdate=False)
        for xmlid in ("kvk_connector.ir_cron_kvk_connector_refresh", "kvk_connector.ir_cron_kvk_connector_purge"):
            self.assertRecordValues(
                self.env.ref(xmlid), [{"interval_number": 3, "interval_type": "days", "active": True}]
            )

    def test_a_second_run_at_once_is_skipped(self):
        partner = self.linked("Donald", "68750110", "000037178598", "hoofdvestiging")
        with self.registry.cursor() as other_run:  # another worker refreshing the same company
            other_run.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [REFRESH_LOCK, self.company.id])
            self.assertTrue(other_run.fetchone()[0])
            with self.assertLogs(RES_PARTNER_LOGGER, logging.INFO) as logged:
                self.assertEqual(self.refresh(), 0)
            other_run.rollback()  # that run ends
        self.assertIn(f"KvK refresh of company {self.company.id} skipped", "\n".join(logged.output))
        self.assertEqual(self.kvk_calls("/kvk/"), [])
        self.assertFalse(partner.kvk_last_update)
        self.assertEqual(self.refresh(), 1)
        self.assertEqual(partner.kvk_rsin, "857587973")

    def test_a_contact_that_fails_while_applying_is_left_as_it_was(self):
        broken = self.linked("Donald", "68750110", "000037178598", "hoofdvestiging", city="Leeuwarden")
        fine = self.linked("Katrien", "68727720", "000037143557", "hoofdvestiging")
        original = ResPartner._kvk_write_register_values

        def write_then_fail(partner, values, keys, kind=None):
            written = original(partner, values, keys, kind=kind)
            if partner == broken:
                raise ValidationError(partner.env._("the contact refuses this"))
            return written

        with patch.object(ResPartner, "_kvk_write_register_values", write_then_fail):
            self.assertEqual(self.refresh(), 1)
        self.assertRecordValues(
            broken,
            [
                {
                    "kvk_rsin": False,
                    "kvk_last_update": False,
                    "city": "Leeuwarden",
                    "kvk_refresh_failures": 1,
                    "kvk_refresh_error_code": "not_applied",
                }
            ],
        )
        self.assertFalse(broken.message_ids.filtered(lambda m: "Written from" in (m.body or "")))
        self.assertEqual(fine.kvk_rsin, "291417772")
        # run again once the cause is gone: the same end state as a run that never failed
        self.age(broken)
        self.assertEqual(self.refresh(), 1)
        self.assertRecordValues(broken, [{"kvk_rsin": "857587973", "kvk_refresh_failures": 0, "city": "Leeuwarden"}])
