from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError

from .creditcheck_status import COUNTRIES, STATES

DIGEST_ROWS = 200


class CreditcheckEvent(models.Model):
    """A partial CreditCheck record (GetCreditChecksBatch) of a subject among a company's partners.

    One event per record and company whose partners have that IČO; the partners
    shared by every company (no company) have events without a company.
    """

    _name = "creditcheck.event"
    _description = "CreditCheck Change Event"
    _order = "id desc"
    _rec_name = "record_id"

    company_id = fields.Many2one("res.company", readonly=True, index=True)
    country = fields.Selection(COUNTRIES, required=True, readonly=True, index=True)
    ico = fields.Char(string="IČO", required=True, readonly=True, index=True)
    record_id = fields.Char(string="Record ID", required=True, readonly=True)
    state = fields.Selection(STATES, string="Status", readonly=True)
    partner_ids = fields.Many2many("res.partner", string="Partners", compute="_compute_partner_ids")
    notified = fields.Boolean(readonly=True, index=True)
    acknowledged = fields.Boolean(readonly=True, index=True)
    acknowledged_by = fields.Many2one("res.users", readonly=True)
    acknowledged_on = fields.Datetime(readonly=True)
    acknowledged_with_status = fields.Boolean(
        string="Acknowledged with the Status",
        readonly=True,
        help="Acknowledged together with the partner's status; undoing that brings it back.",
    )

    def init(self):
        # One event per record and company; the events of shared partners (no company) count as one company.
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS creditcheck_event_record_company_uniq
                ON creditcheck_event (COALESCE(company_id, 0), country, ico, record_id)
            """
        )

    def _partners_domain(self):
        self.ensure_one()
        return [
            ("creditcheck_ico", "=", self.ico),
            ("creditcheck_country", "=", self.country),
            ("company_id", "=", self.company_id.id),
        ]

    def _compute_partner_ids(self):
        partners = self.env["res.partner"].search(
            [("creditcheck_ico", "in", list(set(self.mapped("ico")))), ("creditcheck_ico", "!=", False)]
        )
        for event in self:
            event.partner_ids = partners.filtered(
                lambda p, e=event: p.creditcheck_ico == e.ico
                and p.creditcheck_country == e.country
                and p.company_id == e.company_id
            )

    @api.model
    def _create_from_load(self, country, last_id):
        """Events of the records above ``last_id`` in creditcheck_load; returns (created, highest record ID).

        Every partial record is an event of each company whose partners have that
        IČO; the current status is not derived from them.
        """
        cr = self.env.cr
        cr.execute(
            """
            INSERT INTO creditcheck_event (company_id, country, ico, record_id, state, notified, acknowledged,
                                           create_uid, write_uid, create_date, write_date)
            SELECT DISTINCT p.company_id, %(country)s, l.ico, l.record_id::varchar,
                   CASE l.status WHEN 3 THEN 'red' WHEN 2 THEN 'orange' ELSE 'green' END,
                   false, false, %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
              FROM creditcheck_load l
              JOIN res_partner p ON p.creditcheck_ico = l.ico AND p.creditcheck_country = %(country)s AND p.active
             WHERE l.record_id > %(last)s
            ON CONFLICT DO NOTHING
            """,
            {"country": country, "uid": self.env.uid, "last": last_id},
        )
        created = cr.rowcount
        cr.execute("SELECT max(record_id) FROM creditcheck_load")
        highest = cr.fetchone()[0]
        self.invalidate_model()
        return created, highest

    @api.model
    def _of_subject(self, company, country, ico):
        """The events of a subject in ``company`` (of the shared partners: no company)."""
        return self.sudo().search([("company_id", "=", company.id), ("country", "=", country), ("ico", "=", ico)])

    def _record_number(self):
        self.ensure_one()
        return int(self.record_id) if (self.record_id or "").isdigit() else 0

    def _set_acknowledged(self, acknowledged, with_status=False):
        if not acknowledged:
            fields_off = ("acknowledged", "acknowledged_by", "acknowledged_on", "acknowledged_with_status")
            self.sudo().write(dict.fromkeys(fields_off, False))
            return
        self.sudo().write(
            {
                "acknowledged": True,
                "acknowledged_by": self.env.uid,
                "acknowledged_on": fields.Datetime.now(),
                "acknowledged_with_status": with_status,
            }
        )

    def _current_entities(self):
        """The commercial entities whose current CreditCheck record is this event's record."""
        self.ensure_one()
        return (
            self.env["res.partner"]
            .sudo()
            .search(self._partners_domain() + [("creditcheck_record_id", "=", self.record_id)])
            .filtered(lambda partner: partner.commercial_partner_id == partner)
        )

    def _check_user(self):
        if not self.env.user.has_group("creditcheck_semaphore.group_creditcheck_user"):
            raise AccessError(self.env._("Only CreditCheck users acknowledge events."))
        self.check_access("read")  # the record rules: only events of the user's companies

    def action_acknowledge(self):
        """Acknowledge events; the event of a partner's current record acknowledges its status too."""
        self._check_user()
        todo = self.filtered(lambda event: not event.acknowledged)
        todo._set_acknowledged(True)
        for event in todo:
            entity = event._current_entities()[:1]
            if entity and entity.creditcheck_state in ("orange", "red") and not entity._creditcheck_acknowledged():
                entity._creditcheck_set_acknowledged(event.record_id, from_events=True)
                entity._creditcheck_note_acknowledgement(event.record_id)
        return True

    def action_unacknowledge(self):
        """Undo: the events are to acknowledge again; a partner's status acknowledged with one of them too."""
        self._check_user()
        done = self.filtered("acknowledged")
        done._set_acknowledged(False)
        for event in done:
            entity = event._current_entities()[:1]
            if entity and entity.creditcheck_ack_record_id == event.record_id:
                entity._creditcheck_set_acknowledged(False, from_events=True)
                entity._creditcheck_note_acknowledgement(event.record_id, undone=True)
        return True

    def _notify_partners(self):
        """A chatter message and an activity for the salesperson, per partner of each event.

        Written in each salesperson's language (the partner's company's otherwise).
        """
        partners = self.env["res.partner"].sudo().search([("creditcheck_ico", "in", list(set(self.mapped("ico"))))])
        for event in self:
            for partner in partners.filtered(
                lambda p, e=event: p.creditcheck_ico == e.ico
                and p.creditcheck_country == e.country
                and p.company_id == e.company_id
            ):
                partner = partner.with_context(lang=partner._creditcheck_lang())
                env = partner.env
                state_names = dict(self._fields["state"]._description_selection(env))
                body = Markup("<p>%s</p>") % env._(
                    "New CreditCheck event %(record)s: %(state)s.",
                    record=event.record_id,
                    state=state_names.get(event.state, event.state),
                )
                partner.message_post(body=body, subtype_xmlid="mail.mt_note")
                if partner.user_id:
                    partner.activity_schedule(
                        "mail.mail_activity_data_todo",
                        summary=env._("CreditCheck: new event %s", event.record_id),
                        note=body,
                        user_id=partner.user_id.id,
                    )
        self.write({"notified": True})

    # -- the daily digest ---------------------------------------------------------------------

    @api.model
    def _cron_digest(self):
        """One mail a day per company to its CreditCheck administrators, only when something changed.

        "Changed" is a partner whose colour changed since the last digest (a first
        status after grey does not count) or a new change event.  A company's digest
        names only its own partners and the shared ones, and each administrator
        reads it in their language.  Returns the mails.
        """
        params = self.env["ir.config_parameter"].sudo()
        last_event = int(params.get_param("creditcheck_semaphore.digest_last_event_id", "0") or 0)
        events = self.sudo().search([("id", ">", last_event)])
        partners = self.env["res.partner"].sudo().search([("creditcheck_digest_pending", "=", True)])
        if events:
            params.set_param("creditcheck_semaphore.digest_last_event_id", str(max(events.ids)))
        partners.write({"creditcheck_digest_pending": False})
        mails = self.env["mail.mail"].sudo()
        if not events and not partners:
            self.env["creditcheck.sync"]._record_job("digest", mails=0)
            return mails
        managers = self.env.ref("creditcheck_semaphore.group_creditcheck_manager").users.filtered(
            lambda user: user.email and user.active
        )
        for company in self.env["res.company"].sudo().search([]):
            company_partners = partners.filtered(lambda p, c=company: not p.company_id or p.company_id == c)
            company_events = events.filtered(lambda e, c=company: not e.company_id or e.company_id == c)
            recipients = managers.filtered(lambda user, c=company: c in user.company_ids)
            if not (company_partners or company_events) or not recipients:
                continue
            by_lang = defaultdict(lambda: self.env["res.users"])
            for user in recipients:
                by_lang[user.lang or company.partner_id.lang or "en_US"] |= user
            for lang, users in by_lang.items():
                mails |= (
                    self.with_context(lang=lang)
                    .with_company(company)
                    ._digest_mail(company, company_partners, company_events, users)
                )
        self.env["creditcheck.sync"]._record_job("digest", mails=len(mails))
        return mails

    @api.model
    def _digest_mail(self, company, partners, events, users):
        env = self.env
        names = dict(env["res.partner"]._fields["creditcheck_state"]._description_selection(env))
        records = len({(event.country, event.ico, event.record_id) for event in events})
        rows = [
            Markup("<li>%s: %s → %s</li>")
            % (partner.name, names.get(partner.creditcheck_previous_state, "-"), names[partner.creditcheck_state])
            for partner in partners[:DIGEST_ROWS]
        ]
        body = Markup("<p>%s</p><ul>%s</ul><p>%s</p>") % (
            env._(
                "CreditCheck for %(company)s: %(partners)s partners changed status, %(events)s new events.",
                company=company.name,
                partners=len(partners),
                events=records,
            ),
            Markup("").join(rows),
            env._("CreditCheck statuses are information from CreditCheck, for information only."),
        )
        return (
            env["mail.mail"]
            .sudo()
            .create(
                {
                    "subject": env._("CreditCheck daily digest: %s", company.name),
                    "body_html": body,
                    "email_from": company.email_formatted or False,
                    "email_to": ",".join(users.mapped("email_formatted")),
                    "auto_delete": False,
                }
            )
        )
