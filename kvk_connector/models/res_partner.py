from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..clients import KvkError

CONFIDENTIAL = "kvk_connector.group_kvk_confidential"
# Register keys only a public-sector connection fills; written with sudo, never shown in previews or chatter.
CONFIDENTIAL_KEYS = ("kvk_bsn", "kvk_private_address")


class ResPartner(models.Model):
    _inherit = "res.partner"

    kvk_branch_number = fields.Char(
        string="Vestigingsnummer", size=12, tracking=True, copy=False, index=True, help="KvK branch number (12 digits)."
    )
    kvk_rsin = fields.Char(string="RSIN", size=9, tracking=True, copy=False)
    kvk_legal_form = fields.Char(string="Legal Form", tracking=True)
    kvk_statutory_name = fields.Char(string="Statutory Name", tracking=True)
    kvk_trade_names = fields.Text(string="Trade Names")
    kvk_founding_raw = fields.Char(
        string="Founding Date (register)", size=8, help="As the register gives it: YYYYMMDD, unknown parts as zeros."
    )
    kvk_founding_date = fields.Date(string="Founding Date", tracking=True)
    kvk_end_raw = fields.Char(string="Registration End (register)", size=8)
    kvk_end_date = fields.Date(string="Registration End", tracking=True)
    kvk_former = fields.Boolean(
        string="Former Organisation",
        compute="_compute_kvk_former",
        store=True,
        help="The register shows the registration as ended.",
    )
    kvk_last_update = fields.Datetime(string="Register Data As Of", readonly=True, copy=False)
    kvk_linked = fields.Boolean(string="Linked to Register", readonly=True, copy=False)
    kvk_sbi_id = fields.Many2one("kvk.sbi.activity", string="Main Activity (SBI)", tracking=True)
    kvk_sbi_ids = fields.Many2many("kvk.sbi.activity", string="Activities (SBI)")
    kvk_employees = fields.Integer(string="Employees", tracking=True)
    kvk_employees_full = fields.Integer(string="Full-time Employees")
    kvk_employees_part = fields.Integer(string="Part-time Employees")
    kvk_is_postal_address = fields.Boolean(string="Register Postal Address", copy=False)
    kvk_query_count = fields.Integer(compute="_compute_kvk_query_count", string="KvK Query Count")
    # Only a public-sector connection returns these; only the confidential group reads them.
    kvk_bsn = fields.Char(string="BSN (confidential)", groups=CONFIDENTIAL, copy=False)
    kvk_private_address = fields.Text(
        string="Private Address of Officers (confidential)", groups=CONFIDENTIAL, copy=False
    )

    @api.depends("kvk_end_raw", "kvk_end_date")
    def _compute_kvk_former(self):
        for partner in self:
            partner.kvk_former = bool(
                partner.kvk_end_date or (partner.kvk_end_raw and partner.kvk_end_raw != "00000000")
            )

    def _compute_kvk_query_count(self):
        if not self.env["kvk.query.log"].has_access("read"):
            self.kvk_query_count = 0
            return
        groups = self.env["kvk.query.log"]._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"])
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.kvk_query_count = counts.get(partner.id, 0)

    # -- actions --------------------------------------------------------------------------------

    def action_kvk_search(self):
        """Open "Search register" for this contact, pre-filled with what it knows."""
        self.ensure_one()
        context = {"default_partner_id": self.id, "dialog_size": "extra-large"}
        if self.company_registry and len(self.company_registry.strip()) == 8:
            context["default_kvk_number"] = self.company_registry.strip()
        else:
            context["default_name"] = self.name
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Search register"),
            "res_model": "kvk.search.wizard",
            "view_mode": "form",
            "target": "new",
            "context": context,
        }

    def action_kvk_queries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("kvk_connector.kvk_query_log_action")
        action["domain"] = [("partner_id", "=", self.id)]
        return action

    def action_kvk_print_extract(self):
        """Print the register extract as PDF and keep it on the contact."""
        self.ensure_one()
        report = self.env.ref("kvk_connector.action_report_kvk_extract")
        pdf, _type = report.with_context(force_report_rendering=True)._render_qweb_pdf(report.report_name, self.ids)
        name = self.env._("KvK extract %(kvk)s %(date)s", kvk=self.company_registry or "", date=fields.Date.today())
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{name}.pdf",
                "raw": pdf,
                "mimetype": "application/pdf",
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        self.message_post(body=self.env._("Register extract printed."), attachment_ids=attachment.ids)
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    # -- register data --------------------------------------------------------------------------

    @api.model
    def _kvk_find_duplicate(self, kvk_number, branch_number, exclude=None):
        domain = [
            ("company_registry", "=", kvk_number),
            ("kvk_branch_number", "=", branch_number or False),
            ("company_id", "in", [False, self.env.company.id]),
            ("is_company", "=", True),
        ]
        if exclude:
            domain.append(("id", "not in", exclude.ids))
        return self.with_context(active_test=False).search(domain, limit=1)

    @api.model
    def _kvk_prepare_values(self, profile):
        """The register's values for a contact, as {key: (label, value, shown)}.

        ``value`` is what is written (JSON-safe); ``shown`` what the preview shows.
        """
        _ = self.env._
        visiting, postal = profile.visiting, profile.postal
        values = {}

        def put(key, label, value, shown=None):
            if value not in (None, "", [], False):
                values[key] = (label, value, str(shown if shown is not None else value))

        put("name", _("Name"), profile.name or profile.statutory_name)
        put("company_registry", _("KvK number"), profile.kvk_number)
        put("kvk_branch_number", _("Vestigingsnummer"), profile.branch_number)
        put("kvk_rsin", _("RSIN"), profile.rsin)
        put("kvk_legal_form", _("Legal form"), profile.legal_form_long or profile.legal_form)
        put("kvk_statutory_name", _("Statutory name"), profile.statutory_name)
        put("kvk_trade_names", _("Trade names"), "\n".join(profile.trade_names), ", ".join(profile.trade_names))
        put("kvk_founding_raw", _("Founding date (register)"), profile.founding_raw)
        if profile.founding_date:
            put("kvk_founding_date", _("Founding date"), profile.founding_date.isoformat())
        put("kvk_end_raw", _("Registration end (register)"), profile.end_raw)
        if profile.end_date:
            put("kvk_end_date", _("Registration end"), profile.end_date.isoformat())
        if profile.websites:
            website = profile.websites[0]
            put("website", _("Website"), website if "://" in website else f"https://{website}", website)
        put("phone", _("Phone"), profile.phone)
        if visiting:
            put("street", _("Street"), visiting.street)
            put("zip", _("Postcode"), visiting.postcode)
            put("city", _("City"), visiting.city)
            if visiting.country == "NL":
                country = self.env.ref("base.nl")
                put("country_id", _("Country"), country.id, country.name)
        if profile.main_activity:
            main = profile.main_activity
            put(
                "kvk_sbi_id", _("Main activity (SBI)"), [main.code, main.description], f"{main.code} {main.description}"
            )
        if profile.activities:
            put(
                "kvk_sbi_ids",
                _("Activities (SBI)"),
                [[a.code, a.description] for a in profile.activities],
                ", ".join(a.code for a in profile.activities),
            )
        for key, label, number in (
            ("kvk_employees", _("Employees"), profile.employees),
            ("kvk_employees_full", _("Full-time employees"), profile.employees_full),
            ("kvk_employees_part", _("Part-time employees"), profile.employees_part),
        ):
            if number is not None:
                values[key] = (label, number, str(number))
        confidential = getattr(profile, "confidential", None) or {}
        if confidential.get("bsn"):
            values["kvk_bsn"] = (_("BSN (confidential)"), confidential["bsn"], _("(confidential)"))
        if confidential.get("private_addresses"):
            values["kvk_private_address"] = (
                _("Private addresses of officers (confidential)"),
                confidential["private_addresses"],
                _("(confidential)"),
            )
        if postal:
            shown = ", ".join(filter(None, [postal.street, f"{postal.postcode} {postal.city}".strip()]))
            put(
                "kvk_postal_address",
                _("Postal address"),
                {"street": postal.street, "zip": postal.postcode, "city": postal.city, "country": postal.country},
                shown,
            )
        return values

    def _kvk_current(self, key):
        """The contact's current value of a register key, as the preview shows it."""
        self.ensure_one()
        if not self:
            return ""
        if key in CONFIDENTIAL_KEYS:
            return self.env._("(confidential)") if self.sudo()[key] else ""
        if key == "kvk_postal_address":
            child = self._kvk_postal_child()
            return (
                ", ".join(filter(None, [child.street, f"{child.zip or ''} {child.city or ''}".strip()]))
                if child
                else ""
            )
        value = self[key]
        if key == "kvk_sbi_ids":
            return ", ".join(value.mapped("code"))
        if isinstance(value, models.BaseModel):
            return value.display_name or ""
        if value in (False, None) or (key.startswith("kvk_employees") and not value):
            return ""
        return str(value)

    def _kvk_postal_child(self):
        self.ensure_one()
        return self.child_ids.filtered("kvk_is_postal_address")[:1]

    def _kvk_write_register_values(self, values, keys):
        """Write the chosen register ``values`` (from :meth:`_kvk_prepare_values`) and post what was written."""
        self.ensure_one()
        vals, written, secret = {}, [], {}
        for key in keys:
            if key not in values:
                continue
            label, value, shown = values[key]
            written.append((label, shown))
            if key == "kvk_postal_address":
                continue
            if key in CONFIDENTIAL_KEYS:
                secret[key] = value
                continue
            if key == "kvk_sbi_id":
                value = self.env["kvk.sbi.activity"]._from_register([_Activity(*value)]).id
            elif key == "kvk_sbi_ids":
                value = [
                    fields.Command.set(self.env["kvk.sbi.activity"]._from_register([_Activity(*a) for a in value]).ids)
                ]
            vals[key] = value
        vals["kvk_last_update"] = fields.Datetime.now()
        if (
            values.get("company_registry")
            and (vals.get("company_registry") or self.company_registry) == values["company_registry"][1]
        ):
            vals["kvk_linked"] = True
        if not self.is_company:
            vals["is_company"] = True
        self.write(vals)
        if secret:
            self.sudo().write(secret)
        if "kvk_postal_address" in keys and "kvk_postal_address" in values:
            self._kvk_write_postal_address(values["kvk_postal_address"][1])
        if written:
            rows = Markup("").join(
                Markup("<li><b>%s</b>: %s</li>") % (escape(label), escape(shown)) for label, shown in written
            )
            self.message_post(body=Markup("%s<ul>%s</ul>") % (self.env._("Written from the KvK register:"), rows))
        return written

    def _kvk_write_postal_address(self, address):
        country = self.env["res.country"].search([("code", "=", address.get("country") or "NL")], limit=1)
        vals = {
            "street": address.get("street"),
            "zip": address.get("zip"),
            "city": address.get("city"),
            "country_id": country.id or False,
        }
        child = self._kvk_postal_child()
        if not child:
            # Created bare, then addressed: a company's first child with an address would
            # otherwise pass that address up to a company that has none (a shielded visiting address).
            child = self.create(
                {
                    "parent_id": self.id,
                    "type": "invoice",
                    "name": self.env._("Postal address"),
                    "kvk_is_postal_address": True,
                }
            )
        child.write(vals)

    @api.model
    def _cron_kvk_refresh(self, batch=50, max_age_days=7):
        """Re-read the register for linked contacts whose data is older than ``max_age_days``.

        Register fields are overwritten; ordinary fields (name, address, website...)
        only filled where empty.  Transient register faults are retried with
        back-off inside the service seam (scheduled jobs only).
        """
        since = fields.Datetime.now() - timedelta(days=max_age_days)
        domain = [("kvk_linked", "=", True), "|", ("kvk_last_update", "=", False), ("kvk_last_update", "<", since)]
        partners = self.search(domain, order="kvk_last_update asc nulls first, id", limit=batch)
        done = 0
        for partner in partners:
            try:
                profile = self.env["kvk.service"].fetch_profile(
                    partner.company_registry,
                    partner.kvk_branch_number or "",
                    "nevenvestiging" if partner.kvk_branch_number else "",
                    channel="cron",
                    partner=partner,
                )
            except KvkError as error:
                partner.message_post(
                    body=self.env._("Register refresh failed: %s", self.env["kvk.service"]._error_message(error))
                )
                continue
            values = self._kvk_prepare_values(profile)
            keys = [key for key in values if key.startswith("kvk_") or key == "company_registry"]
            keys += [key for key in values if key not in keys and not partner._kvk_current(key)]
            partner._kvk_write_register_values(values, keys)
            done += 1
        remaining = self.search_count(domain) - len(partners) if len(partners) == batch else 0
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    @api.constrains("kvk_branch_number", "kvk_rsin")
    def _check_kvk_numbers(self):
        for partner in self:
            if partner.kvk_branch_number and not (
                partner.kvk_branch_number.isdigit() and len(partner.kvk_branch_number) == 12
            ):
                raise ValidationError(
                    self.env._("A vestigingsnummer has 12 digits, not %s.", partner.kvk_branch_number)
                )
            if partner.kvk_rsin and not (partner.kvk_rsin.isdigit() and len(partner.kvk_rsin) == 9):
                raise ValidationError(self.env._("An RSIN has 9 digits, not %s.", partner.kvk_rsin))


class _Activity:
    """A (code, description) pair as :meth:`KvkSbiActivity._from_register` takes it."""

    def __init__(self, code, description):
        self.code, self.description = code, description
