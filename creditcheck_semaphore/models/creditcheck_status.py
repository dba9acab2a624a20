import logging
import time

import psycopg2
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.modules import module as odoo_module

from ..clients import CreditcheckError, ParseReport
from ..clients.creditcheck_parser import byte_chunks, iter_answer_lines

_logger = logging.getLogger(__name__)

COUNTRIES = [("cz", "Czech Republic"), ("sk", "Slovakia")]
STATES = [("grey", "Grey"), ("green", "Green"), ("orange", "Orange"), ("red", "Red")]
STATUS_STATE = {1: "green", 2: "orange", 3: "red"}
METHODS = {
    # kind: (plain method, compressed method)
    "complete": ("GetCreditChecks", "GetCreditChecksCompressed"),
    "changes": ("GetCreditChecksBatch", "GetCreditChecksBatchCompressed"),
    "defunct": ("GetZanikleSubjektyCompressed", "GetZanikleSubjektyCompressed"),
}
NOTIFY_BATCH = 200
COPY_BUFFER = 256 * 1024


class _LineFile:
    """A read()-able view of status lines as PostgreSQL COPY text, for ``copy_expert``.

    psycopg2 turns an exception raised in ``read`` into a cancelled COPY; the
    original error is kept in ``error`` so that the caller can raise it.
    """

    def __init__(self, lines):
        self._lines = iter(lines)
        self._buffer = ""
        self.count = 0
        self.error = None

    def read(self, size=COPY_BUFFER):  # pylint: disable=method-required-super
        # (a file-like read() for psycopg2, not the ORM's)
        try:
            return self._read(size)
        except (CreditcheckError, UserError) as exc:
            self.error = exc
            raise

    def _read(self, size):
        size = size if size and size > 0 else COPY_BUFFER
        parts, length = [self._buffer], len(self._buffer)
        for line in self._lines:
            text = f"{line.record_id}\t{line.ico}\t{line.status}\n"
            parts.append(text)
            length += len(text)
            self.count += 1
            if length >= size:
                break
        data = "".join(parts)
        self._buffer = data[size:]
        return data[:size]

    readline = read


class CreditcheckStatus(models.Model):
    """CreditCheck's current status per IČO: one row per subject that is not green.

    Rows are written in bulk by the synchronisations (COPY into a temporary table,
    then one statement per step); a subject without a row is green.
    """

    _name = "creditcheck.status"
    _description = "CreditCheck Status of a Subject"
    _order = "country, ico"
    _rec_name = "ico"

    country = fields.Selection(COUNTRIES, required=True, readonly=True, index=True)
    ico = fields.Char(string="IČO", size=8, required=True, readonly=True)
    status = fields.Integer(readonly=True, help="1 green, 2 orange, 3 red.")
    record_id = fields.Char(string="Record ID", readonly=True)
    defunct = fields.Boolean(string="Defunct Subject", readonly=True)

    _sql_constraints = [
        ("ico_uniq", "unique(country, ico)", "One CreditCheck status per subject and country."),
    ]

    # -- running a synchronisation ----------------------------------------------------

    @api.model
    def _use_compressed(self):
        value = self.env["ir.config_parameter"].sudo().get_param("creditcheck_semaphore.compressed", "True")
        return value not in ("0", "False", "false", "")

    @api.model
    def _run(self, country, kind, answer=None, compressed=None):
        """One synchronisation of ``kind`` (complete, changes, defunct) for ``country``.

        ``answer``: the bytes of a SOAP answer already at hand (a stored download) to
        apply instead of calling CreditCheck.  The work runs in a savepoint: a fault,
        a refused login or a bad payload rolls every stored status back and leaves a
        failed sync log with the error.
        """
        compressed = self._use_compressed() if compressed is None else compressed
        method = METHODS[kind][1 if compressed else 0]
        log = self.env["creditcheck.sync.log"].sudo().create({"country": country, "kind": kind, "method": method})
        report = ParseReport()
        lines = None
        if answer is not None:
            max_size = self.env["creditcheck.service"]._max_decompressed()
            lines = iter_answer_lines(byte_chunks(answer), method.endswith("Compressed"), report, max_size)
        started = time.monotonic()
        try:
            with self.env.cr.savepoint():
                applied, changed = getattr(self, f"_apply_{kind}")(country, method, report, lines=lines)
        except (CreditcheckError, UserError) as exc:
            _logger.warning("CreditCheck %s sync of %s failed: %s", kind, country, exc)
            log._finish(report, error=str(exc))
            self.env["res.partner"].invalidate_model()
            return log
        log._finish(report, applied=applied, changed=changed, seconds=time.monotonic() - started)
        if changed or kind == "changes":
            cron = self.env.ref("creditcheck_semaphore.ir_cron_creditcheck_semaphore_notify", raise_if_not_found=False)
            if cron:
                cron._trigger()
        return log

    def _load(self, country, method, report, last_id=None, lines=None):
        """Stream the lines of ``method`` (or ``lines``) into the temporary table creditcheck_load."""
        cr = self.env.cr
        cr.execute("DROP TABLE IF EXISTS creditcheck_load")
        cr.execute(
            "CREATE TEMP TABLE creditcheck_load"
            " (record_id bigint NOT NULL, ico varchar(8) NOT NULL, status smallint NOT NULL)"
        )
        if lines is None:
            lines = self.env["creditcheck.service"]._iter_lines(country, method, report, last_id=last_id)
        source = _LineFile(lines)
        try:
            cr.copy_expert("COPY creditcheck_load (record_id, ico, status) FROM STDIN", source)
        except psycopg2.Error:
            if source.error is not None:
                raise source.error from None
            raise
        cr.execute("ANALYZE creditcheck_load")

    def _apply_complete(self, country, method, report, lines=None):
        self._load(country, method, report, lines=lines)
        cr = self.env.cr
        self._dedupe_load()
        params = {"country": country, "uid": self.env.uid}
        # Set-based, in three hash joins: changed rows, new rows, rows gone (green again).
        # A defunct subject keeps its red whatever the daily list says.
        cr.execute(
            """
            UPDATE creditcheck_status s
               SET status = l.status, record_id = l.record_id::varchar, write_date = now() at time zone 'UTC',
                   write_uid = %(uid)s
              FROM creditcheck_load l
             WHERE s.country = %(country)s AND s.ico = l.ico AND NOT s.defunct
               AND (s.status, s.record_id) IS DISTINCT FROM (l.status::int4, l.record_id::varchar)
            """,
            params,
        )
        self._insert_new_subjects(country, defunct=False)
        cr.execute(
            """
            DELETE FROM creditcheck_status s
             WHERE s.country = %s AND NOT s.defunct
               AND NOT EXISTS (SELECT 1 FROM creditcheck_load l WHERE l.ico = s.ico)
            """,
            [country],
        )
        cr.execute("SELECT count(*) FROM creditcheck_load")
        applied = cr.fetchone()[0]
        return applied, self.env["res.partner"]._creditcheck_apply_status(country)

    def _insert_new_subjects(self, country, defunct):
        """A status row for each subject of creditcheck_load that has none yet.

        From the complete list a row takes the line's status and record ID; from the
        defunct list it is red, defunct and without a record ID.
        """
        cr = self.env.cr
        params = {"country": country, "uid": self.env.uid, "defunct": defunct}
        # The new subjects are selected first: an INSERT whose anti-join reads the table
        # it inserts into can end up rescanning its own new rows, line after line.
        cr.execute("DROP TABLE IF EXISTS creditcheck_new")
        cr.execute(
            """
            CREATE TEMP TABLE creditcheck_new AS
            SELECT l.ico, l.status, l.record_id
              FROM creditcheck_load l
             WHERE NOT EXISTS (SELECT 1 FROM creditcheck_status s WHERE s.country = %(country)s AND s.ico = l.ico)
            """,
            params,
        )
        cr.execute(
            """
            INSERT INTO creditcheck_status (country, ico, status, record_id, defunct,
                                            create_uid, write_uid, create_date, write_date)
            SELECT %(country)s, n.ico,
                   CASE WHEN %(defunct)s THEN 3 ELSE n.status END,
                   CASE WHEN %(defunct)s THEN NULL ELSE n.record_id::varchar END,
                   %(defunct)s, %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
              FROM creditcheck_new n
            """,
            params,
        )
        cr.execute("DROP TABLE creditcheck_new")

    def _dedupe_load(self):
        """Keep one line per IČO in creditcheck_load, the one with the highest record ID."""
        cr = self.env.cr
        cr.execute("SELECT 1 FROM creditcheck_load GROUP BY ico HAVING count(*) > 1 LIMIT 1")
        if cr.fetchone():
            cr.execute(
                """
                DELETE FROM creditcheck_load a
                 USING creditcheck_load b
                 WHERE a.ico = b.ico AND (a.record_id, a.ctid) < (b.record_id, b.ctid)
                """
            )

    def _apply_defunct(self, country, method, report, lines=None):
        self._load(country, method, report, lines=lines)
        cr = self.env.cr
        # Revived: defunct before, not in this list.  Back to green until the next complete list.
        cr.execute(
            """
            DELETE FROM creditcheck_status s
             WHERE s.country = %s AND s.defunct
               AND NOT EXISTS (SELECT 1 FROM creditcheck_load l WHERE l.ico = s.ico)
            """,
            [country],
        )
        self._dedupe_load()
        params = {"country": country, "uid": self.env.uid}
        # Known subjects become red and defunct; new ones are added (hash joins, as for
        # the complete list).
        cr.execute(
            """
            UPDATE creditcheck_status s
               SET status = 3, defunct = true, write_date = now() at time zone 'UTC', write_uid = %(uid)s
              FROM creditcheck_load l
             WHERE s.country = %(country)s AND s.ico = l.ico AND NOT (s.defunct AND s.status = 3)
            """,
            params,
        )
        self._insert_new_subjects(country, defunct=True)
        cr.execute("SELECT count(*) FROM creditcheck_load")
        applied = cr.fetchone()[0]
        return applied, self.env["res.partner"]._creditcheck_apply_status(country)

    def _apply_changes(self, country, method, report, lines=None):
        params = self.env["ir.config_parameter"].sudo()
        key = f"creditcheck_semaphore.last_record_id_{country}"
        last_id = int(params.get_param(key, "0") or 0)
        self._load(country, method, report, last_id=last_id, lines=lines)
        cr = self.env.cr
        # Every partial record above the last processed ID is an event of the partners
        # with that IČO; the current status is not derived from them.
        cr.execute(
            """
            INSERT INTO creditcheck_event (country, ico, record_id, state, notified, acknowledged,
                                           create_uid, write_uid, create_date, write_date)
            SELECT %(country)s, l.ico, l.record_id::varchar,
                   CASE l.status WHEN 3 THEN 'red' WHEN 2 THEN 'orange' ELSE 'green' END,
                   false, false, %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC'
              FROM creditcheck_load l
             WHERE l.record_id > %(last)s
               AND EXISTS (SELECT 1 FROM res_partner p
                            WHERE p.creditcheck_ico = l.ico AND p.creditcheck_country = %(country)s AND p.active)
            ON CONFLICT (country, ico, record_id) DO NOTHING
            """,
            {"country": country, "uid": self.env.uid, "last": last_id},
        )
        created = cr.rowcount
        cr.execute("SELECT max(record_id) FROM creditcheck_load")
        highest = cr.fetchone()[0]
        if highest and highest > last_id:
            params.set_param(key, str(highest))
        self.env["creditcheck.event"].invalidate_model()
        return created, created

    @api.model
    def _run_single(self, country, ico):
        """GetCreditCheckIc for one subject (200 calls a day): its current status, now.

        The current status is the highest of the subject's records, with the newest
        record ID of that status; no record means green.  A defunct subject stays red.
        Raises UserError with CreditCheck's reason when the call fails.
        """
        log = (
            self.env["creditcheck.sync.log"]
            .sudo()
            .create({"country": country, "kind": "single", "method": "GetCreditCheckIc"})
        )
        started = time.monotonic()
        try:
            lines, report = self.env["creditcheck.service"]._get_client(country).get_credit_check_ic(ico)
        except CreditcheckError as exc:
            log._finish(ParseReport(), error=str(exc))
            raise UserError(
                self.env._("CreditCheck could not be asked about IČO %(ico)s: %(error)s", ico=ico, error=exc.message)
            ) from exc
        lines = [line for line in lines if line.ico == ico]
        cr = self.env.cr
        if lines:
            top = max(line.status for line in lines)
            record_id = max(line.record_id for line in lines if line.status == top)
            cr.execute(
                """
                INSERT INTO creditcheck_status (country, ico, status, record_id, defunct,
                                                create_uid, write_uid, create_date, write_date)
                VALUES (%(country)s, %(ico)s, %(status)s, %(record)s, false,
                        %(uid)s, %(uid)s, now() at time zone 'UTC', now() at time zone 'UTC')
                ON CONFLICT (country, ico) DO UPDATE
                   SET status = EXCLUDED.status, record_id = EXCLUDED.record_id, write_date = EXCLUDED.write_date
                 WHERE NOT creditcheck_status.defunct
                """,
                {"country": country, "ico": ico, "status": top, "record": str(record_id), "uid": self.env.uid},
            )
        else:
            cr.execute("DELETE FROM creditcheck_status WHERE country = %s AND ico = %s AND NOT defunct", [country, ico])
        partners = (
            self.env["res.partner"]
            .sudo()
            .search([("creditcheck_ico", "=", ico), ("creditcheck_country", "=", country)])
        )
        changed = partners._creditcheck_apply_status(checked=True)
        log._finish(report, applied=1, changed=changed, seconds=time.monotonic() - started)
        return log

    # -- crons -------------------------------------------------------------------

    @api.model
    def _countries(self):
        value = self.env["ir.config_parameter"].sudo().get_param("creditcheck_semaphore.countries", "cz,sk")
        return [code for code in (value or "").replace(" ", "").split(",") if code in ("cz", "sk")]

    @api.model
    def _run_countries(self, kind, countries):
        """Run ``kind`` for each country, one per batch, committing in between."""
        countries = list(countries)
        for done, country in enumerate(countries, start=1):
            self._run(country, kind)
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(countries) - done)
            self._commit()

    @api.model
    def _commit(self):
        # A cron commits after each country so that one country's result and log stay
        # when the next one fails or the worker is stopped; never inside tests.
        if not odoo_module.current_test and not self.env.context.get("creditcheck_no_commit"):
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _cron_refresh(self):
        self._run_countries("complete", self._countries())

    @api.model
    def _cron_track_changes(self):
        self._run_countries("changes", self._countries())

    @api.model
    def _defunct_due(self, country):
        params = self.env["ir.config_parameter"].sudo()
        per_year = min(max(int(params.get_param("creditcheck_semaphore.defunct_per_year", "2") or 2), 1), 4)
        last = (
            self.env["creditcheck.sync.log"]
            .sudo()
            .search(
                [("country", "=", country), ("kind", "=", "defunct"), ("state", "=", "done")],
                order="date_start desc",
                limit=1,
            )
        )
        return not last or (fields.Datetime.now() - last.date_start).days >= 365 // per_year

    @api.model
    def _cron_defunct(self):
        self._run_countries("defunct", [country for country in self._countries() if self._defunct_due(country)])

    @api.model
    def action_fetch_defunct(self):
        """On demand, for administrators: the defunct lists now, outside the plan."""
        if not self.env.user.has_group("creditcheck_semaphore.group_creditcheck_manager"):
            raise UserError(self.env._("Only CreditCheck administrators fetch the defunct list."))
        logs = self.env["creditcheck.sync.log"]
        for country in self._countries():
            logs |= self._run(country, "defunct")
        return logs._action_show()

    @api.model
    def action_refresh_now(self):
        if not self.env.user.has_group("creditcheck_semaphore.group_creditcheck_manager"):
            raise UserError(self.env._("Only CreditCheck administrators run the synchronisation."))
        logs = self.env["creditcheck.sync.log"]
        for country in self._countries():
            logs |= self._run(country, "complete")
            logs |= self._run(country, "changes")
        return logs._action_show()

    @api.model
    def _cron_notify(self):
        """Chatter messages and activities for changed partners and new events, in batches."""
        partners = self.env["res.partner"].sudo()
        events = self.env["creditcheck.event"].sudo()
        pending = partners.search([("creditcheck_notify_pending", "=", True)], limit=NOTIFY_BATCH)
        pending._creditcheck_post_change()
        new_events = events.search([("notified", "=", False)], order="id", limit=NOTIFY_BATCH)
        new_events._notify_partners()
        remaining = partners.search_count([("creditcheck_notify_pending", "=", True)]) + events.search_count(
            [("notified", "=", False)]
        )
        self.env["ir.cron"]._notify_progress(done=len(pending) + len(new_events), remaining=remaining)
        if remaining:
            self.env.ref("creditcheck_semaphore.ir_cron_creditcheck_semaphore_notify")._trigger()
        return remaining

    @api.model
    def _cron_digest(self):
        """One mail a day to CreditCheck administrators, only when something changed.

        "Changed" is a partner whose colour changed since the last digest (a first
        status after grey does not count) or a new change event.
        """
        params = self.env["ir.config_parameter"].sudo()
        last_event = int(params.get_param("creditcheck_semaphore.digest_last_event_id", "0") or 0)
        events = self.env["creditcheck.event"].sudo().search([("id", ">", last_event)])
        partners = self.env["res.partner"].sudo().search([("creditcheck_digest_pending", "=", True)])
        if events:
            params.set_param("creditcheck_semaphore.digest_last_event_id", str(max(events.ids)))
        partners.write({"creditcheck_digest_pending": False})
        if not events and not partners:
            return False
        group = self.env.ref("creditcheck_semaphore.group_creditcheck_manager")
        recipients = group.users.filtered(lambda user: user.email and user.active)
        if not recipients:
            return False
        names = dict(self.env["res.partner"]._fields["creditcheck_state"]._description_selection(self.env))
        rows = [
            Markup("<li>%s: %s → %s</li>")
            % (partner.name, names.get(partner.creditcheck_previous_state, "-"), names[partner.creditcheck_state])
            for partner in partners[:200]
        ]
        body = Markup("<p>%s</p><ul>%s</ul><p>%s</p>") % (
            self.env._(
                "CreditCheck: %(partners)s partners changed status, %(events)s new events.",
                partners=len(partners),
                events=len(events),
            ),
            Markup("").join(rows),
            self.env._("CreditCheck statuses are information from CreditCheck, for information only."),
        )
        return (
            self.env["mail.mail"]
            .sudo()
            .create(
                {
                    "subject": self.env._("CreditCheck daily digest"),
                    "body_html": body,
                    "email_to": ",".join(recipients.mapped("email_formatted")),
                    "auto_delete": False,
                }
            )
        )
