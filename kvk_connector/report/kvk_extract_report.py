"""The register extract: what it shows besides the contact's own fields (where the data came from)."""

from datetime import timedelta

from odoo import api, models

# Products whose answer fills a contact, most telling first; a search hit fills one when no
# paid product may be used.
SOURCE_PRODUCTS = ("dataservice", "basisprofiel", "vestigingsprofiel", "naamgeving", "zoeken")


class ReportKvkExtract(models.AbstractModel):
    _name = "report.kvk_connector.report_kvk_extract"
    _description = "KvK Register Extract"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": partners,
            "sources": {partner.id: self._source(partner) for partner in partners},
            "postal": {partner.id: partner._kvk_postal_child() for partner in partners},
        }

    @api.model
    def _source(self, partner):
        """Where the contact's register data came from: the logged answer (product, when it was
        received, its query-log reference), or an empty dict when no logged answer is known.

        The log is read with sudo: its reference and time are shown, nothing else of it.
        """
        if not partner.kvk_last_update:
            return {}
        Log = self.env["kvk.query.log"].sudo()
        entry = Log.browse()
        for product in SOURCE_PRODUCTS:
            entry = Log.search(
                [
                    ("partner_id", "=", partner.id),
                    ("product", "=", product),
                    ("state", "in", ["done", "cached"]),
                    # written after the answer came (a write time has whole seconds)
                    ("create_date", "<", partner.kvk_last_update + timedelta(seconds=1)),
                ],
                order="id desc",
                limit=1,
            )
            if entry:
                break
        if not entry:
            return {}
        answered = entry
        if entry.state == "cached" and entry.cache_key:
            answered = (
                Log.search(
                    [
                        ("company_id", "=", entry.company_id.id),
                        ("cache_key", "=", entry.cache_key),
                        ("state", "=", "done"),
                        ("id", "<", entry.id),
                    ],
                    order="id desc",
                    limit=1,
                )
                or entry
            )
        return {"entry": entry, "answered": answered, "cached": answered != entry}
