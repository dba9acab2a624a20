"""The weekly refresh writes into the register store and proposes changes instead of overwriting contacts."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_inbox import SERVICE_LOGGER, KvkInboxCase


@tagged("post_install", "-at_install")
class TestRefreshStore(KvkInboxCase):
    def linked(self, name, kvk, branch, **values):
        partner = self.env["res.partner"].create(
            {"name": name, "is_company": True, "company_registry": kvk, "kvk_branch_number": branch,
             "company_id": self.company.id, **values}
        )  # fmt: skip
        self.env.cr.execute(
            "UPDATE res_partner SET kvk_linked = true, kvk_registration_kind = 'hoofdvestiging', "
            "kvk_last_update = NULL WHERE id = %s",
            [partner.id],
        )
        self.env.invalidate_all()
        return partner

    def refresh(self):
        with mute_logger(SERVICE_LOGGER):
            return self.env["res.partner"].with_context(kvk_backoff=0.01)._cron_kvk_refresh()

    def test_the_refresh_keeps_the_register_in_the_store_and_proposes_instead_of_overwriting(self):
        donald = self.linked("Donald", "68750110", "000037178598", city="Leeuwarden", website="https://example.nl")
        self.refresh()
        entry = self.env["kvk.register.entry"].search(
            [("company_id", "=", self.company.id), ("registration", "=", "68750110")]
        )
        self.assertRecordValues(entry, [{"source": "refresh", "name": "Test BV Donald"}])
        self.assertTrue(entry.history_ids.filtered(lambda c: c.key == "city" and c.origin == "refresh"))
        # register-only fields are applied, empty ones filled, the rest waits for review
        self.assertEqual(donald.kvk_rsin, "857587973")
        self.assertEqual(donald.street, "Hizzaarderlaan 3 A")
        self.assertEqual(donald.city, "Leeuwarden")
        (item,) = self.items(donald)
        self.assertRecordValues(item, [{"kind": "update", "origin": "refresh"}])
        lines = self.lines(item)
        self.assertEqual(set(lines), {"name", "city", "website"})
        self.assertRecordValues(lines["city"], [{"current_value": "Leeuwarden", "register_new": "Lollum"}])
        self.assertEqual(donald.name, "Donald")
        # the next refresh finds nothing new in the register: no new item, the open one stays
        self.env.cr.execute(
            "UPDATE res_partner SET kvk_last_update = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(days=30), donald.id],
        )
        self.env.invalidate_all()
        self.refresh()
        self.assertEqual(self.items(donald), item)
        self.assertEqual(item.state, "new")

    def test_a_refresh_that_finds_the_registration_ended_makes_a_deleted_item(self):
        self.emit("ended", "68727720", reason="BR")
        katrien = self.linked("Katrien", "68727720", "000037143557")
        self.refresh()
        deleted = self.items(katrien, kind="deleted")
        self.assertEqual(len(deleted), 1)
        self.assertFalse(katrien.kvk_former)
        deleted.with_user(self.salesperson).action_accept()
        self.assertTrue(katrien.kvk_former)
