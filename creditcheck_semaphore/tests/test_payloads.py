from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import LOG_MODULE, CreditcheckCase


@tagged("post_install", "-at_install")
class TestCreditcheckPayloadShapes(CreditcheckCase):
    """However CreditCheck packs its answer, the same statuses come out."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.simulate(subjects=60)
        cls.partners = cls.make_partners(cls.subjects(limit=60))

    def setUp(self):
        super().setUp()
        self.run_sync("complete")
        self.reference = self.snapshot()

    def test_every_compressed_shape_gives_the_same_statuses(self):
        for compression in ("zip", "gzip", "zlib", "deflate"):
            for shape, found in (
                ("document", "holding a <creditCheck> document"),
                ("lines", "holding status lines"),
                ("data", "whose <data> is Base64 of"),
            ):
                with self.subTest(compression=compression, shape=shape):
                    self.simulate(compression=compression, shape=shape)
                    log = self.run_sync("complete")
                    self.assertEqual((log.state, log.error, log.partners_changed), ("done", False, 0))
                    self.assertIn(found, log.payload_shape)
                    name = {"zip": "a zip", "deflate": "raw deflate"}.get(compression, compression)
                    self.assertIn(name, log.payload_shape)
                    self.assertEqual(self.snapshot(), self.reference)

    def test_byte_order_mark_crlf_and_blank_lines(self):
        for compressed in ("True", "False"):
            with self.subTest(compressed=compressed):
                self.env["ir.config_parameter"].sudo().set_param("creditcheck_semaphore.compressed", compressed)
                self.simulate(bom=True, line_end="crlf", blank_lines=3, bad_lines=2)
                log = self.run_sync("complete")
                self.assertEqual(log.state, "done")
                self.assertEqual(log.lines_rejected, 2)  # the two bad lines, nothing else
                self.assertEqual(log.lines_read, log.lines_applied + 2)
                self.assertEqual(log.declared_count, log.lines_read)
                # physical line numbers: a blank line before each of the first three lines
                self.assertEqual([line.split(":")[0] for line in log.rejects.splitlines()], ["line 2", "line 4"])
                self.assertEqual(self.snapshot(), self.reference)

    def test_an_answer_whose_count_differs_is_refused(self):
        self.simulate(day=15, count_offset=1)
        with mute_logger(LOG_MODULE):
            log = self.run_sync("complete")
        self.assertEqual(log.state, "failed")
        self.assertIn("[count]", log.error)
        self.assertIn("<count>", log.error)
        self.assertEqual(self.snapshot(), self.reference)


@tagged("post_install", "-at_install")
class TestCreditcheckHeldBackList(CreditcheckCase):
    """An empty or much shorter complete list changes nothing until an administrator applies it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.simulate(subjects=60)
        cls.partners = cls.make_partners(cls.subjects(limit=60))

    def setUp(self):
        super().setUp()
        self.first = self.run_sync("complete")
        self.reference = self.snapshot()

    def test_an_empty_list_is_held_back_until_applied(self):
        self.assertGreater(self.first.lines_applied, 10)
        self.simulate(subjects=0)
        with mute_logger(LOG_MODULE):
            held = self.run_sync("complete")
        self.assertRecordValues(held, [{"state": "held", "lines_applied": 0, "partners_changed": 0}])
        self.assertIn(f"0 subjects, fewer than 50 % of the {self.first.lines_applied}", held.note)
        self.assertTrue(held.answer_attachment_id)
        self.assertEqual(self.snapshot(), self.reference)
        self.assertTrue(self.partners.filtered(lambda p: p.creditcheck_state == "red"))
        # salespeople do not apply it; an administrator does, and the refresh job applies it
        with self.assertRaises(AccessError):
            held.with_user(self.salesman).action_apply_held()
        held.with_user(self.manager).action_apply_held()
        self.assertEqual((held.state, held.confirmed_by), ("confirmed", self.manager))
        self.simulate(subjects=60)  # CreditCheck's list is back to normal: the confirmed one is applied all the same
        self.sandbox_control.clear_requests()
        self.env["creditcheck.sync"]._cron_refresh()
        self.assertRecordValues(held, [{"state": "done", "lines_applied": 0}])
        self.assertEqual(set(self.partners.mapped("creditcheck_state")), {"green"})
        calls = {entry["path"] for entry in self.sandbox_control.requests("/creditcheck/") if entry["method"] == "POST"}
        self.assertEqual(calls, {"/creditcheck/sk/CreditCheckAktualizace.asmx"})  # no Czech download that night

    def test_a_list_that_shrinks_below_the_share_is_held_back(self):
        self.simulate(risk_share=0.1)
        with mute_logger(LOG_MODULE):
            held = self.run_sync("complete")
        self.assertEqual(held.state, "held")
        self.assertEqual(held.lines_applied, 0)
        self.assertLess(held.lines_read * 2, self.first.lines_applied)
        self.assertEqual(self.snapshot(), self.reference)
        # a normal list the next night supersedes it
        self.simulate(subjects=60)
        self.assertEqual(self.run_sync("complete").state, "done")
        self.assertEqual(held.state, "discarded")
        # the share is a setting: at 5 % the short list goes through
        self.env["ir.config_parameter"].sudo().set_param("creditcheck_semaphore.hold_share", "5")
        self.simulate(risk_share=0.1)
        log = self.run_sync("complete")
        self.assertEqual(log.state, "done")
        self.assertNotEqual(self.snapshot(), self.reference)

    def test_a_discarded_list_is_never_applied(self):
        self.env["ir.config_parameter"].sudo().set_param("creditcheck_semaphore.countries", "cz")
        self.simulate(subjects=0)
        with mute_logger(LOG_MODULE):
            held = self.run_sync("complete")
        held.with_user(self.manager).action_discard_held()
        self.assertEqual(held.state, "discarded")
        with mute_logger(LOG_MODULE):
            self.env["creditcheck.sync"]._cron_refresh()  # downloads the (still empty) list: held back again
        self.assertEqual(self.snapshot(), self.reference)
