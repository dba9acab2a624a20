"""Importing a profile's companies from a KvK bulk file: one streaming pass, in batches that keep
their place, so that a crash is resumed without a row taken twice."""

import json
import logging
import threading
import time
import zlib

from stdnum.nl import bsn

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..clients import BulkFileError, ColumnMapping, Criteria, CriteriaError, iter_matches
from .kvk_profile import bad_row_text
from .res_partner import _Activity

_logger = logging.getLogger(__name__)

IMPORT_LOCK = zlib.crc32(b"kvk_connector.import") & 0x7FFFFFFF
OUTCOMES = [("created", "Created"), ("linked", "Linked"), ("skipped", "Skipped"), ("rejected", "Rejected")]
# A run of the job stops after this many seconds and is triggered again.
RUN_SECONDS = 120


class KvkImportJob(models.Model):
    _name = "kvk.import.job"
    _description = "KvK Profile Import"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    profile_id = fields.Many2one("kvk.profile", required=True, readonly=True, ondelete="cascade", check_company=True)
    attachment_id = fields.Many2one("ir.attachment", string="Bulk File", readonly=True)
    filename = fields.Char(readonly=True)
    criteria_json = fields.Text(readonly=True)
    mapping_json = fields.Text(readonly=True)
    user_id = fields.Many2one("res.users", string="Started By", default=lambda self: self.env.user, readonly=True)
    state = fields.Selection(
        [("queued", "Queued"), ("running", "Running"), ("done", "Done"), ("failed", "Failed")],
        default="queued",
        required=True,
        readonly=True,
        index=True,
    )
    last_line = fields.Integer(
        string="Read Up To Line", default=1, readonly=True, help="Every line up to here has been imported."
    )
    rows_read = fields.Integer(readonly=True)
    created_count = fields.Integer(string="Created", readonly=True)
    linked_count = fields.Integer(string="Linked", readonly=True)
    skipped_count = fields.Integer(string="Skipped", readonly=True)
    rejected_count = fields.Integer(string="Rejected", readonly=True)
    error_message = fields.Char(readonly=True)
    started_at = fields.Datetime(readonly=True)
    finished_at = fields.Datetime(readonly=True)
    line_ids = fields.One2many("kvk.import.job.line", "job_id", string="Report", readonly=True)

    @api.depends("profile_id.name")
    def _compute_name(self):
        for job in self:
            job.name = f"{job.profile_id.name} #{job.id}" if job.id else job.profile_id.name or ""

    # -- the cron ------------------------------------------------------------------------------------

    @api.model
    def _cron_kvk_import(self, batch_size=1000, max_batches=None):
        """Go on with the queued and running imports, each in batches that keep their place.  The run
        is recorded per company whose imports it worked on, with the rows it read and what they made."""
        done = remaining = 0
        started = time.monotonic()
        started_at = fields.Datetime.now()
        runs = {}
        for job in self.sudo().search([("state", "in", ("queued", "running"))], order="id"):
            lang = job.company_id.partner_id.lang or "en_US"
            job = job.with_company(job.company_id).with_context(lang=lang)
            outcome = job._kvk_run(batch_size, max_batches, started)
            done += outcome["done"]
            remaining += outcome["remaining"]
            run = runs.setdefault(job.company_id, dict.fromkeys(("done", "created", "linked", "rejected"), 0))
            run["skipped"] = run.get("skipped", True) and outcome.get("skipped", False)
            for key in ("done", "created", "linked", "rejected"):
                run[key] += outcome.get(key, 0)
            if time.monotonic() - started > RUN_SECONDS:
                break
        for company, run in runs.items():
            left = self.sudo().search_count([("company_id", "=", company.id), ("state", "in", ("queued", "running"))])
            self.env["kvk.job.run"]._record(
                "import",
                company,
                started_at=started_at,
                state="skipped" if run["skipped"] else "done",
                done=run["done"],
                failed=run["rejected"],
                remaining=left,
                created=run["created"],
                linked=run["linked"],
            )
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        if remaining and done:
            self.env.ref("kvk_connector.ir_cron_kvk_connector_import")._trigger()
        return {"done": done, "remaining": remaining}

    def _kvk_lock(self):
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [IMPORT_LOCK, self.id])
        return self.env.cr.fetchone()[0]

    def _kvk_commit(self):
        """Commit a batch with the line it reached, and take the job's lock again (not in a test's own
        transaction); False when another run took the job meanwhile."""
        if getattr(threading.current_thread(), "testing", False):
            return True
        # a batch and the line it reached are committed together: a crash resumes from there
        self.env.cr.commit()  # pylint: disable=invalid-commit
        return self._kvk_lock()

    def _kvk_run(self, batch_size, max_batches, started):
        self.ensure_one()
        if not self._kvk_lock():
            _logger.info("KvK import %s skipped: another run is importing it", self.id)
            return {"done": 0, "remaining": 0, "skipped": True}
        self.invalidate_recordset()
        if self.state not in ("queued", "running"):
            return {"done": 0, "remaining": 0}
        try:
            criteria = Criteria.parse(**json.loads(self.criteria_json or "{}"))
            spec = json.loads(self.mapping_json or "{}")
            mapping = ColumnMapping(spec.get("columns"), spec.get("delimiter", ";"), spec.get("encoding", "utf-8"))
        except (CriteriaError, BulkFileError, TypeError, ValueError) as error:
            self.write({"state": "failed", "error_message": str(error)[:500], "finished_at": fields.Datetime.now()})
            return {"done": 0, "remaining": 0}
        if self.state == "queued":
            self.write({"state": "running", "started_at": fields.Datetime.now()})
        source = self.env["kvk.profile"]._kvk_source(self.attachment_id)
        batches = 0
        totals = dict.fromkeys(("done", "created", "linked", "rejected"), 0)
        first_line = self.last_line
        try:
            for batch in iter_matches(source, criteria, mapping, batch_size=batch_size, start_line=self.last_line):
                counts = self._kvk_import_batch(batch.rows, batch.bad_rows)
                self.write(
                    {
                        "last_line": batch.last_line,
                        "rows_read": batch.rows_read,
                        **{f"{key}_count": self[f"{key}_count"] + value for key, value in counts.items()},
                    }
                )
                totals["done"] = batch.last_line - first_line  # the file's rows this run went through
                for key in ("created", "linked", "rejected"):
                    totals[key] += counts[key]
                batches += 1
                if not self._kvk_commit():
                    return {**totals, "remaining": 0}
                if (max_batches and batches >= max_batches) or time.monotonic() - started > RUN_SECONDS:
                    return {**totals, "remaining": 1}
        except BulkFileError as error:
            self.write({"state": "failed", "error_message": error.message[:500], "finished_at": fields.Datetime.now()})
            return {**totals, "remaining": 0}
        finally:
            if hasattr(source, "close"):
                source.close()
        self.write({"state": "done", "finished_at": fields.Datetime.now()})
        return {**totals, "remaining": 0}

    # -- one batch ------------------------------------------------------------------------------------

    def _kvk_import_batch(self, rows, bad_rows):
        """Create or link the companies of a batch of matching rows and enrol them; report every row."""
        self.ensure_one()
        company = self.company_id
        Partner = (
            self.env["res.partner"]
            .with_company(company)
            .with_context(
                tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True, mail_notrack=True
            )
        )
        counts = dict.fromkeys(("created", "linked", "skipped", "rejected"), 0)
        lines = []

        def report(line, outcome, kvk="", branch="", code="", args=None, reason="", partner=False):
            counts[outcome] += 1
            lines.append(
                {
                    "job_id": self.id,
                    "line_number": line,
                    "outcome": outcome,
                    "kvk_number": kvk or False,
                    "branch_number": branch or False,
                    "reason_code": code or False,
                    "reason_args": json.dumps(args) if args else False,
                    "reason": reason or (bad_row_text(self.env, code, args) if code else False),
                    "partner_id": partner or False,
                }
            )

        for bad in bad_rows:
            report(bad.line, "rejected", code=bad.code, args=bad.args, reason=bad.reason)
        profiles = []
        for row in rows:
            profile = row.profile()
            if profile.rsin and not bsn.is_valid(profile.rsin):
                report(row.line, "rejected", profile.kvk_number, profile.branch_number, "rsin", {"value": profile.rsin})
                continue
            profiles.append((row, profile))
        numbers = list({profile.kvk_number for _row, profile in profiles})
        existing = {}
        if numbers:
            for found in Partner.with_context(active_test=False).search_read(
                [
                    ("company_registry", "in", numbers),
                    ("is_company", "=", True),
                    ("company_id", "in", [False, company.id]),
                ],
                ["company_registry", "kvk_branch_number"],
                order="id",
            ):
                existing.setdefault((found["company_registry"], found["kvk_branch_number"] or ""), found["id"])
        followed = set(
            self.env["kvk.enrolment"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", list(existing.values())),
                    ("company_id", "=", company.id),
                    ("state", "=", "active"),
                ]
            )
            .mapped("partner_id")
            .ids
        )
        seen, create, link = set(), [], []
        for row, profile in profiles:
            key = (profile.kvk_number, profile.branch_number or "")
            if key in seen:
                report(row.line, "skipped", *key, code="twice")
                continue
            seen.add(key)
            partner_id = existing.get(key)
            if not partner_id and profile.kind != "nevenvestiging":
                # a company entered by hand with its KvK number only: the main branch is the one
                partner_id = existing.get((profile.kvk_number, ""))
            if partner_id and partner_id in followed:
                report(row.line, "skipped", *key, code="followed", partner=partner_id)
            elif partner_id:
                link.append((row, profile, partner_id))
            else:
                create.append((row, profile))
        sbi = self._kvk_sbi_map([profile for _row, profile in create])
        now = fields.Datetime.now()
        vals_list = [Partner._kvk_import_vals(profile, company, sbi, now) for _row, profile in create]
        created = Partner.create(vals_list) if vals_list else Partner
        enrol = []
        for (row, profile), partner in zip(create, created, strict=True):
            report(row.line, "created", profile.kvk_number, profile.branch_number, partner=partner.id)
            enrol.append((partner.id, profile))
        linked = Partner.browse([partner_id for _row, _profile, partner_id in link])
        for row, profile, partner_id in link:
            report(row.line, "linked", profile.kvk_number, profile.branch_number, partner=partner_id)
            enrol.append((partner_id, profile))
        for partner in linked.filtered(lambda p: not p.kvk_linked or not p.kvk_branch_number):
            profile = next(profile for _row, profile, partner_id in link if partner_id == partner.id)
            values = {"kvk_linked": True, "kvk_registration_kind": profile.kind, "kvk_company_id": company.id}
            if not partner.kvk_branch_number and profile.branch_number:
                values["kvk_branch_number"] = profile.branch_number
            partner.write(values)
        self.env["kvk.enrolment"].sudo().create(
            [
                {
                    "company_id": company.id,
                    "partner_id": partner_id,
                    "kvk_number": profile.kvk_number,
                    "branch_number": profile.branch_number if profile.kind == "nevenvestiging" else False,
                    "source": "import",
                    "profile_id": self.profile_id.id,
                }
                for partner_id, profile in enrol
            ]
        )
        self.env["kvk.import.job.line"].sudo().create(lines)
        return counts

    @api.model
    def _kvk_sbi_map(self, profiles):
        """(code, edition) -> id of the SBI activities of a batch, created when new."""
        activities = {}
        for profile in profiles:
            for activity in profile.activities:
                key = (activity.code, activity.version)
                activities[key] = _Activity(activity.code, activity.description or "", activity.version)
        if not activities:
            return {}
        records = self.env["kvk.sbi.activity"]._from_register(list(activities.values()))
        return {(record.code, record.version): record.id for record in records}

    def action_resume(self):
        """Go on with a failed import from the line it reached."""
        self.env["res.partner"]._kvk_check_manager()
        for job in self:
            if job.state != "failed":
                raise UserError(self.env._("Only a failed import can be resumed."))
        self.write({"state": "running", "error_message": False})
        self.env.ref("kvk_connector.ir_cron_kvk_connector_import")._trigger()
        return True


class KvkImportJobLine(models.Model):
    _name = "kvk.import.job.line"
    _description = "KvK Profile Import Row"
    _order = "line_number, id"

    job_id = fields.Many2one("kvk.import.job", required=True, readonly=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="job_id.company_id", store=True, index=True)
    line_number = fields.Integer(string="Line", readonly=True)
    outcome = fields.Selection(OUTCOMES, required=True, readonly=True, index=True)
    kvk_number = fields.Char(string="KvK Number", readonly=True)
    branch_number = fields.Char(string="Vestigingsnummer", readonly=True)
    reason = fields.Char(string="Reason (as written)", readonly=True)
    reason_code = fields.Char(readonly=True)
    reason_args = fields.Text(readonly=True)
    reason_display = fields.Char(string="Reason", compute="_compute_reason_display")
    partner_id = fields.Many2one("res.partner", string="Contact", readonly=True, ondelete="set null")

    @api.depends("reason", "reason_code", "reason_args")
    @api.depends_context("lang")
    def _compute_reason_display(self):
        for line in self:
            args = json.loads(line.reason_args) if line.reason_args else {}
            line.reason_display = bad_row_text(self.env, line.reason_code, args, line.reason) or False

    @api.depends("job_id.name", "line_number")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for line in self:
            line.display_name = self.env._("%(job)s, line %(line)s", job=line.job_id.name, line=line.line_number)
