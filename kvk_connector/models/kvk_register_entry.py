import json

from markupsafe import Markup, escape

from odoo import api, fields, models

from .kvk_dates import readable_for
from .kvk_enrolment import registration_key
from .res_partner import CONFIDENTIAL, CONFIDENTIAL_KEYS

ORIGINS = [
    ("signal", "Change signal"),
    ("refresh", "Weekly refresh"),
    ("search", "Search register"),
    ("import", "Profile import"),
]
# Keys of the register values that name the registration rather than describe it.
IDENTITY_KEYS = ("company_registry", "kvk_branch_number")
# Keys whose value reads differently per language: shown anew in the reader's language.
DATE_KEYS = ("kvk_founding_raw", "kvk_end_raw")


def register_labels(env):
    """key -> label of the register values (the same words as res.partner._kvk_prepare_values)."""
    _ = env._
    return {
        "name": _("Name"),
        "company_registry": _("KvK number"),
        "kvk_branch_number": _("Vestigingsnummer"),
        "kvk_rsin": _("RSIN"),
        "kvk_legal_form": _("Legal form"),
        "kvk_statutory_name": _("Statutory name"),
        "kvk_trade_names": _("Trade names"),
        "kvk_founding_raw": _("Founding date"),
        "kvk_end_raw": _("Registration end"),
        "website": _("Website"),
        "phone": _("Phone"),
        "street": _("Street"),
        "zip": _("Postcode"),
        "city": _("City"),
        "country_id": _("Country"),
        "kvk_sbi_id": _("Main activity (SBI)"),
        "kvk_sbi_ids": _("Activities (SBI)"),
        "kvk_employees": _("Employees"),
        "kvk_employees_full": _("Full-time employees"),
        "kvk_employees_part": _("Part-time employees"),
        "kvk_bsn": _("BSN (confidential)"),
        "kvk_private_address": _("Private addresses of officers (confidential)"),
        "kvk_postal_address": _("Postal address"),
    }


def plain_values(prepared):
    """{key: [value, shown]} of what ``_kvk_prepare_values`` gives ({key: (label, value, shown)})."""
    return {key: [value, shown] for key, (_label, value, shown) in prepared.items()}


def labelled(env, values):
    """{key: (label, value, shown)} as ``_kvk_write_register_values`` takes them, in ``env``'s language."""
    labels = register_labels(env)
    return {
        key: (labels.get(key, key), value, shown_for(env, key, value, shown)) for key, (value, shown) in values.items()
    }


def shown_for(env, key, value, shown=""):
    """A register value as a person reading ``env``'s language reads it: dates ("March 2017",
    "maart 2017") and countries anew, confidential values never; anything else as the register
    gave it (``shown``)."""
    if key in CONFIDENTIAL_KEYS:
        return env._("(confidential)") if value or shown else ""
    if value in (None, False, ""):
        return shown or ""
    if key in DATE_KEYS:
        return readable_for(env, value)
    if key == "country_id" and isinstance(value, int):
        return env["res.country"].browse(value).exists().display_name or shown or ""
    return shown or ""


class KvkRegisterEntry(models.Model):
    """The last register answer of one registration (the E-HR): what the register says, normalised
    as a contact takes it, with the time it was read and the history of each field's changes.
    The contact keeps what its users accepted; this keeps what the register says.  Written by the
    register connection only."""

    _name = "kvk.register.entry"
    _description = "KvK Register Entry"
    _order = "read_at desc, id desc"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    kvk_number = fields.Char(string="KvK Number", required=True, readonly=True, index=True)
    branch_number = fields.Char(string="Vestigingsnummer", readonly=True)
    registration = fields.Char(required=True, readonly=True, index=True)
    name = fields.Char(readonly=True)
    values_json = fields.Text(string="Register Values", readonly=True)
    confidential_json = fields.Text(readonly=True, groups=CONFIDENTIAL)
    values_html = fields.Html(string="What the Register Says", compute="_compute_values_html", sanitize=False)
    read_at = fields.Datetime(readonly=True)
    source = fields.Selection(ORIGINS, string="Last Read By", readonly=True)
    ended = fields.Boolean(string="Registration Ended", readonly=True, index=True)
    end_date = fields.Date(string="End Date (complete dates)", readonly=True)
    end_display = fields.Char(string="End Date", compute="_compute_end_display")
    end_reason = fields.Char(readonly=True)
    successor_kvk_number = fields.Char(
        string="Continued By", readonly=True, help="The registration that continues this one (continuation)."
    )
    predecessor_kvk_number = fields.Char(string="Continues", readonly=True)
    history_ids = fields.One2many("kvk.register.change", "entry_id", string="History", readonly=True)

    _sql_constraints = [
        (
            "registration_company_unique",
            "UNIQUE(company_id, registration)",
            "A registration is stored once per company.",
        ),
    ]

    @api.depends("values_json")
    @api.depends_context("lang")
    def _compute_values_html(self):
        for entry in self:
            rows = Markup("").join(
                Markup("<tr><th>%s</th><td>%s</td></tr>") % (escape(label), escape(shown))
                for label, _value, shown in labelled(self.env, entry._values()).values()
            )
            entry.values_html = Markup('<table class="table table-sm o_kvk_register_values">%s</table>') % rows

    @api.depends("values_json", "end_date")
    @api.depends_context("lang")
    def _compute_end_display(self):
        for entry in self:
            raw = (entry._values().get("kvk_end_raw") or [""])[0]
            entry.end_display = readable_for(self.env, raw) if raw else False

    def _values(self):
        """{key: [value, shown]} as the register last gave them (confidential keys apart)."""
        self.ensure_one()
        return json.loads(self.values_json or "{}")

    def _all_values(self):
        """The register's values, confidential ones included (server side only)."""
        self.ensure_one()
        values = self._values()
        values.update(json.loads(self.sudo().confidential_json or "{}"))
        return values

    @api.model
    def _kvk_entry(self, kvk_number, branch_number=""):
        """The entry of a registration for the environment's company (created empty when missing)."""
        company = self.env.company
        key = registration_key(kvk_number, branch_number)
        Entry = self.sudo()
        entry = Entry.search([("company_id", "=", company.id), ("registration", "=", key)], limit=1)
        return entry or Entry.create(
            {
                "company_id": company.id,
                "kvk_number": kvk_number,
                "branch_number": branch_number or False,
                "registration": key,
            }
        )

    def _kvk_record(self, prepared, origin, signals=None, when=None):
        """Keep the register's answer (``prepared``: from ``_kvk_prepare_values``) and the history of
        every field it changed; returns the new history lines (empty when nothing changed).

        A first answer makes a history line of every field (old value empty)."""
        self.ensure_one()
        entry = self.sudo()
        new = plain_values(prepared)
        secret = {key: new.pop(key) for key in CONFIDENTIAL_KEYS if key in new}
        old = entry._values()
        old_secret = json.loads(entry.confidential_json or "{}")
        when = when or fields.Datetime.now()
        signal = signals.sorted("timestamp")[-1:] if signals else self.env["kvk.signal"]
        changes = []
        for store_old, store_new, confidential in ((old, new, False), (old_secret, secret, True)):
            for key in dict.fromkeys([*store_new, *store_old]):
                before, after = store_old.get(key), store_new.get(key)
                if (before or [None])[0] == (after or [None])[0]:
                    continue
                hidden = self.env._("(confidential)")
                changes.append(
                    {
                        "entry_id": entry.id,
                        "key": key,
                        "old_json": False if confidential else json.dumps(before[0]) if before else False,
                        "new_json": False if confidential else json.dumps(after[0]) if after else False,
                        "old_shown": (hidden if confidential else before[1]) if before else False,
                        "new_shown": (hidden if confidential else after[1]) if after else False,
                        "changed_at": when,
                        "origin": origin,
                        "signal_id": signal.id or False,
                    }
                )
        values = {"read_at": when, "source": origin, "values_json": json.dumps(new, sort_keys=True)}
        if "name" in new:
            values["name"] = new["name"][1]
        if secret or old_secret:
            values["confidential_json"] = json.dumps(secret, sort_keys=True)
        entry.write(values)
        return self.env["kvk.register.change"].sudo().create(changes)

    def _kvk_record_end(self, end_raw, end_date, reason, origin, signals=None, successor="", when=None):
        """Keep that the registration ended (a termination signal describes it; no call).  The end is
        kept as the register gives its dates (``YYYYMMDD``, unknown parts as zeros)."""
        self.ensure_one()
        entry = self.sudo()
        values = entry._values()
        end_raw = end_raw or (end_date.strftime("%Y%m%d") if end_date else "")
        if end_raw:
            values["kvk_end_raw"] = [end_raw, readable_for(self.env, end_raw)]
        prepared = labelled(self.env, values)
        changes = entry._kvk_record(prepared, origin, signals=signals, when=when)
        entry.write(
            {
                "ended": True,
                "end_date": end_date or False,
                "end_reason": reason or False,
                "successor_kvk_number": successor or entry.successor_kvk_number or False,
            }
        )
        return changes


class KvkRegisterChange(models.Model):
    """One field of a registration changed in the register: old value, new value, when, and which
    signal or refresh showed it."""

    _name = "kvk.register.change"
    _description = "KvK Register Change"
    _order = "changed_at desc, id desc"

    entry_id = fields.Many2one("kvk.register.entry", required=True, readonly=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="entry_id.company_id", store=True, index=True)
    registration = fields.Char(related="entry_id.registration")
    key = fields.Char(required=True, readonly=True)
    label = fields.Char(string="Field", compute="_compute_label")
    old_json = fields.Text(readonly=True)
    new_json = fields.Text(readonly=True)
    old_shown = fields.Char(string="Old Value (as read)", readonly=True)
    new_shown = fields.Char(string="New Value (as read)", readonly=True)
    old_display = fields.Char(string="Old Value", compute="_compute_display")
    new_display = fields.Char(string="New Value", compute="_compute_display")
    changed_at = fields.Datetime(string="When", required=True, readonly=True)
    origin = fields.Selection(ORIGINS, string="Shown By", required=True, readonly=True)
    signal_id = fields.Many2one("kvk.signal", string="Signal", readonly=True, ondelete="set null", index=True)

    @api.depends("key")
    @api.depends_context("lang")
    def _compute_label(self):
        labels = register_labels(self.env)
        for change in self:
            change.label = labels.get(change.key, change.key)

    @api.depends("entry_id.registration", "key")
    @api.depends_context("lang")
    def _compute_display_name(self):
        labels = register_labels(self.env)
        for change in self:
            change.display_name = f"{change.entry_id.registration}: {labels.get(change.key, change.key)}"

    @api.depends("key", "old_json", "new_json", "old_shown", "new_shown")
    @api.depends_context("lang")
    def _compute_display(self):
        for change in self:
            old = json.loads(change.old_json) if change.old_json else None
            new = json.loads(change.new_json) if change.new_json else None
            change.old_display = shown_for(self.env, change.key, old, change.old_shown) or False
            change.new_display = shown_for(self.env, change.key, new, change.new_shown) or False
