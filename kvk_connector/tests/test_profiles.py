"""Profiles (target groups): criteria, test selection on a KvK bulk file, import that resumes after a crash."""

import base64
import io
import logging
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from sandbox import kvk_bulk as sandbox_bulk

from ..clients import ColumnMapping, iter_matches, kvk_date, run_test_selection
from ..models.kvk_dates import readable_kvk_date
from ..models.kvk_import_job import IMPORT_LOCK, KvkImportJob
from .common_inbox import KvkInboxCase

IMPORT_LOGGER = "odoo.addons.kvk_connector.models.kvk_import_job"


def bulk_file(rows, bad_every=0):
    """A KvK bulk file as the sandbox writes it, and the line numbers of its bad rows."""
    out = io.BytesIO()
    written = sandbox_bulk.write(out, rows, bad_every=bad_every)
    return out.getvalue(), written


@tagged("post_install", "-at_install")
class TestProfiles(KvkInboxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="kvk-manager",
            groups="base.group_user,base.group_partner_manager,kvk_connector.group_kvk_manager",
            company_id=cls.company.id,
        )
        cls.data, cls.written = bulk_file(1500, bad_every=100)

    def profile(self, data=None, **values):
        values.setdefault("name", "Main branches")
        profile = self.env["kvk.profile"].create({"company_id": self.company.id, **values})
        if data is not None:
            profile.write({"bulk_file": base64.b64encode(data), "bulk_filename": "kvk.csv"})
        return profile

    def run_import(self, **kwargs):
        with mute_logger(IMPORT_LOGGER):
            return self.env["kvk.import.job"]._cron_kvk_import(**kwargs)

    # -- criteria -------------------------------------------------------------------------------------

    def test_a_wrong_criterion_names_the_field_and_the_value(self):
        with self.assertRaisesRegex(ValidationError, "SBI codes: 'sport' is no SBI code"):
            self.profile(sbi_include="93 sport")
        with self.assertRaisesRegex(ValidationError, "Postcode ranges: '5500-5200' is no postcode range"):
            self.profile(postcodes="5500-5200")
        with self.assertRaisesRegex(ValidationError, "KvK numbers: '1234' is no KvK number"):
            self.profile(kvk_numbers="68750110 1234")

    def test_the_profile_shows_which_criteria_kvk_applies_and_which_are_filtered_here(self):
        legal = self.env["kvk.criterion.value"].search([("kind", "=", "legal_form"), ("key", "=", "bv")])
        size = self.env["kvk.criterion.value"].search([("kind", "=", "employees"), ("key", "=", "10-19")])
        profile = self.profile(
            sbi_include="93",
            postcodes="5200-5500",
            legal_form_ids=[(6, 0, legal.ids)],
            employee_class_ids=[(6, 0, size.ids)],
            kvk_numbers="68750110",
        )
        html = str(profile.criteria_overview)
        for applied in ("SBI codes", "Postcode ranges", "Legal forms"):
            self.assertRegex(html, f"{applied} <span[^>]*>applied by KvK")
        for local in ("Employees", "KvK numbers"):
            self.assertRegex(html, f"{local} <span[^>]*>filtered here")
        self.assertIn("Revenue groups are no KvK criterion", html)
        self.assertEqual(profile._kvk_criteria().legal_forms, ("bv",))

    # -- test selection --------------------------------------------------------------------------------

    def test_test_selection_counts_samples_and_reports_bad_rows_with_their_line(self):
        profile = self.profile(self.data, postcodes="1000-9999", main_branches_only=True)
        profile.with_user(self.manager).action_test_selection()
        expected = run_test_selection(io.BytesIO(self.data), profile._kvk_criteria(), ColumnMapping())
        self.assertRecordValues(
            profile,
            [
                {
                    "selection_rows": expected.rows,
                    "selection_matches": expected.matches,
                    "selection_bad_count": len(self.written.bad_lines),
                    "selection_band": "below",
                }
            ],
        )
        self.assertGreater(expected.matches, 100)
        html = str(profile.selection_html)
        self.assertEqual(html.count("<tr>"), 1 + 20, "a header and a sample of 20")
        for line in self.written.bad_lines:
            self.assertIn(f"Line {line}:", html)
        self.assertIn(f"Companies that match: {expected.matches}.", profile.selection_warning)
        self.assertIn("7 columns instead of 23", html)
        # a reader of Dutch reads the bad rows and the warning in Dutch
        self.env["res.lang"]._activate_lang("nl_NL")
        dutch = profile.with_context(lang="nl_NL")
        html = str(dutch.selection_html)
        for line in self.written.bad_lines:
            self.assertIn(f"Regel {line}:", html)
        self.assertIn("7 kolommen in plaats van 23", html)
        self.assertIn("is geen Nederlandse postcode", html)
        self.assertNotIn("is not", html)
        self.assertIn(f"Bedrijven die voldoen: {expected.matches}.", dutch.selection_warning)

    def test_test_selection_warns_above_twenty_thousand(self):
        data, _written = bulk_file(21_500)
        profile = self.profile(data)
        profile.action_test_selection()
        self.assertEqual(profile.selection_band, "above")
        self.assertGreater(profile.selection_matches, 20_000)
        self.assertIn("more than 20,000", profile.selection_warning)

    def test_a_file_the_mapping_does_not_fit_is_refused_with_a_reason(self):
        profile = self.profile(b"nummer;naam\n68750110;Donald\n")
        with self.assertRaisesRegex(UserError, "kvk_nummer"):
            profile.action_test_selection()
        profile.column_mapping = "kvk_number = nummer\nname = naam\nbranch_number =\nmain_branch =\n"
        profile.action_test_selection()
        self.assertEqual(profile.selection_matches, 1)
        profile.column_mapping = "kvk_nummer: nummer"
        with self.assertRaisesRegex(UserError, "Column mapping"):
            profile.action_test_selection()

    def test_only_kvk_administrators_test_and_import(self):
        profile = self.profile(self.data)
        for action in ("action_test_selection", "action_import"):
            with self.assertRaises(AccessError):
                getattr(profile.with_user(self.salesperson), action)()

    # -- import -----------------------------------------------------------------------------------------

    def test_import_creates_links_skips_and_rejects_with_line_numbers(self):
        profile = self.profile(self.data, main_branches_only=True)
        Partner = self.env["res.partner"]
        # already in Odoo: by number and main branch, by number alone (entered by hand), and followed already
        by_branch = Partner.create(
            {
                "name": "Donald (ours)",
                "is_company": True,
                "company_registry": "68750110",
                "kvk_branch_number": "000037178598",
            }
        )
        by_number = Partner.create({"name": "Dagobert (ours)", "is_company": True, "company_registry": "69599084"})
        followed = self.link("68727720", "000037143557")
        profile.with_user(self.manager).action_import()
        job = profile.import_job_ids
        self.assertEqual(job.state, "queued")
        self.run_import()
        expected = [row for batch in iter_matches(io.BytesIO(self.data), profile._kvk_criteria()) for row in batch.rows]
        self.assertRecordValues(
            job,
            [
                {
                    "state": "done",
                    "linked_count": 2,
                    "skipped_count": 1,
                    "created_count": len(expected) - 3,
                    "rejected_count": len(self.written.bad_lines),
                }
            ],
        )
        rejected = job.line_ids.filtered(lambda line: line.outcome == "rejected")
        self.assertEqual(sorted(rejected.mapped("line_number")), sorted(self.written.bad_lines))
        self.assertTrue(all(rejected.mapped("reason_display")))
        self.env["res.lang"]._activate_lang("nl_NL")
        dutch = rejected.with_context(lang="nl_NL").mapped("reason_display")
        self.assertFalse([reason for reason in dutch if " is not " in reason or "columns instead" in reason], dutch)
        linked = job.line_ids.filtered(lambda line: line.outcome == "linked")
        self.assertEqual(linked.partner_id, by_branch | by_number)
        self.assertEqual(by_number.kvk_branch_number, "000038509504")
        skipped = job.line_ids.filtered(lambda line: line.outcome == "skipped")
        self.assertEqual(skipped.partner_id, followed)
        created = job.line_ids.filtered(lambda line: line.outcome == "created").partner_id
        self.assertEqual(len(created), job.created_count)
        self.assertEqual(set(created.mapped("company_id")), {self.company})
        self.assertTrue(all(created.mapped("kvk_linked")))
        enrolments = self.env["kvk.enrolment"].search([("profile_id", "=", profile.id)])
        self.assertEqual(enrolments.partner_id, created | by_branch | by_number)
        self.assertEqual(set(enrolments.mapped("source")), {"import"})
        self.assertEqual(profile.enrolment_count, len(enrolments))
        # what the rows say is on the contacts
        row = next(
            r
            for r in expected
            if r.branch_number and r.postcode and r.kvk_number not in ("68750110", "69599084", "68727720")
        )
        partner = created.filtered(lambda p: p.company_registry == row.kvk_number)
        self.assertRecordValues(
            partner,
            [{"name": row.name, "kvk_branch_number": row.branch_number, "kvk_registration_kind": "hoofdvestiging"}],
        )
        self.assertEqual(partner.kvk_sbi_id.code, row.sbi_main)
        self.assertEqual(partner.zip.replace(" ", ""), row.postcode)
        self.assertEqual(partner.city, row.city)
        # dates as "Search register" writes them: the register's text, and the date where it is complete
        raw, complete = kvk_date(row.values["start_date"])
        self.assertEqual(partner.kvk_founding_raw, raw)
        self.assertEqual(partner.kvk_founding_date, complete or False)
        self.assertEqual(partner.kvk_founding_display, readable_kvk_date(raw))

    def test_an_import_resumes_after_a_crash_without_duplicates(self):
        profile = self.profile(self.data, main_branches_only=True)
        profile.action_import()
        job = profile.import_job_ids
        self.run_import(batch_size=50, max_batches=2)
        self.assertEqual(job.state, "running")
        reached = job.last_line
        created = job.created_count
        self.assertEqual(created + job.linked_count + job.skipped_count, 100)
        original = KvkImportJob._kvk_import_batch
        calls = []

        def crash_after_writing(job_self, rows, bad_rows):
            result = original(job_self, rows, bad_rows)
            calls.append(len(rows))
            if len(calls) == 2:
                raise RuntimeError("the worker died")
            return result

        with patch.object(KvkImportJob, "_kvk_import_batch", crash_after_writing), self.assertRaises(RuntimeError):
            with self.env.cr.savepoint():  # what a crashed worker's transaction leaves: its last commit
                self.run_import(batch_size=50, max_batches=3)
        self.env.invalidate_all()
        self.assertEqual(job.last_line, reached, "a crashed batch does not move the position")
        self.run_import(batch_size=50)
        self.assertEqual(job.state, "done")
        partners = job.line_ids.filtered(lambda line: line.outcome == "created").partner_id
        numbers = partners.mapped(lambda p: (p.company_registry, p.kvk_branch_number))
        self.assertEqual(len(numbers), len(set(numbers)), "no company created twice")
        expected = sum(len(batch.rows) for batch in iter_matches(io.BytesIO(self.data), profile._kvk_criteria()))
        self.assertEqual(job.created_count, expected)
        self.assertEqual(len(job.line_ids.filtered(lambda line: line.outcome != "rejected")), expected)

    def test_a_second_run_at_once_leaves_the_job_to_the_first(self):
        profile = self.profile(self.data, main_branches_only=True)
        profile.action_import()
        job = profile.import_job_ids
        with self.registry.cursor() as other_run:
            other_run.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [IMPORT_LOCK, job.id])
            with self.assertLogs(IMPORT_LOGGER, logging.INFO) as logged:
                self.env["kvk.import.job"]._cron_kvk_import()
            other_run.rollback()
        self.assertIn(f"KvK import {job.id} skipped", "\n".join(logged.output))
        self.assertEqual(job.state, "queued")
        self.run_import()
        self.assertEqual(job.state, "done")

    def test_an_unreadable_file_fails_the_job_with_a_reason(self):
        profile = self.profile(b"nummer;naam\n68750110;Donald\n")
        profile.action_import()
        self.run_import()
        job = profile.import_job_ids
        self.assertEqual(job.state, "failed")
        self.assertIn("kvk_nummer", job.error_message)

    def test_each_company_imports_into_its_own_contacts(self):
        other = self.env["res.company"].create(
            {"name": "Tweede B.V.", "kvk_mode": "sandbox", "kvk_api_key": "sandbox-2"}
        )
        self.env.user.company_ids |= other
        ours = self.env["res.partner"].create(
            {"name": "Donald (ours)", "is_company": True, "company_registry": "68750110",
             "kvk_branch_number": "000037178598", "company_id": self.company.id}
        )  # fmt: skip
        profile = (
            self.env["kvk.profile"]
            .with_company(other)
            .create(
                {
                    "name": "Theirs",
                    "company_id": other.id,
                    "kvk_numbers": "68750110",
                    "bulk_file": base64.b64encode(self.data),
                }
            )
        )
        profile.action_import()
        self.run_import()
        job = profile.import_job_ids
        self.assertEqual(job.company_id, other)
        created = job.line_ids.filtered(lambda line: line.outcome == "created").partner_id
        self.assertIn("68750110", created.mapped("company_registry"), "our contact is not theirs to link")
        self.assertEqual(set(created.mapped("company_id")), {other})
        self.assertFalse(ours._kvk_enrolments(other))
        self.assertEqual(set(created.kvk_enrolment_ids.mapped("company_id")), {other})
