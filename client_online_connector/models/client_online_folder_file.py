import hashlib
import logging
import os

from psycopg2.extras import execute_values

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..clients import Known, check_folder, scan
from ..clients import folder as folder_tools
from .client_online_document import PDF_EXTENSIONS, XBRL_EXTENSIONS

_logger = logging.getLogger(__name__)

STATES = [
    (folder_tools.SETTLING, "Still being written"),
    (folder_tools.NEW, "To pick up"),
    (folder_tools.PICKED, "Picked up"),
    (folder_tools.REFUSED, "Refused"),
    (folder_tools.DUPLICATE, "Already sent"),
]
PICKUP_BATCH = 200
MAX_INT = 2**31 - 1


class ClientOnlineFolderFile(models.Model):
    """What the folder scan knows of each file in a company's "to portal" folder.

    The index of the scan: keyed on the file name, with the file's size and
    modification time, its hash once it is stable, and what became of it.  A file
    whose size and time did not change is not read again.  Written in bulk by the
    scheduled job (SQL); nobody edits it.
    """

    _name = "client.online.folder.file"
    _description = "ClientOnline Folder File"
    _order = "id desc"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    name = fields.Char(string="File Name", required=True, readonly=True)
    stat_key = fields.Char(
        string="Size and Time", readonly=True, help="Size and modification time when it was last looked at."
    )
    file_size = fields.Integer(readonly=True)
    content_hash = fields.Char(readonly=True)
    state = fields.Selection(STATES, required=True, readonly=True, index=True)
    reason_code = fields.Char(readonly=True)
    reason = fields.Char(readonly=True)
    document_id = fields.Many2one("client.online.document", readonly=True, index="btree_not_null", check_company=True)

    _sql_constraints = [("name_uniq", "unique(company_id, name)", "A file is known once per folder.")]

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(self.env._("The folder index is written by the folder scan only."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise UserError(self.env._("The folder index is written by the folder scan only."))
        return super().write(vals)

    # -- the scan ---------------------------------------------------------------------------------

    @api.model
    def _client_online_extensions(self, company):
        return (XBRL_EXTENSIONS if company.client_online_pick_xbrl else ()) + (
            PDF_EXTENSIONS if company.client_online_pick_pdf else ()
        )

    @api.model
    def _client_online_scan(self, company):
        """Scan the company's "to portal" folder into the index; returns the problems found (for the settings).

        Set-based: the index is read with one query and written with one statement per kind of change.
        """
        company = company.sudo()
        problems = []
        inbox = company.client_online_folder_inbox
        problem = check_folder(inbox, write=True)
        if problem is not None:
            message = self.env._("Folder to portal: %(problem)s", problem=problem.message)
            _logger.warning("ClientOnline company %s: %s", company.id, problem.message)
            return [message]
        for key in ("approved", "rejected", "not_found", "failed"):
            path = company[f"client_online_folder_{key}"]
            if path:
                trouble = check_folder(path, write=True)
                if trouble is not None:
                    _logger.warning("ClientOnline company %s: %s", company.id, trouble.message)
                    problems.append(trouble.message)
        extensions = self._client_online_extensions(company)
        if not extensions:
            return problems
        self.flush_model()
        cr = self.env.cr
        cr.execute(
            "SELECT name, stat_key, state, reason_code FROM client_online_folder_file WHERE company_id = %s",
            [company.id],
        )
        known = {name: Known(key or "", state, code or "") for name, key, state, code in cr.fetchall()}
        try:
            result = scan(
                inbox,
                known,
                extensions,
                settle_seconds=company.client_online_settle_seconds,
                max_size=(company.client_online_max_file_mb or 25) * 1024 * 1024,
            )
        except OSError as exc:  # the folder went away while it was read
            _logger.warning("ClientOnline company %s: scan of %s failed: %s", company.id, inbox, exc)
            return [self.env._("Folder to portal: %(problem)s", problem=str(exc))]
        self._client_online_store(company, result, known)
        return problems

    @api.model
    def _client_online_store(self, company, result, known):
        cr = self.env.cr
        uid = self.env.uid
        if result.changed:
            rows = [
                (company.id, seen.name, seen.key, min(seen.size, MAX_INT), seen.content_hash or None, seen.state,
                 seen.reason_code or None, seen.reason or None, uid, uid)
                for seen in result.changed
            ]  # fmt: skip
            execute_values(
                cr._obj,
                """
                INSERT INTO client_online_folder_file
                       (company_id, name, stat_key, file_size, content_hash, state, reason_code, reason,
                        create_uid, write_uid, create_date, write_date)
                VALUES %s
                ON CONFLICT (company_id, name) DO UPDATE
                   SET stat_key = EXCLUDED.stat_key, file_size = EXCLUDED.file_size,
                       content_hash = EXCLUDED.content_hash, state = EXCLUDED.state,
                       reason_code = EXCLUDED.reason_code, reason = EXCLUDED.reason,
                       document_id = NULL, write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
                """,
                rows,
                template="(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now() at time zone 'UTC', now() at time zone 'UTC')",
                page_size=1000,
            )
        gone = [name for name in known if name not in result.present]
        if gone:
            cr.execute(
                "DELETE FROM client_online_folder_file WHERE company_id = %s AND name = ANY(%s)", [company.id, gone]
            )
        if result.changed or gone:
            self.invalidate_model()
        return len(result.changed), len(gone)

    # -- the pickup ---------------------------------------------------------------------------------------

    @api.model
    def _client_online_pickup(self, company, limit=PICKUP_BATCH):
        """Make documents of the stable new files (a batch); the number of files still waiting."""
        company = company.sudo()
        files = self.sudo().search(
            [
                ("company_id", "=", company.id),
                "|",
                ("state", "=", folder_tools.NEW),
                "&",
                ("state", "=", folder_tools.REFUSED),
                ("reason_code", "=", "too_large"),
            ],
            order="id",
            limit=limit + 1,
        )
        remaining = max(len(files) - limit, 0)
        Document = self.env["client.online.document"].sudo().with_company(company)
        for entry in files[:limit]:
            with self.env.cr.savepoint():
                entry._client_online_pick(company, Document)
        return remaining

    def _client_online_pick(self, company, Document):
        self.ensure_one()
        path = os.path.join(company.client_online_folder_inbox, self.name)
        values = {
            "file_path": path,
            "file_folder": "inbox",
            "file_key": self.stat_key,
            "user_id": company.client_online_responsible_id.id or False,
        }
        if self.state == folder_tools.REFUSED:  # too large to be read: a failed document, the file to "failed"
            reason = self.env._("The file is not read: %(reason)s", reason=self.reason)
            document = Document._client_online_create_refused(company, self.name, self.file_size, reason, values)
            self.write({"state": folder_tools.PICKED, "document_id": document.id})
            return
        try:
            st = os.stat(path, follow_symlinks=False)
            if folder_tools.stat_key(st) != self.stat_key or not os.path.isfile(path) or os.path.islink(path):
                self.write({"state": folder_tools.SETTLING})
                return
            with open(path, "rb") as handle:
                content = handle.read()
        except OSError as exc:
            reason = self.env._("It cannot be read: %(error)s", error=exc.strerror or str(exc))
            self.write({"state": folder_tools.REFUSED, "reason_code": "unreadable", "reason": reason})
            return
        if hashlib.sha256(content).hexdigest() != self.content_hash:
            self.write({"state": folder_tools.SETTLING})  # changed since it was hashed
            return
        try:
            document = Document._client_online_create(company, self.name, content, "folder", values)
        except UserError as exc:
            self.write({"state": folder_tools.DUPLICATE, "reason_code": "duplicate", "reason": str(exc.args[0])})
            return
        self.write({"state": folder_tools.PICKED, "document_id": document.id, "reason_code": False, "reason": False})
