"""The change signals, the profile import and the inbox digest record their runs, which the Settings show."""

import base64
import io

from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from sandbox import kvk_bulk as sandbox_bulk

from ..models.kvk_review import DIGEST_LOCK
from ..models.kvk_signal_job import SIGNAL_LOCK
from .common_inbox import JOB_LOGGER, KvkInboxCase

DONALD, DONALD_MAIN = "68750110", "000037178598"
KATRIEN = "68727720"
IMPORT_LOGGER = "odoo.addons.kvk_connector.models.kvk_import_job"
REVIEW_LOGGER = "odoo.addons.kvk_connector.models.kvk_review"


@tagged("post_install", "-at_install")
class TestInboxJobRuns(KvkInboxCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.admin.company_ids |= cls.company

    def settings(self):
        return Form(self.env["res.config.settings"].with_user(self.admin).with_company(self.company))

    def runs(self, job, **domain):
        search = [("job", "=", job), ("company_id", "=", self.company.id)]
        search += [(key, "=", value) for key, value in domain.items()]
        return self.env["kvk.job.run"].search(search, order="id")

    def held_elsewhere(self, lock):
        """A cursor of another worker that holds this company's ``lock`` (roll it back to let go)."""
        other = self.registry.cursor()
        other.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [lock, self.company.id])
        self.assertTrue(other.fetchone()[0])
        return other

    def test_a_change_signal_run_is_recorded_with_what_it_read_paid_and_made(self):
        self.assertEqual(self.settings().kvk_signals_last_summary, "not run yet")
        self.link(DONALD, DONALD_MAIN)
        self.emit("changed", DONALD, blocks=["maOnderneming"], change="name")
        self.emit("changed", KATRIEN, blocks=["maOnderneming"])  # nobody follows it
        self.run_signals()
        (run,) = self.runs("signals")
        self.assertRecordValues(
            run,
            [
                {
                    "state": "done",
                    "read_count": 2,
                    "done_count": 1,
                    "paid_count": 1,
                    "item_count": 1,
                    "remaining_count": 0,
                }
            ],
        )
        settings = self.settings()
        self.assertEqual(settings.kvk_signals_last_run, run.ended_at)
        self.assertEqual(
            settings.kvk_signals_last_summary,
            "signals read: 2, processed: 1, paid calls: 1, review items made: 1, left for the next run: 0",
        )

    def test_signals_the_cap_holds_are_left_for_the_next_run(self):
        self.link(DONALD, DONALD_MAIN)
        self.company.kvk_monthly_cap = 0.01  # the search that linked the contact spent 0.019
        self.emit("changed", DONALD, blocks=["maOnderneming"], change="name")
        self.run_signals()
        self.assertRecordValues(
            self.runs("signals"), [{"state": "done", "read_count": 1, "paid_count": 0, "remaining_count": 1}]
        )

    def test_a_run_another_worker_holds_is_recorded_as_skipped_and_a_postponed_one_not_at_all(self):
        self.link(DONALD, DONALD_MAIN)
        self.emit("changed", DONALD, blocks=["maOnderneming"], change="name")
        other = self.held_elsewhere(SIGNAL_LOCK)
        try:
            with mute_logger(JOB_LOGGER):
                self.run_signals()
        finally:
            other.rollback()
            other.close()
        self.assertEqual(self.runs("signals").state, "skipped")
        self.assertEqual(self.settings().kvk_signals_last_summary, "not run yet")
        self.sandbox_control.arm_fault("/kvk/api/v1/abonnementen", status=503, count=1)
        with mute_logger(JOB_LOGGER):
            self.run_signals()
        self.assertEqual(len(self.runs("signals")), 1, "a run that backed off is no successful run")

    def test_a_profile_import_run_is_recorded_with_its_rows(self):
        out = io.BytesIO()
        written = sandbox_bulk.write(out, 300, bad_every=50)
        profile = self.env["kvk.profile"].create(
            {
                "name": "Everything",
                "company_id": self.company.id,
                "bulk_file": base64.b64encode(out.getvalue()),
                "bulk_filename": "kvk.csv",
            }
        )
        profile.action_import()
        with mute_logger(IMPORT_LOGGER):
            self.env["kvk.import.job"]._cron_kvk_import(batch_size=100, max_batches=1)
        first = self.runs("import")
        self.assertRecordValues(first, [{"state": "done", "created_count": 100, "remaining_count": 1}])
        self.assertGreater(first.done_count, 100, "the rows it went through, matching or not")
        with mute_logger(IMPORT_LOGGER):
            self.env["kvk.import.job"]._cron_kvk_import(batch_size=100)
        job = profile.import_job_ids
        self.assertEqual(job.state, "done")
        runs = self.runs("import")
        self.assertEqual(sum(runs.mapped("created_count")), job.created_count)
        self.assertEqual(sum(runs.mapped("failed_count")), len(written.bad_lines))
        self.assertEqual(sum(runs.mapped("done_count")), job.last_line - 1, "every row of the file, once")
        self.assertEqual(runs[-1].remaining_count, 0)
        self.assertEqual(
            self.settings().kvk_import_last_summary,
            f"rows read: {runs[-1].done_count}, companies created: {runs[-1].created_count}, linked: 0, "
            f"rows rejected: {runs[-1].failed_count}, imports left for the next run: 0",
        )

    def test_the_digest_run_is_recorded_and_one_at_a_time(self):
        self.company.kvk_review_user_id = self.salesperson
        self.link(DONALD, DONALD_MAIN)
        self.emit("changed", DONALD, blocks=["maOnderneming"], change="name")
        self.run_signals()
        other = self.held_elsewhere(DIGEST_LOCK)
        try:
            with mute_logger(REVIEW_LOGGER):
                self.assertEqual(self.env["kvk.review"]._cron_kvk_digest(), 0)
        finally:
            other.rollback()
            other.close()
        self.assertEqual(self.runs("digest").state, "skipped")
        self.assertEqual(self.env["kvk.review"]._cron_kvk_digest(), 1)
        done = self.runs("digest", state="done")
        self.assertRecordValues(done, [{"done_count": 1, "item_count": 1}])
        self.assertEqual(self.settings().kvk_digest_last_summary, "digests sent: 1, review items listed: 1")

    def test_the_settings_show_each_jobs_last_run(self):
        arch = self.env["res.config.settings"].with_user(self.admin).get_view(view_type="form")["arch"]
        for job in ("signals", "import", "digest"):
            self.assertIn(f'name="kvk_{job}_last_summary"', arch)
