import io
import logging
import os
from dataclasses import dataclass, field

from psycopg2.extras import execute_values

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..clients import FolderError, Known, check_folder, scan
from ..clients import folder as folder_tools
from .client_online_document import PDF_EXTENSIONS, XBRL_EXTENSIONS

_logger = logging.getLogger(__name__)

# Files that are ready or still being written have no entry: each scan finds them again by their size and times.
STATES = [
    (folder_tools.PICKED, "Picked up"),
    (folder_tools.REFUSED, "Refused"),
    (folder_tools.DUPLICATE, "Already sent"),
]
PICKUP_BATCH = 200
MAX_INT = 2**31 - 1


class ClientOnlineFolderFile(models.Model):
    """What the folder scan knows of the settled files of a company's "to portal" folder.

    The index of the scan: keyed on the file name, with the file's size and
    modification time, its hash once it was read, and what became of it (picked
    up, already sent, refused and why).  A file whose size and time did not change
    is not read again.  Written by the scheduled job only; nobody edits it.
    """

    _name = "client.online.folder.file"
    _description = "ClientOnline Folder File"
    _order = "id desc"

    # (company_id, name) is unique: that index also serves searches by company
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    name = fields.Char(string="File Name", required=True, readonly=True)
    stat_key = fields.Char(
        string="Size and Time", readonly=True, help="Size and modification time when it was last looked at."
    )
    file_size = fields.Integer(string="Size (bytes)", readonly=True)
    content_hash = fields.Char(readonly=True)
    state = fields.Selection(STATES, required=True, readonly=True, index=True)
    reason_code = fields.Char(readonly=True)
    reason = fields.Char(string="Detail", readonly=True)
    reason_text = fields.Char(string="Reason", compute="_compute_reason_text")
    document_id = fields.Many2one("client.online.document", readonly=True, check_company=True)

    _sql_constraints = [("name_uniq", "unique(company_id, name)", "A file is known once per folder.")]

    @api.depends("reason_code", "reason")
    def _compute_reason_text(self):
        _ = self.env._
        labels = {
            "symlink": _("It is a symbolic link; only regular files are picked up."),
            "not_regular": _("It is not a regular file."),
            "empty": _("The file is empty."),
            "too_large": _("It is larger than the limit; it is not read."),
            "unreadable": _("It cannot be read."),
            "duplicate": _("It was sent before (same content and file name)."),
        }
        for entry in self:
            label = labels.get(entry.reason_code)
            entry.reason_text = f"{label} ({entry.reason})" if label and entry.reason else (label or entry.reason)

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
        """Scan the company's "to portal" folder against the index; a :class:`ScanOutcome`.

        The scan only lists and stats: files that stand still and are not in the index come back as
        ``pending``, to be read when they are picked up.  The index holds what was settled (picked up,
        already sent, refused); only refusals and changes to settled files are written here, in one
        statement per kind.
        """
        company = company.sudo()
        outcome = ScanOutcome()
        inbox = company.client_online_folder_inbox
        problem = check_folder(inbox, write=True)
        if problem is not None:
            _logger.warning("ClientOnline company %s: %s", company.id, problem.message)
            message = self.env["client.online.service"]._folder_message(problem)
            outcome.problems.append(self.env._("Folder to portal: %(problem)s", problem=message))
            return outcome
        for key in ("approved", "rejected", "not_found", "failed"):
            path = company[f"client_online_folder_{key}"]
            if path:
                trouble = check_folder(path, write=True)
                if trouble is not None:
                    _logger.warning("ClientOnline company %s: %s", company.id, trouble.message)
                    outcome.problems.append(self.env["client.online.service"]._folder_message(trouble))
        extensions = self._client_online_extensions(company)
        if not extensions:
            return outcome
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
            outcome.problems.append(self.env._("Folder to portal: %(problem)s", problem=str(exc)))
            return outcome
        self._client_online_store(company, result, known)
        outcome.pending = sorted(
            (seen for seen in result.changed if seen.state == folder_tools.NEW), key=lambda seen: seen.name
        )
        outcome.settling = result.settling
        return outcome

    @api.model
    def _client_online_store(self, company, result, known):
        """Write the refusals (new ones with COPY, changed ones with one UPDATE) and forget the entries of
        files that are gone or changed since they were settled (one DELETE).  The company's lock keeps other
        runs away meanwhile."""
        cr = self.env.cr
        refused = [seen for seen in result.changed if seen.state == folder_tools.REFUSED]
        fresh = [seen for seen in refused if seen.name not in known]
        changed = [seen for seen in refused if seen.name in known]
        forget = [name for name in known if name not in result.present]
        forget += [seen.name for seen in result.changed if seen.state != folder_tools.REFUSED and seen.name in known]
        if fresh:
            now = fields.Datetime.to_string(fields.Datetime.now())
            head, tail = f"{int(company.id)}\t", f"\t{int(self.env.uid)}\t{int(self.env.uid)}\t{now}\t{now}\n"
            lines = "".join(
                f"{head}{copy_text(seen.name)}\t{copy_text(seen.key)}\t{min(seen.size, MAX_INT)}\t{seen.state}\t"
                f"{copy_text(seen.reason_code)}\t{copy_text(seen.reason)}{tail}"
                for seen in fresh
            )
            cr.copy_expert(
                "COPY client_online_folder_file (company_id, name, stat_key, file_size, state, reason_code, reason,"
                " create_uid, write_uid, create_date, write_date) FROM STDIN",
                io.StringIO(lines),
            )
        if changed:
            execute_values(
                cr._obj,
                f"""
                UPDATE client_online_folder_file f
                   SET stat_key = v.stat_key, file_size = v.file_size, content_hash = NULL, state = v.state,
                       reason_code = v.reason_code, reason = v.reason, document_id = NULL,
                       write_date = now() at time zone 'UTC'
                  FROM (VALUES %s) AS v(name, stat_key, file_size, state, reason_code, reason)
                 WHERE f.company_id = {int(company.id)} AND f.name = v.name
                """,
                [
                    (
                        seen.name,
                        seen.key,
                        min(seen.size, MAX_INT),
                        seen.state,
                        seen.reason_code or None,
                        seen.reason or None,
                    )
                    for seen in changed
                ],  # fmt: skip
                page_size=1000,
            )
        if forget:
            cr.execute(
                "DELETE FROM client_online_folder_file WHERE company_id = %s AND name = ANY(%s)", [company.id, forget]
            )
        if refused or forget:
            self.invalidate_model()
        return len(refused), len(forget)

    # -- the pickup ---------------------------------------------------------------------------------------

    @api.model
    def _client_online_pickup(self, company, pending, limit=PICKUP_BATCH):
        """Make documents of a batch of the files the scan found ready (and of files refused unread for their
        size); the number of files still waiting."""
        company = company.sudo()
        Document = self.env["client.online.document"].sudo().with_company(company)
        too_large = self.sudo().search(
            [("company_id", "=", company.id), ("state", "=", folder_tools.REFUSED), ("reason_code", "=", "too_large"),
             ("document_id", "=", False)],
            order="id", limit=limit,
        )  # fmt: skip
        for entry in too_large:
            with self.env.cr.savepoint():
                entry._client_online_pick_refused(company, Document)
        for seen in pending[:limit]:
            with self.env.cr.savepoint():
                self._client_online_pick(company, Document, seen)
        return max(len(pending) - limit, 0)

    def _client_online_pick_refused(self, company, Document):
        """A file too large to be read: a failed document without content, and the file to "failed"."""
        self.ensure_one()
        values = self._client_online_document_values(company, self.name, self.stat_key)
        reason = self.env._("The file is not read: %(reason)s", reason=self.reason_text)
        document = Document._client_online_create_refused(company, self.name, self.file_size, reason, values)
        self.write({"state": folder_tools.PICKED, "document_id": document.id})

    @api.model
    def _client_online_document_values(self, company, name, key):
        return {
            "file_path": os.path.join(company.client_online_folder_inbox, name),
            "file_folder": "inbox",
            "file_key": key,
            "user_id": company.client_online_responsible_id.id or False,
        }

    @api.model
    def _client_online_pick(self, company, Document, seen):
        """Read one file (the only time the job reads it), make its document and remember it in the index."""
        values = self._client_online_document_values(company, seen.name, seen.key)
        entry = {
            "company_id": company.id,
            "name": seen.name,
            "stat_key": seen.key,
            "file_size": min(seen.size, MAX_INT),
        }
        max_size = (company.client_online_max_file_mb or 25) * 1024 * 1024
        try:
            content, content_hash = self._client_online_read(values["file_path"], seen.key, max_size)
        except FolderError as error:
            if error.code == "changed":
                return  # written to since the scan: the next scan looks at it again
            self.sudo().create(
                {**entry, "state": folder_tools.REFUSED, "reason_code": error.code, "reason": error.message}
            )
            return
        try:
            document = Document._client_online_create(
                company, seen.name, content, "folder", values, content_hash=content_hash
            )
        except UserError as exc:
            self.sudo().create(
                {**entry, "state": folder_tools.DUPLICATE, "reason_code": "duplicate", "reason": str(exc.args[0]),
                 "content_hash": content_hash}
            )  # fmt: skip
            return
        self.sudo().create(
            {**entry, "state": folder_tools.PICKED, "document_id": document.id, "content_hash": content_hash}
        )

    @api.model
    def _client_online_read(self, path, key, max_size):
        """A file's content and hash, read once."""
        return folder_tools.read_stable(path, key, max_size)


@dataclass
class ScanOutcome:
    problems: list = field(default_factory=list)  # messages for the settings
    pending: list = field(default_factory=list)  # files ready to be picked up (clients.folder.Seen)
    settling: int = 0  # files still being written


def copy_text(value):
    """A value in PostgreSQL's COPY text format."""
    if value is None or value == "":
        return "\\N"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
