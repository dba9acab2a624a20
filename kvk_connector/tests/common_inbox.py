"""Test helpers for change signals, the register store and the KvK inbox."""

import json
from datetime import datetime, timedelta, timezone
from urllib.request import Request, urlopen

from odoo.tools import mute_logger

from .common import KvkCase, KvkCaseMixin, KvkHttpCase

JOB_LOGGER = "odoo.addons.kvk_connector.models.kvk_signal_job"
SERVICE_LOGGER = "odoo.addons.kvk_connector.models.kvk_service"


def sandbox_post(url, path, payload=None, method="POST"):
    data = json.dumps(payload).encode() if payload is not None else None
    request = Request(url + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urlopen(request, timeout=30) as answer:  # noqa: S310 - the sandbox on loopback
        return json.loads(answer.read())


class KvkInboxMixin(KvkCaseMixin):
    """A company that reads change signals from its own sandbox, and helpers to make and follow them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"kvk_use_mutaties": True})
        cls.salesperson.company_ids |= cls.company

    def setUp(self):
        super().setUp()
        self.reset_signals()

    # -- the sandbox's Mutatieservice ------------------------------------------------------------

    def reset_signals(self):
        """No signal, and the register as generated."""
        sandbox_post(self.sandbox_url, "/kvk/_mutaties", method="DELETE")

    @staticmethod
    def moment(seconds_ago=1):
        """An ISO time a little in the past: KvK lists a signal after its moment, never before."""
        return (datetime.now(timezone.utc) - timedelta(seconds=seconds_ago)).isoformat()

    def emit(self, kind, kvk_number=None, **spec):
        """One signal (with its companions) of the sandbox's generator; their summaries."""
        payload = {"type": kind, "at": self.moment(), **spec}
        if kvk_number:
            payload["kvk_number"] = kvk_number
        return sandbox_post(self.sandbox_url, "/kvk/_mutaties/signal", payload)["signals"]

    def emit_many(self, count, **spec):
        payload = {"count": count, "from": self.moment(3), "to": self.moment(1), **spec}
        return sandbox_post(self.sandbox_url, "/kvk/_mutaties/emit", payload)["signals"]

    # -- Odoo's side ------------------------------------------------------------------------------

    def run_signals(self, company=None, **context):
        """The change-signal job, as the cron runs it."""
        job = self.env["kvk.signal.job"].with_context(kvk_poll_now=True, **context)
        with mute_logger(SERVICE_LOGGER):
            return job._cron_kvk_signals()

    def link(self, kvk_number, branch_number, company=None, fill_all=True, **values):
        """A contact linked through "Search register" (as a salesperson does), followed from then on."""
        company = company or self.company
        Wizard = self.env["kvk.search.wizard"].with_company(company)
        wizard = Wizard.create({"kvk_number": kvk_number, "company_id": company.id})
        wizard.action_search()
        line = wizard.line_ids.filtered(lambda line: line.branch_number == branch_number)
        self.assertEqual(len(line), 1, f"no search result for {kvk_number}/{branch_number}")
        line.action_select()
        wizard.fill_empty_only = not fill_all
        wizard._onchange_fill_empty_only()
        action = wizard.action_apply()
        partner = self.env["res.partner"].browse(action["res_id"])
        if values:
            partner.write(values)
        self.sandbox_control.clear_requests()
        return partner

    def items(self, partner=None, **domain):
        search = [("company_id", "=", (domain.pop("company", None) or self.company).id)]
        if partner is not None:
            search.append(("partner_id", "=", partner.id))
        search += [(key, "=", value) for key, value in domain.items()]
        return self.env["kvk.review"].search(search, order="id")

    def signals(self, company=None, **domain):
        search = [("company_id", "=", (company or self.company).id)]
        search += [(key, "=", value) for key, value in domain.items()]
        return self.env["kvk.signal"].search(search, order="timestamp, id")

    def paid_calls(self):
        """The sandbox's Basisprofiel and Vestigingsprofiel requests since the test began."""
        return [
            request
            for request in self.sandbox_control.requests("/kvk/api/v1/")
            if "/basisprofielen/" in request["path"] or "/vestigingsprofielen/" in request["path"]
        ]

    def detail_calls(self):
        return [r for r in self.sandbox_control.requests("/kvk/api/v1/abonnementen/") if "/signalen/" in r["path"]]

    def lines(self, item):
        return {line.key: line for line in item.line_ids}


class KvkInboxCase(KvkInboxMixin, KvkCase):
    pass


class KvkInboxHttpCase(KvkInboxMixin, KvkHttpCase):
    pass
