import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..clients import PRODUCTS

# Answers larger than this are kept as an attachment instead of in the log line.
INLINE_PAYLOAD_LIMIT = 64 * 1024
RETENTION_PARAM = "kvk_connector.log_retention_days"
RETENTION_BATCH = 5000


def raise_immutable(env, operation):
    """Entries are never changed, deleted or copied through the ORM, by anyone (sudo included)."""
    messages = {
        "write": env._("The KvK query log cannot be changed."),
        "unlink": env._("The KvK query log cannot be deleted; old entries are removed after the retention period."),
        "copy": env._("The KvK query log cannot be copied."),
    }
    raise UserError(messages[operation])


def readable_params(env, product, params):
    """A call's parameters as a person reads them ("Name: Donald · page 1, 10 per page")."""
    _ = env._
    try:
        data = json.loads(params or "{}")
    except ValueError:
        return params or ""
    if not isinstance(data, dict):
        return params or ""
    labels = {
        "naam": _("Name"),
        "kvkNummer": _("KvK number"),
        "vestigingsnummer": _("Vestigingsnummer"),
        "rsin": _("RSIN"),
        "postcode": _("Postcode"),
        "huisnummer": _("House number"),
        "huisletter": _("House letter"),
        "postbusnummer": _("PO box"),
        "straatnaam": _("Street"),
        "plaats": _("City"),
        "type": _("Type"),
    }
    kinds = {"hoofdvestiging": _("Main branch"), "nevenvestiging": _("Side branch"), "rechtspersoon": _("Legal entity")}
    numbers = {"vestigingsprofiel": _("Vestigingsnummer")}
    parts = [f"{numbers.get(product, _('KvK number'))}: {arg}" for arg in data.get("args") or [] if arg]
    for key, label in labels.items():
        value = data.get(key)
        if value in (None, "", [], False):
            continue
        values = value if isinstance(value, list) else [value]
        if key == "type":
            values = [kinds.get(item, item) for item in values]
        parts.append(f"{label}: {', '.join(str(item) for item in values)}")
    if data.get("inclusiefInactieveRegistraties"):
        parts.append(_("inactive registrations included"))
    if data.get("page"):
        parts.append(_("page %(page)s, %(count)s per page", page=data["page"], count=data.get("per_page") or 10))
    known = {*labels, "args", "page", "per_page", "inclusiefInactieveRegistraties"}
    parts += [f"{key}: {value}" for key, value in data.items() if key not in known and value not in (None, "")]
    return " · ".join(parts)


class KvkQueryLog(models.Model):
    """One request to the KvK register: who asked what, when, what came back and what it cost.

    Entries are written only by the service seam (``kvk.service``) with sudo; no
    user, administrators included, can change or delete them through the ORM.  The
    retention job removes old entries in SQL.
    """

    _name = "kvk.query.log"
    _description = "KvK Query Log"
    _order = "id desc"
    _rec_name = "display_name"

    user_id = fields.Many2one("res.users", string="User", readonly=True, index=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True, required=True, index=True)
    channel = fields.Selection(
        [
            ("ui", "User interface"),
            ("typeahead", "Suggestions while typing"),
            ("cron", "Scheduled job"),
            ("integration", "Integration endpoint"),
        ],
        required=True,
        readonly=True,
        default="ui",
    )
    product = fields.Selection([(p, p.capitalize()) for p in PRODUCTS], required=True, readonly=True, index=True)
    params = fields.Text(string="Parameters (technical)", readonly=True, help="As the call was made (JSON).")
    params_display = fields.Char(string="Parameters", compute="_compute_params_display")
    path = fields.Char(readonly=True)
    state = fields.Selection(
        [
            ("done", "Answered"),
            ("cached", "From cache"),
            ("empty", "No result"),
            ("error", "Error"),
            ("blocked", "Blocked"),
        ],
        required=True,
        readonly=True,
        default="done",
        index=True,
    )
    http_status = fields.Integer(string="HTTP Status", readonly=True)
    error_code = fields.Char(string="KvK Error Code", readonly=True, index=True)
    error_message = fields.Char(readonly=True)
    duration_ms = fields.Float(string="Duration (ms)", digits=(12, 1), readonly=True)
    cost = fields.Float(
        string="Cost (EUR)", digits=(12, 4), readonly=True, aggregator="sum", help="KvK bills in euros."
    )
    call_count = fields.Integer(string="Calls", default=1, readonly=True, aggregator="sum")
    response = fields.Text(string="Response Payload", readonly=True)
    response_attachment_id = fields.Many2one("ir.attachment", string="Response File", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Contact", readonly=True, index=True, ondelete="set null")
    cache_key = fields.Char(readonly=True, index=True)
    attempt = fields.Integer(default=1, readonly=True)
    origin = fields.Char(
        readonly=True,
        index="btree_not_null",
        help="What asked, when it was not a contact yet (a search wizard); set by the server only.",
    )

    @api.depends("product", "create_date")
    def _compute_display_name(self):
        for entry in self:
            entry.display_name = f"{entry.product} #{entry.id or ''}"

    @api.depends("product", "params")
    @api.depends_context("lang")
    def _compute_params_display(self):
        for entry in self:
            entry.params_display = readable_params(self.env, entry.product, entry.params)

    # -- immutability --------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise UserError(self.env._("The KvK query log is written by the register connection only."))
        big = []
        for vals in vals_list:
            payload = vals.get("response") or ""
            if len(payload) > INLINE_PAYLOAD_LIMIT:
                big.append(payload)
                vals["response"] = False
            else:
                big.append(None)
        records = super().create(vals_list)
        for record, payload in zip(records, big, strict=True):
            if payload:
                attachment = self.env["ir.attachment"].create(
                    {
                        "name": f"kvk-answer-{record.id}.json",
                        "raw": payload.encode(),
                        "mimetype": "application/json",
                        "res_model": self._name,
                        "res_id": record.id,
                    }
                )
                super(KvkQueryLog, record).write({"response_attachment_id": attachment.id})
        return records

    def write(self, vals):
        raise_immutable(self.env, "write")
        return super().write(vals)

    def unlink(self):
        raise_immutable(self.env, "unlink")
        return super().unlink()

    def copy(self, default=None):
        raise_immutable(self.env, "copy")
        return super().copy(default)

    # -- reading ---------------------------------------------------------------------------

    def _payload(self):
        """The logged answer as a dict (or None)."""
        self.ensure_one()
        entry = self.sudo()
        text = entry.response
        if not text and entry.response_attachment_id:
            text = entry.response_attachment_id.raw.decode()
        try:
            return json.loads(text) if text else None
        except ValueError:
            return None

    def action_print_answer(self):
        return self.env.ref("kvk_connector.action_report_kvk_query_log").report_action(self)

    # -- retention ---------------------------------------------------------------------------

    @api.model
    def _cron_purge(self):
        """Remove entries older than the retention period, in batches, in SQL (the ORM refuses)."""
        days = int(self.env["ir.config_parameter"].sudo().get_param(RETENTION_PARAM, 730) or 0)
        if days <= 0:
            return 0
        limit = fields.Datetime.now() - timedelta(days=days)
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id, response_attachment_id FROM kvk_query_log WHERE create_date < %s ORDER BY id LIMIT %s",
            (limit, RETENTION_BATCH),
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return 0
        ids = [row[0] for row in rows]
        attachments = [row[1] for row in rows if row[1]]
        self.env.cr.execute("DELETE FROM kvk_query_log WHERE id IN %s", (tuple(ids),))
        if attachments:
            self.env["ir.attachment"].sudo().browse(attachments).unlink()
        self.env.invalidate_all()
        self.env["ir.cron"]._notify_progress(done=len(ids), remaining=0 if len(ids) < RETENTION_BATCH else 1)
        if len(ids) == RETENTION_BATCH:
            self.env.ref("kvk_connector.ir_cron_kvk_connector_purge")._trigger()
        return len(ids)
