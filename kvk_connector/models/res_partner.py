import logging
import re
import zlib
from datetime import timedelta

from markupsafe import Markup, escape
from stdnum.nl import bsn

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..clients import KvkError, kvk_date
from .kvk_dates import readable_for

_logger = logging.getLogger(__name__)

CONFIDENTIAL = "kvk_connector.group_kvk_confidential"
# Register keys only a public-sector connection fills; written with sudo, never shown in previews or chatter.
CONFIDENTIAL_KEYS = ("kvk_bsn", "kvk_private_address")
KINDS = [("hoofdvestiging", "Main branch"), ("nevenvestiging", "Side branch"), ("rechtspersoon", "Legal entity")]
KVK_NUMBER = re.compile(r"[0-9]{8}")
# Advisory lock namespace of the refresh job (the second key is the company).
REFRESH_LOCK = zlib.crc32(b"kvk_connector.refresh") & 0x7FFFFFFF
# A contact whose refresh failed is tried again after 1, 2, 4... days, at most this many.
REFRESH_BACKOFF_MAX_DAYS = 32


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
        string="Founding Date (register text)",
        help="As the register gives it: YYYYMMDD, unknown parts as zeros (other text is kept as it came).",
    )
    kvk_founding_date = fields.Date(
        string="Founding Date (complete dates)", tracking=True, help="Filled only when the register gives the day."
    )
    kvk_founding_display = fields.Char(
        string="Founding Date",
        compute="_compute_kvk_dates_display",
        help="As the register knows it: the full date, a month and year, or a year.",
    )
    kvk_end_raw = fields.Char(string="Registration End (register text)")
    kvk_end_date = fields.Date(
        string="Registration End (complete dates)", tracking=True, help="Filled only when the register gives the day."
    )
    kvk_end_display = fields.Char(string="Registration End", compute="_compute_kvk_dates_display")
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
    kvk_registration_kind = fields.Selection(
        KINDS,
        string="Registration Kind",
        readonly=True,
        copy=False,
        help="What the contact was linked to: it decides which KvK product keeps it current.",
    )
    kvk_company_id = fields.Many2one(
        "res.company",
        string="Refreshed By",
        readonly=True,
        copy=False,
        help="The company whose KvK connection (mode, key, cache, cap, log) keeps this contact current.",
    )
    kvk_refresh_failures = fields.Integer(string="Failed Refreshes", readonly=True, copy=False)
    kvk_refresh_failed_at = fields.Datetime(string="Last Failed Refresh", readonly=True, copy=False)
    kvk_refresh_error_code = fields.Char(string="Refresh Error Code", readonly=True, copy=False)
    kvk_refresh_error = fields.Char(string="Refresh Error", readonly=True, copy=False)
    kvk_refresh_retry_after = fields.Datetime(
        string="Next Refresh Not Before", readonly=True, copy=False, help="Back-off after failed refreshes."
    )
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

    @api.depends("kvk_founding_raw", "kvk_end_raw")
    @api.depends_context("lang")
    def _compute_kvk_dates_display(self):
        for partner in self:
            partner.kvk_founding_display = readable_for(self.env, partner.kvk_founding_raw) or False
            partner.kvk_end_display = readable_for(self.env, partner.kvk_end_raw) or False

    def _compute_kvk_query_count(self):
        if not self.env["kvk.query.log"].has_access("read"):
            self.kvk_query_count = 0
            return
        groups = self.env["kvk.query.log"]._read_group([("partner_id", "in", self.ids)], ["partner_id"], ["__count"])
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.kvk_query_count = counts.get(partner.id, 0)

    # -- actions --------------------------------------------------------------------------------

    def _kvk_check_user(self):
        if not self.env.su and not self.env.user.has_group("kvk_connector.group_kvk_user"):
            raise AccessError(self.env._("Only users of the group KvK Handelsregister / User may use the register."))

    def action_kvk_search(self):
        """Open "Search register" for this contact, pre-filled with what it knows.

        Called on no contact, it opens for a new contact that is not saved (and is not saved for
        it): the form sends the name and KvK number typed so far (``kvk_draft_name``,
        ``kvk_draft_registry``), which only pre-fill the search; an empty name starts an empty one.
        """
        if len(self) > 1:
            raise UserError(self.env._("Search the register for one contact at a time."))
        self._kvk_check_user()
        context = {"dialog_size": "extra-large", "kvk_form_return": bool(self.env.context.get("kvk_form_return"))}
        if self:
            company = self.company_id if self.company_id in self.env.companies else self.env.company
            context["default_partner_id"] = self.id
            registry, name = self.company_registry, self.name
        else:
            company = self.env.company
            registry = self.env.context.get("kvk_draft_registry")
            name = self.env.context.get("kvk_draft_name")
        context["default_company_id"] = company.id
        registry = str(registry or "").strip()
        if KVK_NUMBER.fullmatch(registry):
            context["default_kvk_number"] = registry
        elif str(name or "").strip():
            context["default_name"] = str(name).strip()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Search register"),
            "res_model": "kvk.search.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": context,
        }

    def action_kvk_queries(self):
        self.ensure_one()
        self.env["kvk.query.log"].check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("kvk_connector.kvk_query_log_action")
        action["domain"] = [("partner_id", "=", self.id)]
        return action

    def action_kvk_print_extract(self):
        """Print the register extract as PDF and keep it on the contact."""
        self.ensure_one()
        self._kvk_check_user()
        self.check_access("read")
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
    def _kvk_find_duplicate(self, kvk_number, branch_number, exclude=None, kind=None):
        """The company contact already in Odoo for a registration (KvK number and vestigingsnummer).

        A legal entity (``kind`` rechtspersoon, no vestigingsnummer) is the company as a whole: a
        contact without a vestigingsnummer or one linked to its main branch stands for it.
        """
        domain = [
            ("company_registry", "=", kvk_number),
            ("company_id", "in", [False, self.env.company.id]),
            ("is_company", "=", True),
        ]
        if branch_number or kind != "rechtspersoon":
            domain.append(("kvk_branch_number", "=", branch_number or False))
        else:
            domain += [
                "|",
                ("kvk_branch_number", "=", False),
                ("kvk_registration_kind", "in", ["hoofdvestiging", "rechtspersoon"]),
            ]
        if exclude:
            domain.append(("id", "not in", exclude.ids))
        return self.with_context(active_test=False).search(domain, limit=1, order="kvk_branch_number nulls first, id")

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
        # one row per date, as people read it; writing it writes the raw text and, when complete, the date
        put("kvk_founding_raw", _("Founding date"), profile.founding_raw, readable_for(self.env, profile.founding_raw))
        put("kvk_end_raw", _("Registration end"), profile.end_raw, readable_for(self.env, profile.end_raw))
        if profile.websites:
            website = profile.websites[0]
            put("website", _("Website"), website if "://" in website else f"https://{website}", website)
        put("phone", _("Phone"), profile.phone)
        if visiting:
            put("street", _("Street"), visiting.street)
            put("zip", _("Postcode"), visiting.postcode)
            put("city", _("City"), visiting.city)
            country = self._kvk_country(visiting.country)
            if country:
                put("country_id", _("Country"), country.id, country.name)
        if profile.main_activity:
            main = profile.main_activity
            put(
                "kvk_sbi_id",
                _("Main activity (SBI)"),
                [main.code, main.description, main.version],
                sbi_text(main.code, main.description),
            )
        if profile.activities:
            put(
                "kvk_sbi_ids",
                _("Activities (SBI)"),
                [[a.code, a.description, a.version] for a in profile.activities],
                "; ".join(sbi_text(a.code, a.description) for a in profile.activities),
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

    @api.model
    def _kvk_country(self, code):
        """The country of an ISO code the register's answer gave (KvK names countries in Dutch)."""
        if not code:
            return self.env["res.country"]
        return self.env["res.country"].search([("code", "=", code.upper())], limit=1)

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
        if key in ("kvk_founding_raw", "kvk_end_raw"):
            return readable_for(self.env, self[key])
        value = self[key]
        if key == "kvk_sbi_id":
            return sbi_text(value.code, value.name) if value else ""
        if key == "kvk_sbi_ids":
            return "; ".join(sbi_text(activity.code, activity.name) for activity in value)
        if isinstance(value, models.BaseModel):
            return value.display_name or ""
        if value in (False, None) or (key.startswith("kvk_employees") and not value):
            return ""
        return str(value)

    def _kvk_postal_child(self):
        self.ensure_one()
        return self.child_ids.filtered("kvk_is_postal_address")[:1]

    def _kvk_write_register_values(self, values, keys, kind=None):
        """Write the chosen register ``values`` (from :meth:`_kvk_prepare_values`) and post what was written.

        ``kind``: the registration kind the values belong to (main branch, side branch, legal
        entity), kept on a linked contact so that it is refreshed from the right product.
        """
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
            elif key in ("kvk_founding_raw", "kvk_end_raw"):
                vals[key.replace("_raw", "_date")] = kvk_date(value)[1] or False
            vals[key] = value
        vals["kvk_last_update"] = fields.Datetime.now()
        if (
            values.get("company_registry")
            and (vals.get("company_registry") or self.company_registry) == values["company_registry"][1]
        ):
            vals["kvk_linked"] = True
            vals["kvk_registration_kind"] = kind or self.kvk_registration_kind or False
            vals["kvk_company_id"] = self.kvk_company_id.id or self.company_id.id or self.env.company.id
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

    # -- the refresh job ------------------------------------------------------------------------------

    @api.model
    def _cron_kvk_refresh(self, batch=50, max_age_days=7):
        """Re-read the register for linked contacts whose data is older than ``max_age_days``.

        Company by company (``with_company``), each with its own connection, cache, cap and
        log; a company whose refresh another run holds (advisory lock) is skipped and logged.
        Per contact, fetching and applying are separate steps; a contact that fails keeps its
        failure (when, why, how often), is tried again only after a growing pause, and gets a
        note in its chatter once per new failure, in the language of its salesperson.
        What the register says goes into the register store; what changed is written at once or
        waits in the KvK inbox, as the company's settings say per group of fields (see
        ``_kvk_refresh_apply`` in res_partner_kvk_inbox.py).  Transient register faults are retried
        with back-off inside the service seam.
        """
        Partner = self.sudo()
        default = self.env.company
        done = remaining = 0
        for company in self.env["res.company"].sudo().search([]):
            outcome = Partner.with_company(company)._kvk_refresh_company(batch, max_age_days, default)
            done += outcome["done"]
            remaining += outcome["remaining"]
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return done

    @api.model
    def _kvk_refresh_domain(self, max_age_days, default_company):
        """Linked contacts of the environment's company that are due for a refresh."""
        company = self.env.company
        now = fields.Datetime.now()
        owner = ["|", ("kvk_company_id", "=", company.id), "&", ("kvk_company_id", "=", False)]
        if company == default_company:  # contacts of no company, linked before companies were told apart
            owner += ["|", ("company_id", "=", company.id), ("company_id", "=", False)]
        else:
            owner += [("company_id", "=", company.id)]
        return [
            ("kvk_linked", "=", True),
            "|",
            ("kvk_last_update", "=", False),
            ("kvk_last_update", "<", now - timedelta(days=max_age_days)),
            "|",
            ("kvk_refresh_retry_after", "=", False),
            ("kvk_refresh_retry_after", "<=", now),
            *owner,
        ]

    @api.model
    def _kvk_refresh_lock(self):
        """Take the refresh lock of the environment's company for this transaction; False when taken."""
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [REFRESH_LOCK, self.env.company.id])
        return self.env.cr.fetchone()[0]

    @api.model
    def _kvk_refresh_company(self, batch, max_age_days, default_company):
        company = self.env.company
        domain = self._kvk_refresh_domain(max_age_days, default_company)
        if not self._kvk_refresh_lock():
            _logger.info("KvK refresh of company %s skipped: another run is refreshing it", company.id)
            return {"done": 0, "remaining": 0, "skipped": True}
        partners = self.with_context(active_test=False).search(
            domain, order="kvk_last_update asc nulls first, id", limit=batch
        )
        done = sum(1 for partner in partners if partner._kvk_refresh())
        remaining = self.with_context(active_test=False).search_count(domain) if len(partners) == batch else 0
        return {"done": done, "failed": len(partners) - done, "remaining": remaining, "skipped": False}

    def _kvk_refresh(self):
        """Refresh one contact: fetch, then apply; True when it was refreshed."""
        self.ensure_one()
        partner = self.with_context(lang=self._kvk_recipient_lang())
        try:
            profile = partner._kvk_refresh_fetch()
        except KvkError as error:
            partner._kvk_refresh_failed(error.code, partner.env["kvk.service"]._error_message(error))
            return False
        try:
            with self.env.cr.savepoint():
                partner._kvk_refresh_apply(profile)
        except UserError as error:  # register data the contact refuses: nothing of it is written
            _logger.info("KvK refresh of contact %s not applied: %s", self.id, error)
            partner._kvk_refresh_failed("not_applied", str(error))
            return False
        return True

    def _kvk_refresh_fetch(self):
        """The register's current data of this contact (:class:`clients.Profile`), from the product its
        registration kind calls for; no write to the contact."""
        self.ensure_one()
        kind = self.kvk_registration_kind or ("nevenvestiging" if self.kvk_branch_number else "")
        return self.env["kvk.service"]._fetch_profile(
            self.company_registry or "", self.kvk_branch_number or "", kind, channel="cron", partner=self
        )

    def _kvk_refresh_apply(self, profile):
        """Keep a fetched profile.  What the register says and what changed go through the register
        store and the KvK inbox (res_partner_kvk_inbox.py); here the contact's failure state ends."""
        self.ensure_one()
        if self.kvk_refresh_failures or self.kvk_refresh_retry_after:
            self.write(
                {
                    "kvk_refresh_failures": 0,
                    "kvk_refresh_error_code": False,
                    "kvk_refresh_error": False,
                    "kvk_refresh_retry_after": False,
                }
            )

    def _kvk_refresh_failed(self, code, reason):
        """Keep a failed refresh: when, why, how often; back off; a note only when the failure is new."""
        self.ensure_one()
        new = not self.kvk_refresh_failures or self.kvk_refresh_error_code != code
        failures = self.kvk_refresh_failures + 1
        now = fields.Datetime.now()
        self.write(
            {
                "kvk_refresh_failures": failures,
                "kvk_refresh_failed_at": now,
                "kvk_refresh_error_code": code,
                "kvk_refresh_error": (reason or "")[:500],
                "kvk_refresh_retry_after": now + timedelta(days=min(2 ** (failures - 1), REFRESH_BACKOFF_MAX_DAYS)),
            }
        )
        if new:
            self.message_post(body=self.env._("Register refresh failed: %s", reason))

    def _kvk_recipient_lang(self):
        """The language of who reads the contact's register notes: its salesperson, else its company."""
        self.ensure_one()
        installed = {code for code, _name in self.env["res.lang"].get_installed()}
        company = self.kvk_company_id or self.company_id or self.env.company
        for lang in (self.user_id.lang, company.partner_id.lang, self.env.lang):
            if lang in installed:
                return lang
        return "en_US"

    @api.constrains("kvk_branch_number", "kvk_rsin", "company_registry", "kvk_linked")
    def _check_kvk_numbers(self):
        for partner in self:
            if partner.kvk_branch_number and not re.fullmatch(r"[0-9]{12}", partner.kvk_branch_number):
                raise ValidationError(
                    self.env._("A vestigingsnummer has 12 digits, not %s.", partner.kvk_branch_number)
                )
            if partner.kvk_rsin and not (
                re.fullmatch(r"[0-9]{9}", partner.kvk_rsin) and bsn.is_valid(partner.kvk_rsin)
            ):
                raise ValidationError(
                    self.env._("An RSIN has 9 digits and passes the 11-check, unlike %s.", partner.kvk_rsin)
                )
            if partner.kvk_linked and not KVK_NUMBER.fullmatch(partner.company_registry or ""):
                raise ValidationError(
                    self.env._(
                        "A contact linked to the KvK register needs its KvK number: 8 digits, not “%s”.",
                        partner.company_registry or "",
                    )
                )


def sbi_text(code, description):
    """An SBI activity as people read it: its code and the register's description."""
    return f"{code} {description}".strip() if description and description != code else code or ""


class _Activity:
    """A (code, description, version) as :meth:`KvkSbiActivity._from_register` takes it."""

    def __init__(self, code, description, version="2025"):
        self.code, self.description, self.version = code, description, version
