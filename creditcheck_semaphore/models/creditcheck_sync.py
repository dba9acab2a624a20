import json
import logging
import tempfile
import time
import zlib
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.modules import module as odoo_module

from ..clients import CreditcheckError, ParseReport, iter_answer_lines
from ..clients.creditcheck_parser import CHUNK, byte_chunks

_logger = logging.getLogger(__name__)

METHODS = {
    # kind: (plain method, compressed method)
    "complete": ("GetCreditChecks", "GetCreditChecksCompressed"),
    "changes": ("GetCreditChecksBatch", "GetCreditChecksBatchCompressed"),
    "defunct": ("GetZanikleSubjektyCompressed", "GetZanikleSubjektyCompressed"),
}
# What a run of each kind locks, per country: its own kind, and the status table for
# the kinds that write it (a complete and a defunct list of one country never mix).
LOCKS = {
    "complete": ("complete", "statuses"),
    "defunct": ("defunct", "statuses"),
    "changes": ("changes",),
    "single": ("statuses",),
}
DEFAULT_HOLD_SHARE = 50
DEFAULT_SINGLE_LIMIT = 200
# "Test connection" asks for the records after the largest record ID the WSDL allows (s:long):
# CreditCheck checks the login and answers with an empty list.
MAX_RECORD_ID = 2**63 - 1
TEST_METHOD = "GetCreditChecksBatch"
JOB_PARAM = "creditcheck_semaphore.last_run_%s"


def _lock_key(text):
    """A signed 32-bit advisory lock key for ``text``."""
    return zlib.crc32(text.encode()) - 2**31


LOCK_NAMESPACE = _lock_key("creditcheck_semaphore")


class _HoldBack(Exception):
    """A complete list too short to apply without an administrator's confirmation."""

    def __init__(self, subjects, previous):
        super().__init__(subjects, previous)
        self.subjects = subjects
        self.previous = previous


def _file_chunks(file):
    file.seek(0)
    while chunk := file.read(CHUNK):
        yield chunk


class CreditcheckSync(models.AbstractModel):
    """The synchronisation runs: download, load, apply, log; one run per country and kind at a time.

    Each run takes PostgreSQL advisory locks (``LOCKS``) for its country in its
    transaction; a run that finds one taken is logged as skipped and does nothing.
    A run's work is done in a savepoint: an error rolls back every change and is
    logged in a transaction of its own, so that the failure stays on record even
    when the caller's transaction is rolled back.  A successful run's log is
    written with its changes, in the same transaction.
    """

    _name = "creditcheck.sync"
    _description = "CreditCheck Synchronisation"

    # -- settings ---------------------------------------------------------------------

    @api.model
    def _countries(self):
        value = self.env["ir.config_parameter"].sudo().get_param("creditcheck_semaphore.countries", "cz,sk")
        return [code for code in (value or "").replace(" ", "").split(",") if code in ("cz", "sk")]

    @api.model
    def _use_compressed(self):
        value = self.env["ir.config_parameter"].sudo().get_param("creditcheck_semaphore.compressed", "True")
        return value not in ("0", "False", "false", "")

    @api.model
    def _int_param(self, key, default, low, high):
        try:
            value = int(self.env["ir.config_parameter"].sudo().get_param(key, default))
        except (TypeError, ValueError):
            value = default
        return min(max(value, low), high)

    @api.model
    def _hold_share(self):
        """Below this share (percent) of the last applied complete list, a new one waits for confirmation."""
        return self._int_param("creditcheck_semaphore.hold_share", DEFAULT_HOLD_SHARE, 0, 100)

    # -- locks and logs -------------------------------------------------------------------

    @api.model
    def _try_lock(self, country, what):
        """Take the advisory lock of ``what`` for ``country`` until the end of the transaction."""
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, _lock_key(f"{country}:{what}")]
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _log_apart(self, values):
        """Create a sync log in a transaction of its own, committed at once.

        It stays when the caller's transaction is rolled back (a failed check raises
        to the user, a cron may die later).  Returns the log in this environment.
        """
        with self.env.registry.cursor() as cr:
            log = self.env(cr=cr)["creditcheck.sync.log"].sudo().create(values)
            log_id = log.id
        return self.env["creditcheck.sync.log"].browse(log_id)

    @api.model
    def _log_values(self, report, applied=0, changed=0, seconds=0.0):
        return {
            "date_end": fields.Datetime.now(),
            "duration": seconds,
            "lines_read": report.lines_read,
            "lines_rejected": report.rejected,
            "lines_applied": applied,
            "declared_count": report.declared_count or 0,
            "count_green": report.per_status.get(1, 0),
            "count_orange": report.per_status.get(2, 0),
            "count_red": report.per_status.get(3, 0),
            "partners_changed": changed,
            "rejects": report.rejects_text() or False,
            "payload_shape": report.shape_text() or False,
        }

    # -- one run ----------------------------------------------------------------------------

    @api.model
    def _run(self, country, kind, answer=None, held=None):
        """One synchronisation of ``kind`` (complete, changes, defunct) for ``country``; returns its log.

        ``answer``: the SOAP answer already at hand (bytes, or an open binary file)
        to apply instead of calling CreditCheck.  ``held``: a confirmed held-back
        log whose stored complete list is applied now (then its log is the run's).
        """
        method = METHODS[kind][1 if self._use_compressed() else 0]
        if held:
            method = held.method
        logs = self.env["creditcheck.sync.log"].sudo()
        base = {"country": country, "kind": kind, "method": method, "date_start": fields.Datetime.now()}
        busy = [what for what in LOCKS[kind] if not self._try_lock(country, what)]
        if busy:
            _logger.info("CreditCheck %s run of %s skipped: another run holds %s", kind, country, busy)
            return logs.create(
                dict(
                    base,
                    state="skipped",
                    date_end=fields.Datetime.now(),
                    note=self.env._(
                        "Skipped: another CreditCheck run of this country (%(what)s) was in progress.",
                        what=", ".join(busy),
                    ),
                )
            )
        report = ParseReport()
        if held:
            answer = held._held_answer()
        keep = tempfile.TemporaryFile() if kind == "complete" and answer is None else None
        started = time.monotonic()
        try:
            with self.env.cr.savepoint():
                lines = self._lines(country, kind, method, report, answer, keep)
                applied, changed = getattr(self, f"_apply_{kind}")(country, lines, report, confirmed=bool(held))
        except _HoldBack as hold:
            return self._hold(base, report, hold, keep, answer, time.monotonic() - started)
        except (CreditcheckError, UserError) as exc:
            _logger.warning("CreditCheck %s run of %s failed: %s", kind, country, exc)
            self.env["res.partner"].invalidate_model()
            if held:
                held.write({"state": "held", "note": self.env._("Applying it failed: %s", str(exc))})
            return self._log_apart(dict(base, state="failed", error=str(exc), **self._log_values(report)))
        except Exception as exc:
            self._log_apart(dict(base, state="failed", error=repr(exc), **self._log_values(report)))
            raise
        finally:
            for file in (keep, answer if held else None):
                if hasattr(file, "close"):
                    file.close()
        values = dict(self._log_values(report, applied, changed, time.monotonic() - started), state="done")
        if held:
            held.write(dict(values, note=held.note))
            log = held
        else:
            log = logs.create(dict(base, **values))
        if kind == "complete":
            logs.search(
                [("country", "=", country), ("kind", "=", "complete"), ("state", "in", ("held", "confirmed"))]
            ).write({"state": "discarded", "note": self.env._("Superseded by a complete list applied later.")})
        if changed or kind == "changes":
            cron = self.env.ref("creditcheck_semaphore.ir_cron_creditcheck_semaphore_notify", raise_if_not_found=False)
            if cron:
                cron._trigger()
        return log

    @api.model
    def _lines(self, country, kind, method, report, answer, keep):
        max_size = self.env["creditcheck.service"]._max_decompressed()
        if answer is not None:
            chunks = byte_chunks(answer) if isinstance(answer, bytes) else _file_chunks(answer)
            return iter_answer_lines(chunks, report, max_size)
        last_id = self._last_record_id(country) if kind == "changes" else None
        return self.env["creditcheck.service"]._iter_lines(
            country, method, report, last_id=last_id, sink=keep.write if keep else None
        )

    @api.model
    def _last_record_id(self, country):
        value = self.env["ir.config_parameter"].sudo().get_param(f"creditcheck_semaphore.last_record_id_{country}")
        return int(value or 0)

    @api.model
    def _apply_complete(self, country, lines, report, confirmed=False):
        status = self.env["creditcheck.status"]
        status._load(lines)
        subjects = status._dedupe_load()
        if not confirmed:
            last = self.env["creditcheck.sync.log"]._last_applied(country, "complete")
            if not subjects or (last and subjects * 100 < last.lines_applied * self._hold_share()):
                raise _HoldBack(subjects, last.lines_applied if last else 0)
        return status._apply_complete(country, subjects)

    @api.model
    def _apply_defunct(self, country, lines, report, confirmed=False):
        status = self.env["creditcheck.status"]
        status._load(lines)
        return status._apply_defunct(country)

    @api.model
    def _apply_changes(self, country, lines, report, confirmed=False):
        last_id = self._last_record_id(country)
        self.env["creditcheck.status"]._load(lines)
        created, highest = self.env["creditcheck.event"]._create_from_load(country, last_id)
        if highest and highest > last_id:
            params = self.env["ir.config_parameter"].sudo()
            params.set_param(f"creditcheck_semaphore.last_record_id_{country}", str(highest))
        return created, created

    @api.model
    def _hold(self, base, report, hold, keep, answer, seconds):
        """Log a complete list held back, with the answer kept for an administrator to apply."""
        note = self.env._(
            "The complete list holds %(subjects)s subjects, fewer than %(share)s %% of the %(previous)s of the last "
            "applied list: nothing was changed. An administrator can apply it from this log.",
            subjects=hold.subjects,
            share=self._hold_share(),
            previous=hold.previous,
        )
        if not hold.subjects and not hold.previous:
            note = self.env._(
                "The complete list is empty: nothing was changed. An administrator can apply it from this log."
            )
        log = (
            self.env["creditcheck.sync.log"]
            .sudo()
            .create(dict(base, state="held", note=note, **self._log_values(report, 0, 0, seconds)))
        )
        if keep is not None:
            keep.seek(0)
            raw = keep.read()
        elif isinstance(answer, bytes):
            raw = answer
        else:
            answer.seek(0)
            raw = answer.read()
        log._keep_answer(raw)
        _logger.warning("CreditCheck complete list of %s held back: %s", base["country"], note)
        return log

    # -- one subject ------------------------------------------------------------------------

    @api.model
    def _single_limit(self):
        """How many GetCreditCheckIc calls CreditCheck allows in 24 hours (200)."""
        return self._int_param("creditcheck_semaphore.single_daily_limit", DEFAULT_SINGLE_LIMIT, 0, 100000)

    @api.model
    def _single_checks_used(self, country):
        """How many GetCreditCheckIc calls were made in the last 24 hours."""
        return (
            self.env["creditcheck.sync.log"]
            .sudo()
            .search_count(
                [
                    ("kind", "=", "single"),
                    ("country", "=", country),
                    ("state", "in", ("done", "failed")),
                    ("date_start", ">", fields.Datetime.now() - timedelta(hours=24)),
                ]
            )
        )

    @api.model
    def _single_checks_left(self, country):
        """How many GetCreditCheckIc calls are left in the last 24 hours (CreditCheck allows 200)."""
        return max(self._single_limit() - self._single_checks_used(country), 0)

    # -- the other jobs' last runs --------------------------------------------------------------

    @api.model
    def _record_job(self, job, **counts):
        """Note the end of a successful run of ``job`` (notify, digest) with its counts, for the Settings.

        Written in the run's transaction: a run that fails leaves the last successful one.
        """
        value = json.dumps({"at": fields.Datetime.to_string(fields.Datetime.now()), **counts})
        self.env["ir.config_parameter"].sudo().set_param(JOB_PARAM % job, value)

    @api.model
    def _last_job(self, job):
        """``{"at": ..., counts...}`` of the last successful run of ``job``, or an empty dict."""
        try:
            value = json.loads(self.env["ir.config_parameter"].sudo().get_param(JOB_PARAM % job) or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) and value.get("at") else {}

    @api.model
    def _run_single(self, country, ico):
        """GetCreditCheckIc for one subject: its current status, now; returns (log, checks left).

        The day's checks are counted before calling; a failed call is logged in a
        transaction of its own and raised as a UserError with CreditCheck's reason.
        """
        left = self._single_checks_left(country)
        if left <= 0:
            raise UserError(
                self.env._(
                    "The CreditCheck checks of one subject allowed in 24 hours are used up; "
                    "the nightly synchronisation keeps every status current."
                )
            )
        if not self._try_lock(country, "statuses"):
            raise UserError(self.env._("A CreditCheck synchronisation is running; check again in a few minutes."))
        base = {
            "country": country,
            "kind": "single",
            "method": "GetCreditCheckIc",
            "date_start": fields.Datetime.now(),
            "ico": ico,
        }
        started = time.monotonic()
        try:
            lines, report = self.env["creditcheck.service"]._get_client(country).get_credit_check_ic(ico)
        except CreditcheckError as exc:
            self._log_apart(dict(base, state="failed", error=str(exc), **self._log_values(ParseReport())))
            raise UserError(
                self.env._(
                    "CreditCheck could not be asked about IČO %(ico)s: %(error)s (%(left)s checks left in 24 hours)",
                    ico=ico,
                    error=exc.message,
                    left=left - 1,
                )
            ) from exc
        changed = self.env["creditcheck.status"]._apply_single(country, ico, lines)
        values = self._log_values(report, 1, changed, time.monotonic() - started)
        log = self.env["creditcheck.sync.log"].sudo().create(dict(base, state="done", **values))
        return log, left - 1

    # -- the connection test -------------------------------------------------------------------

    @api.model
    def _test_connection(self):
        """The cheapest real call for each country of the settings, and what it tells.

        GetCreditChecksBatch for the records after the largest possible record ID:
        CreditCheck checks the login and answers with an empty list; none of the 200
        one-subject checks a day is used and nothing is applied.  Each call is in the
        sync log as a connection test.  Returns ``(outcome, message)``: outcome
        ``success``, ``refused``, ``certificate``, ``unreachable`` or ``error``.
        """
        names = {"cz": self.env._("Czech"), "sk": self.env._("Slovak")}
        service = self.env["creditcheck.service"]
        countries = self._countries() or ["cz"]
        results = []
        for country in countries:
            endpoint = service._get_endpoint(country)
            report = ParseReport()
            base = {"country": country, "kind": "test", "method": TEST_METHOD, "date_start": fields.Datetime.now()}
            started = time.monotonic()
            try:
                client = service._get_client(country, operation_timeout=service._timeout())
                for _line in client.iter_lines(TEST_METHOD, report, last_id=MAX_RECORD_ID):
                    pass
            except CreditcheckError as error:
                outcome, text = self._test_outcome(error, endpoint)
                values = dict(base, state="failed", error=str(error))
            else:
                seconds = time.monotonic() - started
                outcome = "success"
                text = self.env._(
                    "CreditCheck answered at %(endpoint)s in %(seconds).2f seconds: the connection works.",
                    endpoint=endpoint,
                    seconds=seconds,
                )
                values = dict(base, state="done")
            self.env["creditcheck.sync.log"].sudo().create(
                dict(self._log_values(report, seconds=time.monotonic() - started), **values)
            )
            results.append((outcome, text if len(countries) == 1 else f"{names[country]}: {text}"))
        outcomes = {outcome for outcome, _text in results}
        worst = next((o for o in ("refused", "certificate", "unreachable", "error") if o in outcomes), "success")
        return worst, " ".join(text for _outcome, text in results)

    @api.model
    def _test_outcome(self, error, endpoint):
        _ = self.env._
        if error.code == "login_refused":
            login = self.env["creditcheck.service"]._credentials()[0]
            return "refused", _("CreditCheck refused the login “%(login)s”: check the login and password.", login=login)
        if error.code == "config":
            return "refused", _(
                "No login and password: production needs the API account CreditCheck issued; nothing was asked."
            )
        if error.code == "certificate":
            return "certificate", _(
                "Certificate problem at %(endpoint)s: %(reason)s", endpoint=endpoint, reason=error.message
            )
        if error.code == "timeout":
            seconds = f"{self.env['creditcheck.service']._timeout():g}"
            return "unreachable", _(
                "%(endpoint)s did not answer within %(seconds)s seconds.", endpoint=endpoint, seconds=seconds
            )
        if error.code == "network":
            return "unreachable", _(
                "%(endpoint)s cannot be reached: %(reason)s", endpoint=endpoint, reason=error.message
            )
        return "error", _("CreditCheck answered with an error: %(reason)s", reason=error.message)

    # -- crons and buttons -----------------------------------------------------------------------

    @api.model
    def _run_countries(self, kind, countries):
        """Run ``kind`` for each country, one per batch, committing in between."""
        countries = list(countries)
        logs = self.env["creditcheck.sync.log"]
        for done, country in enumerate(countries, start=1):
            logs |= self._run(country, kind)
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(countries) - done)
            self._commit()
        return logs

    @api.model
    def _commit(self):
        # A cron commits after each country so that one country's result and log stay
        # when the next one fails or the worker is stopped (and the country's advisory
        # locks are released); never inside tests.
        if not odoo_module.current_test and not self.env.context.get("creditcheck_no_commit"):
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _cron_refresh(self):
        """The complete lists; a held-back list an administrator confirmed is applied instead of a download."""
        logs = self.env["creditcheck.sync.log"]
        countries = self._countries()
        for done, country in enumerate(countries, start=1):
            confirmed = logs.sudo().search(
                [("country", "=", country), ("kind", "=", "complete"), ("state", "=", "confirmed")],
                order="date_start desc",
                limit=1,
            )
            logs |= self._run(country, "complete", held=confirmed or None)
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(countries) - done)
            self._commit()
        return logs

    @api.model
    def _cron_track_changes(self):
        return self._run_countries("changes", self._countries())

    @api.model
    def _defunct_due(self, country):
        per_year = self._int_param("creditcheck_semaphore.defunct_per_year", 2, 1, 4)
        last = self.env["creditcheck.sync.log"]._last_applied(country, "defunct")
        return not last or (fields.Datetime.now() - last.date_start).days >= 365 // per_year

    @api.model
    def _cron_defunct(self):
        params = self.env["ir.config_parameter"].sudo()
        asked = params.get_param("creditcheck_semaphore.defunct_requested")
        countries = [country for country in self._countries() if asked or self._defunct_due(country)]
        if asked:
            params.set_param("creditcheck_semaphore.defunct_requested", False)
        return self._run_countries("defunct", countries)

    @api.model
    def _check_manager(self):
        if not self.env.user.has_group("creditcheck_semaphore.group_creditcheck_manager"):
            raise AccessError(self.env._("Only CreditCheck administrators run CreditCheck synchronisations."))

    @api.model
    def _started(self, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": self.env._("CreditCheck"), "message": message, "type": "info", "sticky": False},
        }

    @api.model
    def action_refresh_now(self):
        """For administrators: the complete refresh and the change tracking, in the background now."""
        self._check_manager()
        self.env.ref("creditcheck_semaphore.ir_cron_creditcheck_semaphore_refresh").sudo()._trigger()
        self.env.ref("creditcheck_semaphore.ir_cron_creditcheck_semaphore_track_changes").sudo()._trigger()
        return self._started(self.env._("The synchronisation starts in the background; the Sync Log shows its result."))

    @api.model
    def action_fetch_defunct(self):
        """For administrators: the defunct lists in the background now, outside the yearly plan."""
        self._check_manager()
        self.env["ir.config_parameter"].sudo().set_param("creditcheck_semaphore.defunct_requested", "1")
        self.env.ref("creditcheck_semaphore.ir_cron_creditcheck_semaphore_defunct").sudo()._trigger()
        return self._started(self.env._("The defunct lists are read in the background; the Sync Log shows the result."))
