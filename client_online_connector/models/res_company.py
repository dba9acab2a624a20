from odoo import api, fields, models

from .client_online_service import DEFAULT_ENDPOINT

MODES = [("production", "Production"), ("sandbox", "Sandbox (local simulator)")]
PORTAL_DOCUMENT_TYPES = [
    ("Belastingaangifte", "Tax return"),
    ("ConceptJaarrekening", "Draft annual accounts"),
    ("DefinitieveJaarrekening", "Final annual accounts"),
    ("Publicatiestukken", "Publication documents"),
    ("Overig", "Other"),
]
FOLDER_FIELDS = (
    "client_online_folder_inbox",
    "client_online_folder_approved",
    "client_online_folder_rejected",
    "client_online_folder_not_found",
    "client_online_folder_failed",
)


class ResCompany(models.Model):
    _inherit = "res.company"

    client_online_mode = fields.Selection(MODES, string="ClientOnline Environment", default="production", required=True)
    client_online_endpoint = fields.Char(string="ClientOnline Endpoint", default=DEFAULT_ENDPOINT)
    client_online_username = fields.Char(string="ClientOnline Username", groups="base.group_system", copy=False)
    client_online_password = fields.Char(string="ClientOnline Password", groups="base.group_system", copy=False)
    client_online_interval = fields.Integer(
        string="ClientOnline Interval (minutes)",
        default=30,
        help="How often the folder is picked up and the portal asked for the state of each document.",
    )
    client_online_notify = fields.Boolean(
        string="ClientOnline Notifications",
        default=True,
        help="Give the responsible accountant an activity when a document is rejected, matches no client or "
        "fails for good. Off: only a note in the document's history.",
    )
    client_online_responsible_id = fields.Many2one(
        "res.users",
        string="ClientOnline Responsible",
        help="Gets the activities of documents that came from the folder and of clients without a salesperson.",
    )
    client_online_max_attempts = fields.Integer(
        string="ClientOnline Attempts",
        default=10,
        help="Uploads that fail for a passing reason (time-out, portal unavailable) are tried again, with "
        "growing pauses, up to this many times, as the portal itself counts ten tries.",
    )
    client_online_max_file_mb = fields.Integer(string="ClientOnline Largest File (MB)", default=25)
    # Folders (on the Odoo server) of the Client Online Connector's workflow.
    client_online_folder_inbox = fields.Char(string="Folder: to portal", groups="base.group_system")
    client_online_folder_approved = fields.Char(string="Folder: approved", groups="base.group_system")
    client_online_folder_rejected = fields.Char(string="Folder: rejected", groups="base.group_system")
    client_online_folder_not_found = fields.Char(string="Folder: client not found", groups="base.group_system")
    client_online_folder_failed = fields.Char(string="Folder: failed", groups="base.group_system")
    client_online_pick_xbrl = fields.Boolean(string="Pick up XBRL files", default=True)
    client_online_pick_pdf = fields.Boolean(string="Pick up PDF files", default=True)
    client_online_settle_seconds = fields.Integer(
        string="ClientOnline Settle Time (seconds)",
        default=10,
        help="A file is picked up once it has not changed for this long, so that files still being written "
        "are left alone.",
    )
    client_online_pdf_document_type = fields.Selection(
        PORTAL_DOCUMENT_TYPES, string="PDF Document Type", default="Overig"
    )
    client_online_pdf_date_from = fields.Date(string="PDF Period From")
    client_online_pdf_date_to = fields.Date(string="PDF Period To")
    client_online_match_kvk = fields.Boolean(
        string="Match PDFs by KvK number", default=True, help="The number before the _ of a PDF's name is a KvK number."
    )
    client_online_match_hidden_id = fields.Boolean(
        string="Match PDFs by hidden ID",
        default=False,
        help="The number before the _ of a PDF's name is the client's hidden ID in the portal.",
    )
    # What the last run found (shown in the settings).
    client_online_last_run = fields.Datetime(string="ClientOnline Last Run", readonly=True, copy=False)
    client_online_next_run = fields.Datetime(string="ClientOnline Next Run", readonly=True, copy=False)
    client_online_status = fields.Text(string="ClientOnline Status", readonly=True, copy=False)

    @api.model
    def _client_online_companies(self):
        """Companies whose portal connection (an account of their own, or the sandbox's) or folder is
        configured (sudo: the fields are restricted)."""
        service = self.env["client.online.service"]
        companies = self.sudo().search([])
        return companies.filtered(lambda c: service._connection_ready(c) or c.client_online_folder_inbox)

    def write(self, vals):
        result = super().write(vals)
        watched = {"client_online_interval", "client_online_mode", "client_online_username", "client_online_password",
                   "client_online_folder_inbox"}  # fmt: skip
        if watched & set(vals):
            self.env["client.online.document"]._client_online_adjust_cron()
        return result
