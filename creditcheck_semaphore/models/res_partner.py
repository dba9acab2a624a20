from markupsafe import Markup
from stdnum.cz import dic

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .creditcheck_status import STATES

BADGES = STATES + [
    # an acknowledged status keeps its colour, with a mark
    ("orange_acknowledged", "Orange, acknowledged"),
    ("red_acknowledged", "Red, acknowledged"),
    ("deactivated", "Deactivated"),
]
RISK_LEVELS = {"orange": ("orange", "red"), "red": ("red",)}
NOTIFY_BATCH = 200


def normalise_ico(company_registry, vat):
    """The 8-digit IČO of a partner, or False: from the registry number, else a CZ/SK VAT number."""
    candidates = []
    if company_registry:
        candidates.append("".join(company_registry.split()))
    if vat:
        compact = "".join(vat.split()).upper()
        if compact[:2] in ("CZ", "SK"):
            candidates.append(compact[2:])
    for candidate in candidates:
        if candidate.isdigit() and len(candidate) <= 8:
            ico = candidate.zfill(8)
            try:
                if dic.validate(ico) == ico:
                    return ico
            except dic.ValidationError:
                continue
    return False


def creditcheck_subject(country_code, company_registry, vat):
    """(IČO, 'cz' or 'sk') of the subject CreditCheck knows a partner by, or (False, False).

    In the Czech Republic or Slovakia: the IČO from the registry number, else from the
    VAT number.  Without a country: only from a Czech or Slovak VAT number, whose prefix
    gives the country (a bare 8-digit registry number may be any country's: a Dutch KvK
    number passes the IČO check digit one time in ten).  Elsewhere: none.
    """
    if country_code in ("CZ", "SK"):
        ico = normalise_ico(company_registry, vat)
        return (ico, country_code.lower()) if ico else (False, False)
    if not country_code and vat:
        compact = "".join(vat.split()).upper()
        ico = normalise_ico(False, compact) if compact[:2] in ("CZ", "SK") else False
        return (ico, compact[:2].lower()) if ico else (False, False)
    return False, False


class ResPartner(models.Model):
    """CreditCheck's status of the commercial entity.

    The IČO, the status, the acknowledgement and the notifications belong to the
    commercial entity (the company, or a person without a company): Odoo copies
    ``vat`` and ``company_registry`` to contact persons, who show their company's
    badge instead of one of their own.
    """

    _inherit = "res.partner"

    creditcheck_ico = fields.Char(
        string="IČO (CreditCheck)",
        compute="_compute_creditcheck_ico",
        store=True,
        index=True,
        help="The 8-digit IČO CreditCheck knows this company by, from the company registry number or a "
        "Czech/Slovak VAT number; empty when there is none, when it fails the check digit, and on contact persons.",
    )
    creditcheck_country = fields.Selection(
        [("cz", "CZ"), ("sk", "SK")], compute="_compute_creditcheck_ico", store=True, index=True
    )
    creditcheck_subject_ico = fields.Char(
        string="IČO of the Company (CreditCheck)", related="commercial_partner_id.creditcheck_ico"
    )
    creditcheck_applies = fields.Boolean(
        string="CreditCheck Applies",
        compute="_compute_creditcheck_applies",
        help="CreditCheck rates Czech and Slovak subjects: partners in the Czech Republic or Slovakia that are "
        "companies or have a registry or VAT number, and partners without a country whose VAT number is Czech or "
        "Slovak; their contact persons show their company's status.",
    )
    creditcheck_state = fields.Selection(
        STATES, string="CreditCheck Status", default="grey", readonly=True, copy=False, required=True
    )
    creditcheck_previous_state = fields.Selection(STATES, readonly=True, copy=False)
    creditcheck_previous_record_id = fields.Char(string="Previous CreditCheck Record ID", readonly=True, copy=False)
    creditcheck_record_id = fields.Char(string="CreditCheck Record ID", readonly=True, copy=False)
    creditcheck_defunct = fields.Boolean(string="Defunct Subject", readonly=True, copy=False)
    creditcheck_change_date = fields.Datetime(string="CreditCheck Status Changed", readonly=True, copy=False)
    creditcheck_notify_pending = fields.Boolean(readonly=True, copy=False, index="btree_not_null")
    creditcheck_digest_pending = fields.Boolean(readonly=True, copy=False, index="btree_not_null")
    creditcheck_sync_date = fields.Datetime(string="Last CreditCheck Sync", compute="_compute_creditcheck_sync_date")
    creditcheck_ack_record_id = fields.Char(string="Acknowledged Record ID", readonly=True, copy=False)
    creditcheck_ack_user_id = fields.Many2one("res.users", string="Acknowledged by", readonly=True, copy=False)
    creditcheck_ack_date = fields.Datetime(string="Acknowledged on", readonly=True, copy=False)
    creditcheck_badge = fields.Selection(BADGES, string="CreditCheck", compute="_compute_creditcheck_badge")
    creditcheck_report_url = fields.Char(string="CreditcheckList Report", compute="_compute_creditcheck_report_url")
    creditcheck_event_count = fields.Integer(compute="_compute_creditcheck_event_count")
    creditcheck_checks_left = fields.Integer(
        string="CreditCheck Checks Left",
        compute="_compute_creditcheck_checks_left",
        help="Checks of one subject left in the last 24 hours (CreditCheck allows 200).",
    )

    @api.depends("company_registry", "vat", "country_id", "is_company", "parent_id", "commercial_partner_id")
    def _compute_creditcheck_ico(self):
        for partner in self:
            if partner.commercial_partner_id == partner:
                ico, country = creditcheck_subject(partner.country_id.code, partner.company_registry, partner.vat)
            else:
                ico, country = False, False
            partner.creditcheck_ico = ico
            partner.creditcheck_country = country

    @api.depends(
        "commercial_partner_id.creditcheck_ico",
        "commercial_partner_id.country_id",
        "commercial_partner_id.is_company",
        "commercial_partner_id.company_registry",
        "commercial_partner_id.vat",
    )
    def _compute_creditcheck_applies(self):
        """A subject with an IČO, or a Czech or Slovak company (or a partner with a registry or VAT number
        there) whose IČO is missing or fails the check: it shows grey, and says why."""
        for partner in self:
            entity = partner.commercial_partner_id
            partner.creditcheck_applies = bool(entity.creditcheck_ico) or (
                entity.country_id.code in ("CZ", "SK")
                and bool(entity.is_company or entity.company_registry or entity.vat)
            )

    def _compute_creditcheck_sync_date(self):
        logs = {country: self.env["creditcheck.sync.log"]._last_done(country).date_end for country in ("cz", "sk")}
        for partner in self:
            entity = partner.commercial_partner_id
            partner.creditcheck_sync_date = logs.get(entity.creditcheck_country) if entity.creditcheck_ico else False

    @api.depends(
        "creditcheck_state",
        "creditcheck_record_id",
        "creditcheck_ack_record_id",
        "creditcheck_applies",
        "commercial_partner_id.creditcheck_state",
        "commercial_partner_id.creditcheck_record_id",
        "commercial_partner_id.creditcheck_ack_record_id",
    )
    def _compute_creditcheck_badge(self):
        deactivated = self.env["creditcheck.deactivation"]._deactivated(self)
        for partner in self:
            entity = partner.commercial_partner_id
            if not partner.creditcheck_applies:
                partner.creditcheck_badge = False  # CreditCheck rates Czech and Slovak subjects only: no badge
            elif entity.id in deactivated:
                partner.creditcheck_badge = "deactivated"
            elif entity._creditcheck_acknowledged():
                partner.creditcheck_badge = f"{entity.creditcheck_state}_acknowledged"
            else:
                partner.creditcheck_badge = entity.creditcheck_state

    def _creditcheck_acknowledged(self):
        """True when this commercial entity's orange or red status is acknowledged (its current record)."""
        self.ensure_one()
        return bool(
            self.creditcheck_state in ("orange", "red")
            and self.creditcheck_record_id
            and self.creditcheck_ack_record_id == self.creditcheck_record_id
        )

    @api.depends("commercial_partner_id.creditcheck_ico", "commercial_partner_id.creditcheck_country", "company_id")
    def _compute_creditcheck_report_url(self):
        service = self.env["creditcheck.service"]
        for partner in self:
            partner.creditcheck_report_url = service._report_url(partner)

    def _compute_creditcheck_event_count(self):
        entities = self.commercial_partner_id.filtered("creditcheck_ico")
        groups = (
            self.env["creditcheck.event"]
            .sudo()
            ._read_group(
                [("ico", "in", list(set(entities.mapped("creditcheck_ico"))))],
                ["company_id", "country", "ico"],
                ["__count"],
            )
        )
        counts = {(company.id, country, ico): count for company, country, ico, count in groups}
        for partner in self:
            entity = partner.commercial_partner_id
            key = (entity.company_id.id, entity.creditcheck_country, entity.creditcheck_ico)
            partner.creditcheck_event_count = counts.get(key, 0) if entity.creditcheck_ico else 0

    def _compute_creditcheck_checks_left(self):
        sync = self.env["creditcheck.sync"]
        left = {}
        for partner in self:
            country = partner.commercial_partner_id.creditcheck_country
            if country and country not in left:
                left[country] = sync._single_checks_left(country)
            partner.creditcheck_checks_left = left.get(country, 0)

    # -- keeping the stored status in step ---------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        partners.filtered("creditcheck_ico")._creditcheck_apply_status()
        return partners

    def write(self, vals):
        result = super().write(vals)
        if {"company_registry", "vat", "country_id", "parent_id", "is_company"} & set(vals):
            (self | self.child_ids)._creditcheck_apply_status()
        return result

    def _creditcheck_apply_status(self, country=None, checked=False):
        """Set the stored status of partners from creditcheck.status, in one statement.

        With ``country``: every partner of that country (after a sync); without, the
        partners in ``self`` (after their IČO changed).  A partner whose status or
        record ID changes is queued for a chatter message, except a first green.
        Only commercial entities have an IČO; everyone else stays grey.
        Returns the number of partners changed.
        """
        if country is None and not self:
            return 0
        self.env["res.partner"].flush_model(["creditcheck_ico", "creditcheck_country", "creditcheck_state"])
        if country is None:
            where, params = "p.id IN %(ids)s", {"ids": tuple(self.ids)}
            # Before any successful sync of its country, a new partner stays grey.
            # ``checked``: these partners' subject was just asked about (GetCreditCheckIc).
            synced = [c for c in ("cz", "sk") if checked or self.env["creditcheck.sync.log"]._last_done(c)]
            params["synced"] = tuple(synced) or ("none",)
        else:
            where, params = "p.creditcheck_country = %(country)s", {"country": country, "synced": (country,)}
        self.env.cr.execute(
            f"""
            WITH wanted AS (
                SELECT p.id,
                       CASE WHEN p.creditcheck_ico IS NULL OR p.creditcheck_country NOT IN %(synced)s THEN 'grey'
                            WHEN s.status = 3 THEN 'red'
                            WHEN s.status = 2 THEN 'orange'
                            ELSE 'green' END AS state,
                       CASE WHEN p.creditcheck_ico IS NULL THEN NULL ELSE s.record_id END AS record_id,
                       p.creditcheck_ico IS NOT NULL AND COALESCE(s.defunct, false) AS defunct
                  FROM res_partner p
             LEFT JOIN creditcheck_status s ON s.country = p.creditcheck_country AND s.ico = p.creditcheck_ico
                 WHERE {where}
            )
            UPDATE res_partner p
               SET creditcheck_previous_state = p.creditcheck_state,
                   creditcheck_previous_record_id = p.creditcheck_record_id,
                   creditcheck_state = w.state,
                   creditcheck_record_id = w.record_id,
                   creditcheck_defunct = w.defunct,
                   creditcheck_change_date = now() at time zone 'UTC',
                   creditcheck_notify_pending = COALESCE(p.creditcheck_notify_pending, false)
                       OR NOT (p.creditcheck_state = 'grey' AND w.state IN ('green', 'grey')),
                   creditcheck_digest_pending = COALESCE(p.creditcheck_digest_pending, false)
                       OR (p.creditcheck_state <> 'grey' AND p.creditcheck_state IS DISTINCT FROM w.state)
              FROM wanted w
             WHERE p.id = w.id
               AND (p.creditcheck_state IS DISTINCT FROM w.state
                    OR p.creditcheck_record_id IS DISTINCT FROM w.record_id
                    OR p.creditcheck_defunct IS DISTINCT FROM w.defunct)
            """,  # noqa: S608 - ``where`` is one of two fixed strings
            params,
        )
        changed = self.env.cr.rowcount
        self.env["res.partner"].invalidate_model(
            [
                "creditcheck_state",
                "creditcheck_previous_state",
                "creditcheck_previous_record_id",
                "creditcheck_record_id",
                "creditcheck_defunct",
                "creditcheck_change_date",
                "creditcheck_notify_pending",
                "creditcheck_digest_pending",
                "creditcheck_badge",
            ]
        )
        return changed

    def _creditcheck_lang(self):
        """The language of the person a CreditCheck note about this partner is for.

        The salesperson's, else that of the partner's company (or the current one).
        """
        self.ensure_one()
        user = self.user_id or self.commercial_partner_id.user_id
        company = self.company_id or self.env.company
        return user.lang or company.partner_id.lang or self.env.lang or "en_US"

    def _creditcheck_post_change(self):
        """The chatter message of a status or record ID change (queued by the sync), in its reader's language."""
        for partner in self:
            partner = partner.with_context(lang=partner._creditcheck_lang())
            env = partner.env
            names = dict(self._fields["creditcheck_state"]._description_selection(env))
            new = names.get(partner.creditcheck_state)
            record, previous_record = partner.creditcheck_record_id, partner.creditcheck_previous_record_id
            defunct_note = True
            if partner.creditcheck_previous_state != partner.creditcheck_state:
                text = env._(
                    "CreditCheck status changed from %(old)s to %(new)s.",
                    old=names.get(partner.creditcheck_previous_state, "-"),
                    new=new,
                )
            elif record and record != previous_record:
                text = env._(
                    "CreditCheck has a new record (%(record)s) with the same status %(new)s.", record=record, new=new
                )
            elif record != previous_record:
                text = env._("CreditCheck no longer names a record of this subject; the status stays %(new)s.", new=new)
            elif partner.creditcheck_defunct:
                defunct_note = False
                text = env._(
                    "CreditCheck lists the subject as defunct (zaniklý subjekt); the status stays %(new)s.", new=new
                )
            else:
                defunct_note = False
                text = env._(
                    "The subject is no longer on CreditCheck's list of defunct subjects; the status stays %(new)s.",
                    new=new,
                )
            if partner.creditcheck_defunct and defunct_note:
                text += " " + env._("The subject is defunct (zaniklý subjekt).")
            partner.message_post(body=Markup("<p>%s</p>") % text, subtype_xmlid="mail.mt_note")
        self.write({"creditcheck_notify_pending": False})

    @api.model
    def _cron_creditcheck_notify(self):
        """Chatter messages and activities for changed partners and new events, in batches."""
        partners = self.sudo()
        events = self.env["creditcheck.event"].sudo()
        pending = partners.search([("creditcheck_notify_pending", "=", True)], limit=NOTIFY_BATCH)
        pending._creditcheck_post_change()
        new_events = events.search([("notified", "=", False)], order="id", limit=NOTIFY_BATCH)
        new_events._notify_partners()
        remaining = partners.search_count([("creditcheck_notify_pending", "=", True)]) + events.search_count(
            [("notified", "=", False)]
        )
        self.env["ir.cron"]._notify_progress(done=len(pending) + len(new_events), remaining=remaining)
        self.env["creditcheck.sync"]._record_job("notify", done=len(pending) + len(new_events), remaining=remaining)
        if remaining:
            self.env.ref("creditcheck_semaphore.ir_cron_creditcheck_semaphore_notify")._trigger()
        return remaining

    # -- actions -------------------------------------------------------------------------

    def _creditcheck_check_user(self, group="creditcheck_semaphore.group_creditcheck_user"):
        if not self.env.user.has_group(group):
            raise AccessError(self.env._("This is for CreditCheck users only."))
        self.check_access("read")

    def _creditcheck_subject_partners(self):
        """Every partner of this commercial entity's subject in its company (the shared ones for a shared one)."""
        self.ensure_one()
        entity = self.commercial_partner_id
        return self.sudo().search(
            [
                ("creditcheck_ico", "=", entity.creditcheck_ico),
                ("creditcheck_country", "=", entity.creditcheck_country),
                ("company_id", "=", entity.company_id.id),
            ]
        )

    def _creditcheck_set_acknowledged(self, record, from_events=False):
        """Acknowledge ``record`` (or undo the acknowledgement: ``record`` False) for this entity's subject.

        Every commercial entity of the subject in the entity's company follows, and
        so do its events: acknowledging the status acknowledges the events up to its
        record; undoing it brings back the events it acknowledged and the event of
        the record.  ``from_events``: the events themselves were just (un)acknowledged.
        """
        self.ensure_one()
        entity = self.commercial_partner_id
        previous = entity.creditcheck_ack_record_id
        entity._creditcheck_subject_partners().write(
            {
                "creditcheck_ack_record_id": record or False,
                "creditcheck_ack_user_id": self.env.uid if record else False,
                "creditcheck_ack_date": fields.Datetime.now() if record else False,
            }
        )
        if from_events:
            return
        events = self.env["creditcheck.event"]._of_subject(
            entity.company_id, entity.creditcheck_country, entity.creditcheck_ico
        )
        if record:
            events.filtered(
                lambda event: not event.acknowledged and event._record_number() <= int(record)
            )._set_acknowledged(True, with_status=True)
        elif previous:
            events.filtered(
                lambda event: event.acknowledged and (event.acknowledged_with_status or event.record_id == previous)
            )._set_acknowledged(False)

    def action_creditcheck_acknowledge(self):
        """Acknowledge the current orange or red record: the badge keeps its colour, marked acknowledged.

        No more alerts until a new record arrives.  For every commercial entity of
        the subject in the partner's company (the shared partners for a shared one),
        never in another company; the subject's events up to the record follow.
        """
        self._creditcheck_check_user()
        for entity in self.commercial_partner_id:
            if entity.creditcheck_state not in ("orange", "red") or not entity.creditcheck_record_id:
                continue
            if entity._creditcheck_acknowledged():
                continue
            entity._creditcheck_set_acknowledged(entity.creditcheck_record_id)
            entity._creditcheck_note_acknowledgement(entity.creditcheck_record_id)
        return True

    def _creditcheck_note_acknowledgement(self, record, undone=False):
        """The chatter note of an acknowledgement of ``record`` (or of its undoing) on this entity."""
        self.ensure_one()
        if undone:
            body = self.env._("Acknowledgement of CreditCheck record %(record)s undone.", record=record)
        else:
            body = self.env._(
                "CreditCheck record %(record)s acknowledged: the status stays shown, marked acknowledged, "
                "without alerts until a new record arrives.",
                record=record,
            )
        self.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")

    def action_creditcheck_unacknowledge(self):
        """Undo the acknowledgement of the current record: the status alerts again, its events are to acknowledge."""
        self._creditcheck_check_user()
        for entity in self.commercial_partner_id:
            if not entity._creditcheck_acknowledged():
                continue
            record = entity.creditcheck_ack_record_id
            entity._creditcheck_set_acknowledged(False)
            entity._creditcheck_note_acknowledgement(record, undone=True)
        return True

    def action_creditcheck_check_now(self):
        """Ask CreditCheck about this subject now (GetCreditCheckIc, 200 calls a day) and say what changed."""
        self.ensure_one()
        self._creditcheck_check_user()
        entity = self.commercial_partner_id
        if not entity.creditcheck_ico:
            raise UserError(self.env._("This partner has no valid Czech or Slovak IČO."))
        before = (entity.creditcheck_state, entity.creditcheck_record_id)
        _log, left = self.env["creditcheck.sync"]._run_single(entity.creditcheck_country, entity.creditcheck_ico)
        entity.invalidate_recordset()
        names = dict(self._fields["creditcheck_state"]._description_selection(self.env))
        state = names.get(entity.creditcheck_state)
        unchanged = (entity.creditcheck_state, entity.creditcheck_record_id) == before
        if unchanged:
            message = self.env._(
                "%(partner)s checked: nothing changed, the status is still %(state)s. "
                "%(left)s checks left in 24 hours.",
                partner=entity.display_name,
                state=state,
                left=left,
            )
        elif entity.creditcheck_state != before[0]:
            message = self.env._(
                "%(partner)s checked: the status changed from %(old)s to %(state)s. %(left)s checks left in 24 hours.",
                partner=entity.display_name,
                old=names.get(before[0]),
                state=state,
                left=left,
            )
        else:
            message = self.env._(
                "%(partner)s checked: the status is still %(state)s, with a new record. "
                "%(left)s checks left in 24 hours.",
                partner=entity.display_name,
                state=state,
                left=left,
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("CreditCheck"),
                "message": message,
                "type": "info" if unchanged else "warning",
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_creditcheck_events(self):
        self.ensure_one()
        entity = self.commercial_partner_id
        action = self.env["ir.actions.act_window"]._for_xml_id("creditcheck_semaphore.creditcheck_event_action")
        action["domain"] = [
            ("ico", "=", entity.creditcheck_ico),
            ("country", "=", entity.creditcheck_country),
            ("company_id", "=", entity.company_id.id),
        ]
        action["context"] = {"search_default_not_acknowledged": 1}
        return action

    def action_creditcheck_deactivate(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Deactivate the CreditCheck semaphore"),
            "res_model": "creditcheck.deactivate.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_creditcheck_reactivate(self):
        self._creditcheck_check_user("creditcheck_semaphore.group_creditcheck_manager")
        deactivations = self.env["creditcheck.deactivation"]
        for partner in self:
            deactivations |= deactivations._of_partner(partner)
        deactivations.action_archive()
        return True

    # -- alerts ------------------------------------------------------------------------

    def _creditcheck_is_risky(self, company=None):
        """True when the commercial partner shows an orange/red badge at or above ``company``'s alert level."""
        self.ensure_one()
        level = (company or self.env.company).sudo().creditcheck_alert_level or "red"
        return self.commercial_partner_id.creditcheck_badge in RISK_LEVELS.get(level, ("red",))
