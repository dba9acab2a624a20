import json
from datetime import timedelta

from odoo import api, fields, models

from ..clients import SignalRecord, parse_signal_detail
from ..clients.kvk_mutaties import parse_moment

SIGNAL_TYPES = [
    ("changed_registration", "Changed registration"),
    ("changed_branch", "Changed branch"),
    ("new_registration", "New registration"),
    ("termination", "Termination"),
    ("legal_form_change", "Legal-form change"),
    ("continuation_transfer", "Continuation or transfer"),
    ("unknown", "Unknown"),
]
SIGNAL_STATES = [
    ("new", "Received"),
    ("unrelated", "Nobody follows it"),
    ("pending", "To process"),
    ("held", "Held by the monthly cap"),
    ("fetched", "Register read"),
    ("done", "Processed"),
    ("error", "Failed"),
    ("malformed", "Malformed"),
]
SIGNAL_OUTCOMES = [
    ("unrelated", "Nobody follows it"),
    ("review", "Review item"),
    ("applied", "Applied automatically"),
    ("nothing", "Nothing a contact holds changed"),
    ("held", "Held by the monthly cap"),
    ("unavailable", "The register cannot give the registration"),
    ("continued", "Continues a followed registration"),
    ("no_match", "No profile matches"),
]
# A subscription that fails is asked again after 5, 10, 20... minutes, at most this many.
BACKOFF_MAX_MINUTES = 6 * 60
# A signal whose registration the register cannot give is tried again this many times.
SIGNAL_ATTEMPTS = 3


class KvkSubscription(models.Model):
    """A company's Mutatieservice subscription, and how far its signals have been read."""

    _name = "kvk.subscription"
    _description = "KvK Mutatieservice Subscription"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    name = fields.Char(compute="_compute_name")
    kvk_id = fields.Char(
        string="Subscription",
        help="The Mutatieservice subscription (abonnement) to read; empty: the first active one of the API key.",
    )
    customer_id = fields.Char(string="KvK Customer", readonly=True)
    contract_id = fields.Char(string="Contract", readonly=True)
    polled_until = fields.Datetime(
        string="Signals Read Until", readonly=True, help="Signals up to this time have been read."
    )
    polled_at = fields.Datetime(string="Last Read", readonly=True)
    state = fields.Selection(
        [("ok", "Running"), ("backoff", "Waiting after a fault"), ("error", "Refused")],
        default="ok",
        required=True,
        readonly=True,
    )
    failures = fields.Integer(readonly=True)
    retry_after = fields.Datetime(string="Next Try Not Before", readonly=True)
    last_error = fields.Char(readonly=True)
    signal_count = fields.Integer(string="Signals Received", default=0, readonly=True)
    unrelated_count = fields.Integer(
        string="Signals Nobody Follows",
        default=0,
        readonly=True,
        help="Counted, then removed after the retention period.",
    )
    pending_count = fields.Integer(compute="_compute_counts", string="To Process")
    held_count = fields.Integer(compute="_compute_counts", string="Held by the Cap")
    malformed_count = fields.Integer(compute="_compute_counts", string="Malformed")

    _sql_constraints = [("company_unique", "UNIQUE(company_id)", "A company has one Mutatieservice subscription.")]

    @api.depends("company_id", "kvk_id")
    def _compute_name(self):
        for subscription in self:
            company = subscription.company_id.name or ""
            subscription.name = f"{company} ({subscription.kvk_id})" if subscription.kvk_id else company

    def _compute_counts(self):
        groups = self.env["kvk.signal"]._read_group(
            [("subscription_id", "in", self.ids), ("state", "in", ("pending", "fetched", "held", "malformed"))],
            ["subscription_id", "state"],
            ["__count"],
        )
        counts = {(sub.id, state): count for sub, state, count in groups}
        for subscription in self:
            subscription.pending_count = counts.get((subscription.id, "pending"), 0) + counts.get(
                (subscription.id, "fetched"), 0
            )
            subscription.held_count = counts.get((subscription.id, "held"), 0)
            subscription.malformed_count = counts.get((subscription.id, "malformed"), 0)

    @api.model
    def _kvk_for_company(self, company):
        subscription = self.sudo().search([("company_id", "=", company.id)], limit=1)
        return subscription or self.sudo().create({"company_id": company.id})

    def _kvk_failed(self, code, message, now=None):
        """Back off: 5, 10, 20... minutes, at most six hours; refused keys wait as long but say so."""
        self.ensure_one()
        now = now or fields.Datetime.now()
        failures = self.failures + 1
        minutes = min(5 * 2 ** (failures - 1), BACKOFF_MAX_MINUTES)
        self.write(
            {
                "failures": failures,
                "retry_after": now + timedelta(minutes=minutes),
                "last_error": (message or code or "")[:500],
                "state": "backoff"
                if code in ("rate_limited", "timeout", "network") or code.startswith("IPD1")
                else "error",
            }
        )

    def _kvk_succeeded(self):
        if self.failures or self.retry_after or self.state != "ok":
            self.write({"failures": 0, "retry_after": False, "last_error": False, "state": "ok"})

    def action_retry_now(self):
        """Let the job read this subscription at its next run, whatever the back-off said."""
        self.env["res.partner"]._kvk_check_manager()
        self.write({"retry_after": False, "state": "ok"})
        self.env.ref("kvk_connector.ir_cron_kvk_connector_signals")._trigger()
        return True


class KvkSignal(models.Model):
    """One change signal of the KvK Mutatieservice, kept once (by its id) per company."""

    _name = "kvk.signal"
    _description = "KvK Change Signal"
    _order = "timestamp desc, id desc"
    _rec_name = "signal_id"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    subscription_id = fields.Many2one("kvk.subscription", readonly=True, ondelete="cascade", check_company=True)
    signal_id = fields.Char(string="Signal", required=True, readonly=True)
    timestamp = fields.Datetime(readonly=True, index=True)
    kvk_number = fields.Char(string="KvK Number", readonly=True, index=True)
    branch_number = fields.Char(string="Vestigingsnummer", readonly=True)
    signal_type = fields.Selection(SIGNAL_TYPES, string="Type", readonly=True)
    kvk_type = fields.Char(string="KvK Type", readonly=True)
    state = fields.Selection(SIGNAL_STATES, default="new", required=True, readonly=True, index=True)
    relevance = fields.Selection(
        [("enrolled", "Followed registration"), ("profile", "New registration for a profile"), ("none", "None")],
        readonly=True,
    )
    malformed = fields.Boolean(readonly=True, index=True)
    problems = fields.Text(readonly=True)
    listing_json = fields.Text(string="As Listed", readonly=True)
    detail_json = fields.Text(string="Detail", readonly=True)
    changed_blocks = fields.Char(string="Changed Blocks (codes)", readonly=True)
    changed_blocks_display = fields.Char(string="Changed Blocks", compute="_compute_changed_blocks_display")
    reason_code = fields.Char(readonly=True)
    new_kvk_number = fields.Char(string="New KvK Number", readonly=True, index="btree_not_null")
    outcome = fields.Selection(SIGNAL_OUTCOMES, readonly=True, help="What became of the signal.")
    attempts = fields.Integer(readonly=True)
    retry_after = fields.Datetime(readonly=True)
    error_message = fields.Char(readonly=True)
    review_ids = fields.Many2many("kvk.review", string="Review Items", readonly=True)

    _sql_constraints = [
        ("signal_company_unique", "UNIQUE(company_id, signal_id)", "A signal is kept once per company."),
    ]

    def init(self):
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS kvk_signal_work ON kvk_signal (company_id, state, kvk_number) "
            "WHERE state IN ('new', 'pending', 'fetched', 'held', 'error')"
        )

    @api.depends("changed_blocks")
    @api.depends_context("lang")
    def _compute_changed_blocks_display(self):
        _ = self.env._
        names = {
            "enterprise": _("enterprise"),
            "owner": _("owner"),
            "branches": _("branches"),
            "officers": _("officers"),
            "filings": _("filings"),
        }
        for signal in self:
            codes = [code for code in (signal.changed_blocks or "").split(",") if code]
            signal.changed_blocks_display = ", ".join(names.get(code, code) for code in codes) or False

    @property
    def detailed(self):
        return bool(self.detail_json)

    def _record(self):
        """The signal as the client parses it (its detail when read, else its listing)."""
        self.ensure_one()
        info = SignalRecord(
            id=self.signal_id,
            timestamp=parse_moment(self.timestamp.isoformat()) if self.timestamp else None,
            kvk_number=self.kvk_number or "",
            branch_number=self.branch_number or "",
            type=self.signal_type or "unknown",
        )
        if not self.detail_json:
            return info
        return parse_signal_detail(json.loads(self.detail_json), self.signal_id, info)
