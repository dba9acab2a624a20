"""Screens that explain themselves: lists that say what will appear, filters that narrow each other,
an acknowledged status that keeps its colour and can be undone, with the events agreeing, "Check now"
saying what changed, messages without "(record -)", and a block that is no server error."""

import logging

from lxml import etree, html
from markupsafe import Markup

from odoo import Command
from odoo.osv import expression
from odoo.tests import tagged
from odoo.tests.common import JsonRpcException
from odoo.tools.safe_eval import safe_eval

from .common import SAZKA, CreditcheckCase, CreditcheckHttpCase


def filter_groups(env, model):
    """The search view's filters of ``model`` as Odoo's web client groups them.

    As ``web/static/src/search/search_arch_parser.js`` does: filters follow each other in
    a group until a separator, a field, a ``<group>`` or a group-by; the web client ORs
    the filters chosen in one group and ANDs the groups.  Returns a list of groups, each a
    list of (name, domain) of its filters.
    """
    arch = etree.fromstring(env[model].get_view(view_type="search")["arch"])
    groups, current = [], []

    def push():
        nonlocal current
        if current:
            groups.append(current)
        current = []

    def visit(node):
        if node.tag == "separator" or node.tag == "field":
            push()
        elif node.tag == "group":
            push()
            for child in node:
                visit(child)
            push()
        elif node.tag == "filter":
            if "group_by" in (node.get("context") or ""):
                push()
            else:
                current.append((node.get("name"), node.get("domain") or "[]"))

    for child in arch:
        visit(child)
    push()
    return groups


def chosen_domain(groups, names):
    """The domain of the filters ``names`` chosen together, as the web client combines them."""
    parts = []
    for group in groups:
        chosen = [safe_eval(domain) for name, domain in group if name in names]
        if chosen:
            parts.append(expression.OR(chosen))
    return expression.AND(parts)


def group_of(groups, name):
    (group,) = [[n for n, _domain in group] for group in groups if name in [n for n, _domain in group]]
    return group


@tagged("post_install", "-at_install")
class TestScreens(CreditcheckCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.simulate(subjects=60)
        cls.partners = cls.make_partners(cls.subjects(limit=60), is_company=True)
        cls.sazka = cls.partners.filtered(lambda p: p.creditcheck_ico == SAZKA)

    def test_every_list_that_can_be_empty_says_what_will_appear(self):
        for xmlid in (
            "creditcheck_semaphore.creditcheck_event_action",
            "creditcheck_semaphore.creditcheck_sync_log_action",
            "creditcheck_semaphore.creditcheck_deactivation_action",
        ):
            with self.subTest(action=xmlid):
                help_text = html.fromstring(str(self.env.ref(xmlid).help)).text_content()
                self.assertGreater(len(help_text.split()), 30, help_text)
        # the events of one partner (its smart button) say it too
        action = self.sazka.action_creditcheck_events()
        self.assertIn("change tracking", html.fromstring(str(action["help"])).text_content())

    def test_colour_and_defunct_filters_narrow_the_other_filters(self):
        groups = filter_groups(self.env(user=self.salesman), "res.partner")
        self.assertEqual(group_of(groups, "creditcheck_red"), ["creditcheck_red", "creditcheck_orange"])
        self.assertEqual(group_of(groups, "creditcheck_defunct"), ["creditcheck_defunct"])
        # the data: a defunct red company, a defunct red person, a red company that is not defunct
        self.run_sync("complete")
        self.run_sync("defunct")
        Partner = self.env["res.partner"]
        defunct = Partner.search([("creditcheck_defunct", "=", True), ("is_company", "=", True)])
        self.assertTrue(defunct)
        person = Partner.create(
            {"name": "Defunct person", "company_registry": defunct[0].creditcheck_ico, "country_id": self.cz.id}
        )
        self.assertTrue(person.creditcheck_defunct and person.creditcheck_state == "red")
        red_alive = Partner.search([("creditcheck_state", "=", "red"), ("creditcheck_defunct", "=", False)])
        self.assertTrue(red_alive)
        # "Companies", "CreditCheck red" and "Defunct subjects" together: defunct red companies only
        domain = chosen_domain(groups, {"type_company", "creditcheck_red", "creditcheck_defunct"})
        self.assertEqual(Partner.search(domain), defunct)
        # "CreditCheck red" or "orange", and "Defunct subjects": the colours are one question
        domain = chosen_domain(groups, {"creditcheck_red", "creditcheck_orange", "creditcheck_defunct"})
        self.assertEqual(Partner.search(domain), defunct | person)
        self.assertFalse(Partner.search(domain) & red_alive)

    def test_event_and_log_filters_narrow_each_other(self):
        groups = filter_groups(self.env, "creditcheck.event")
        self.assertEqual(group_of(groups, "not_acknowledged"), ["not_acknowledged", "acknowledged"])
        self.assertEqual(group_of(groups, "red"), ["red", "orange"])
        self.run_sync("changes")
        Event = self.env["creditcheck.event"]
        events = Event.search([])
        self.assertEqual(set(events.mapped("state")), {"orange", "red"})
        events.filtered(lambda e: e.state == "red")[0].action_acknowledge()
        domain = chosen_domain(groups, {"not_acknowledged", "red"})
        self.assertEqual(Event.search(domain), events.filtered(lambda e: e.state == "red" and not e.acknowledged))
        groups = filter_groups(self.env, "creditcheck.sync.log")
        self.assertEqual(group_of(groups, "failed"), ["held", "failed", "skipped"])
        self.assertEqual(group_of(groups, "single"), ["synchronisations", "single", "connection_tests"])
        self.assertEqual(group_of(groups, "with_rejects"), ["with_rejects"])
        self.assertEqual(
            chosen_domain(groups, {"failed", "single"}),
            ["&", ("state", "=", "failed"), ("kind", "=", "single")],
        )

    # -- acknowledgement ----------------------------------------------------------------------------

    def test_an_acknowledged_status_keeps_its_colour_can_be_undone_and_the_events_agree(self):
        self.run_sync("complete")
        self.run_sync("changes")
        Event = self.env["creditcheck.event"]
        events = Event.search([("ico", "=", SAZKA)], order="id")
        current = self.sazka.creditcheck_record_id
        self.assertIn(current, events.mapped("record_id"))
        older = events.filtered(lambda e: int(e.record_id) < int(current))
        newer = events.filtered(lambda e: int(e.record_id) > int(current))
        self.assertEqual(self.sazka.creditcheck_badge, "red")
        badge = dict(self.env["res.partner"]._fields["creditcheck_badge"]._description_selection(self.env))
        self.assertEqual(badge["red_acknowledged"], "Red, acknowledged")

        self.sazka.with_user(self.salesman).action_creditcheck_acknowledge()
        self.assertEqual(self.sazka.creditcheck_badge, "red_acknowledged")
        self.assertFalse(self.sazka._creditcheck_is_risky(), "no alerts while acknowledged")
        # the events up to the acknowledged record agree; a newer record would still be to acknowledge
        self.assertTrue(all((events - newer).mapped("acknowledged")))
        self.assertFalse(any(newer.mapped("acknowledged")))
        self.assertEqual((events - newer).acknowledged_by, self.salesman)
        self.assertIn(f"CreditCheck record {current} acknowledged", self.sazka.message_ids[0].body)

        # undo: red again, and the events it acknowledged are to acknowledge again
        self.sazka.with_user(self.salesman).action_creditcheck_unacknowledge()
        self.assertEqual(self.sazka.creditcheck_badge, "red")
        self.assertTrue(self.sazka._creditcheck_is_risky())
        self.assertFalse(any(events.mapped("acknowledged")))
        self.assertIn(f"Acknowledgement of CreditCheck record {current} undone", self.sazka.message_ids[0].body)

        # from the events list: an older event is only that event ...
        if older:
            older[0].with_user(self.salesman).action_acknowledge()
            self.assertEqual(self.sazka.creditcheck_badge, "red")
        # ... the event of the current record acknowledges the status too
        event = events.filtered(lambda e: e.record_id == current)
        event.with_user(self.salesman).action_acknowledge()
        self.assertEqual(self.sazka.creditcheck_badge, "red_acknowledged")
        self.assertEqual(self.sazka.creditcheck_ack_user_id, self.salesman)
        # undoing the status keeps what was acknowledged one by one, and brings back the current event
        self.sazka.with_user(self.salesman).action_creditcheck_unacknowledge()
        self.assertFalse(event.acknowledged)
        if older:
            self.assertTrue(older[0].acknowledged)
        # and undoing the current event from the list brings the status back
        self.sazka.with_user(self.salesman).action_creditcheck_acknowledge()
        self.assertTrue(event.acknowledged)
        event.with_user(self.salesman).action_unacknowledge()
        self.assertEqual(self.sazka.creditcheck_badge, "red")
        self.assertFalse(event.acknowledged)

    # -- Check now ---------------------------------------------------------------------------------

    def test_check_now_says_what_changed_and_when_nothing_did(self):
        def check():
            return self.sazka.with_user(self.salesman).action_creditcheck_check_now()["params"]

        name = self.sazka.display_name
        first = check()  # before any synchronisation: grey until asked
        self.assertEqual(
            first["message"], f"{name} checked: the status changed from Grey to Red. 199 checks left in 24 hours."
        )
        again = check()
        self.assertEqual(
            again["message"],
            f"{name} checked: nothing changed, the status is still Red. 198 checks left in 24 hours.",
        )
        self.assertEqual(again["type"], "info")
        self.simulate(day=2)  # a new red record for Sazka
        newer = check()
        self.assertEqual(
            newer["message"],
            f"{name} checked: the status is still Red, with a new record. 197 checks left in 24 hours.",
        )
        self.assertEqual(newer["type"], "warning")

    # -- no "(record -)" -----------------------------------------------------------------------------

    def test_no_message_names_a_missing_record(self):
        self.run_sync("complete")
        self.run_sync("defunct")
        defunct = self.partners.filtered(lambda p: p.creditcheck_defunct)[0]
        self.assertEqual((defunct.creditcheck_state, defunct.creditcheck_record_id), ("red", False))
        order = self.env["sale.order"].create({"partner_id": defunct.id})
        self.assertEqual(order.creditcheck_alert, f"CreditCheck shows {defunct.name} as Red. The subject is defunct.")
        self.assertIn(f"(record {self.sazka.creditcheck_record_id})", order._creditcheck_message(self.sazka))
        # the chatter messages of the changes a sync queues
        Partner = self.env["res.partner"]
        Partner._cron_creditcheck_notify()
        cases = {
            # (previous state, previous record, defunct) -> what the message says
            ("red", "9001", False): "CreditCheck no longer names a record of this subject; the status stays Red.",
            ("red", False, True): "CreditCheck lists the subject as defunct (zaniklý subjekt); the status stays Red.",
        }
        for (previous, previous_record, flag), expected in cases.items():
            with self.subTest(expected=expected):
                self.env.cr.execute(
                    "UPDATE res_partner SET creditcheck_previous_state = %s, creditcheck_previous_record_id = %s,"
                    " creditcheck_defunct = %s WHERE id = %s",
                    [previous, previous_record or None, flag, defunct.id],
                )
                defunct.invalidate_recordset()
                defunct._creditcheck_post_change()
                body = defunct.message_ids[0].body
                self.assertEqual(body, Markup(f"<p>{expected}</p>"))
        bodies = " ".join(Partner.search([]).message_ids.mapped("body"))
        self.assertNotIn("(-)", bodies)
        self.assertNotIn("record -", bodies)


@tagged("post_install", "-at_install")
class TestBlockIsNoServerError(CreditcheckHttpCase):
    """A block is the alert doing its job: the user sees it, the server log gets one line, no ERROR."""

    def test_a_blocked_confirmation_is_logged_as_information(self):
        self.simulate(subjects=60)
        sazka = self.make_partners(self.subjects(limit=1), is_company=True)
        self.run_sync("complete")
        self.assertEqual(sazka.creditcheck_state, "red")
        self.env.company.creditcheck_alert_order = "block"
        product = self.env["product.product"].create({"name": "Widget"})
        order = self.env["sale.order"].create(
            {"partner_id": sazka.id, "order_line": [Command.create({"product_id": product.id})]}
        )
        self.authenticate("cc-manager", "cc-manager")
        with self.assertLogs("odoo", level=logging.INFO) as logs, self.assertRaises(JsonRpcException) as caught:
            self.rpc("sale.order", "action_confirm", [order.id], route="call_button")
        self.assertEqual(caught.exception.args[0], "odoo.exceptions.RedirectWarning")  # the pop-up, as before
        order.invalidate_recordset()
        self.assertEqual(order.state, "draft")
        serious = [record for record in logs.records if record.levelno >= logging.WARNING or record.exc_info]
        self.assertEqual(serious, [], [record.getMessage() for record in serious])
        (line,) = [record for record in logs.records if "CreditCheck alert stopped" in record.getMessage()]
        self.assertEqual(line.levelno, logging.INFO)
        self.assertIn(f"order on sale.order [{order.id}]", line.getMessage())
