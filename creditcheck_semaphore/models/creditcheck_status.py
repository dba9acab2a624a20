import psycopg2

from odoo import api, fields, models

COUNTRIES = [("cz", "Czech Republic"), ("sk", "Slovakia")]
STATES = [("grey", "Grey"), ("green", "Green"), ("orange", "Orange"), ("red", "Red")]
STATUS_STATE = {1: "green", 2: "orange", 3: "red"}
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
        except Exception as exc:
            self.error = exc  # raised again by the caller in place of psycopg2's "COPY failed"
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

    Rows are written in bulk by the synchronisations (``creditcheck.sync``): the
    lines are copied into a temporary table (``_load``), then applied with one
    statement per step.  A subject without a row is green.
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

    @api.model
    def _run(self, country, kind):
        """A synchronisation run: ``creditcheck.sync._run``, under the name scripts used before (make demo)."""
        return self.env["creditcheck.sync"]._run(country, kind)

    @api.model
    def _load(self, lines):
        """Stream status lines into the temporary table creditcheck_load; returns the lines kept.

        One line per IČO is kept, the one with the highest record ID.
        """
        cr = self.env.cr
        cr.execute("DROP TABLE IF EXISTS creditcheck_load")
        cr.execute(
            "CREATE TEMP TABLE creditcheck_load"
            " (record_id bigint NOT NULL, ico varchar(8) NOT NULL, status smallint NOT NULL)"
        )
        source = _LineFile(lines)
        try:
            cr.copy_expert("COPY creditcheck_load (record_id, ico, status) FROM STDIN", source)
        except psycopg2.Error:
            if source.error is not None:
                raise source.error from None
            raise
        cr.execute("ANALYZE creditcheck_load")
        return source.count

    @api.model
    def _dedupe_load(self):
        """Keep one line per IČO in creditcheck_load, the one with the highest record ID; returns the subjects."""
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
        cr.execute("SELECT count(*) FROM creditcheck_load")
        return cr.fetchone()[0]

    @api.model
    def _apply_complete(self, country, subjects=None):
        """creditcheck_load holds the complete list of ``country``: make the statuses match it.

        ``subjects``: what ``_dedupe_load`` returned, when it ran already.
        Returns (subjects applied, partners changed).
        """
        cr = self.env.cr
        if subjects is None:
            subjects = self._dedupe_load()
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
        return subjects, self.env["res.partner"]._creditcheck_apply_status(country)

    @api.model
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

    @api.model
    def _apply_defunct(self, country):
        """creditcheck_load holds the defunct list of ``country``: flag them red, revive the others."""
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
        subjects = self._dedupe_load()
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
        return subjects, self.env["res.partner"]._creditcheck_apply_status(country)

    @api.model
    def _apply_single(self, country, ico, lines):
        """The answer of GetCreditCheckIc for one subject: its current status; returns partners changed.

        The current status is the highest of the subject's records, with the newest
        record ID of that status; no record means green.  A defunct subject stays red.
        """
        cr = self.env.cr
        lines = [line for line in lines if line.ico == ico]
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
        return partners._creditcheck_apply_status(checked=True)
