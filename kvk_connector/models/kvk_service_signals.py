"""The service seam's part for the Mutatieservice (change signals) and for profile imports."""

import dataclasses

import requests

from odoo import api, models

from ..clients import KvkMutatieClient
from ..clients.kvk_mutaties import PRODUCTS as MUTATIE_PRODUCTS
from .kvk_service import CA_BUNDLE_PARAM

# Channels of the query log for work that no user started by hand.
SIGNAL_CHANNEL = "signal"
IMPORT_CHANNEL = "import"


class _LoggedMutatieClient:
    """The Mutatieservice client as the seam's call machinery expects a client: each method returns
    the :class:`~..clients.KvkAnswer` of its call, whose ``data`` is the parsed result."""

    def __init__(self, client):
        self.client = client

    def close(self):
        self.client.close()

    @staticmethod
    def _answer(result):
        return dataclasses.replace(result.answer, data=result)

    def subscriptions(self):
        return self._answer(self.client.subscriptions())

    def signal_page(self, subscription_id, since=None, until=None, page=1, per_page=100):
        return self._answer(self.client.signal_page(subscription_id, since, until, page, per_page))

    def signal(self, subscription_id, signal_id):
        return self._answer(self.client.signal(subscription_id, signal_id))


class KvkService(models.AbstractModel):
    # apart from kvk_service.py on purpose: the Mutatieservice and its client, beside the classic APIs
    _inherit = "kvk.service"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _get_product_client(self, product, company):
        if product in MUTATIE_PRODUCTS:
            return _LoggedMutatieClient(self._get_mutatie_client(company))
        return super()._get_product_client(product, company)

    @api.model
    def _get_mutatie_client(self, company=None):
        """The Mutatieservice below the same base URL and with the same key as the classic APIs (the
        company's own, else the documented key of its environment)."""
        company = company or self.env.company
        ca_bundle = self.env["ir.config_parameter"].sudo().get_param(CA_BUNDLE_PARAM)
        return KvkMutatieClient(
            self._get_base_url(company),
            self._api_key(company),
            timeout=company.kvk_timeout or 10,
            session=requests.Session(),
            verify=ca_bundle or True,
        )

    @api.model
    def _product_enabled(self, product, company=None):
        if product in MUTATIE_PRODUCTS:
            return bool((company or self.env.company).kvk_use_mutaties)
        return super()._product_enabled(product, company)

    @api.model
    def _cached(self, company, key):
        # a signal says the register changed: an answer from before it is no answer
        if self.env.context.get("kvk_fresh"):
            return self.env["kvk.query.log"]
        return super()._cached(company, key)

    # -- business methods (private) ---------------------------------------------------------------

    @api.model
    def _mutatie_subscriptions(self):
        """The company's subscriptions (:class:`clients.SubscriptionList`); free."""
        return self._call("abonnementen", "subscriptions", channel=SIGNAL_CHANNEL)

    @api.model
    def _mutatie_signal_page(self, subscription_id, since, until, page, per_page):
        """One page of signals (:class:`clients.SignalPage`); free."""
        return self._call(
            "signalen", "signal_page", subscription_id, since, until, page, per_page, channel=SIGNAL_CHANNEL
        )

    @api.model
    def _mutatie_signal(self, subscription_id, signal_id):
        """A signal's detail (:class:`clients.SignalRecord`); free."""
        return self._call("signaal", "signal", subscription_id, signal_id, channel=SIGNAL_CHANNEL)
