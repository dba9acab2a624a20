import logging
import os
from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..clients import folder as folder_tools
from .common import ClientOnlineCase, minimal_pdf, samples

OB_PERIOD = (date(2021, 10, 1), date(2021, 10, 31))
DOCUMENT_LOGGER = "odoo.addons.client_online_connector.models.client_online_document"
FOLDER_LOGGER = "odoo.addons.client_online_connector.models.client_online_folder_file"
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<xbrli:xbrl xmlns:xbrli="http://www.xbrl.org/2003/instance">&lol3;</xbrli:xbrl>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xbrli:xbrl xmlns:xbrli="http://www.xbrl.org/2003/instance">&secret;</xbrli:xbrl>"""


@tagged("post_install", "-at_install")
class TestFolder(ClientOnlineCase):
    def test_files_are_picked_up_sent_and_moved_when_final(self):
        self.drop("61234567_jaarrekening 2024.pdf", minimal_pdf("jaarrekening"))
        self.drop("ob-2021-10.xbrl", samples.ob_declaration("001000044B37", *OB_PERIOD))
        self.drop("notities.txt", b"not picked up: another file type")
        self.run_job()
        pdf, xbrl = self.documents()
        self.assertRecordValues(
            pdf,
            [{"source": "folder", "partner_id": self.bakkerij.id, "client_number": "61234567", "state": "sent",
              "file_folder": "inbox", "user_id": self.accountant.id}],
        )  # fmt: skip
        self.assertRecordValues(xbrl, [{"partner_id": self.sbr.id, "declaration_type": "ob", "state": "sent"}])
        self.assertEqual(self.folder("inbox"), ["61234567_jaarrekening 2024.pdf", "notities.txt", "ob-2021-10.xbrl"])
        # files stay while their documents wait for approval, and are not picked up twice
        self.run_job()
        self.assertEqual(len(self.documents()), 2)
        self.portal_act(pdf, "approve")
        self.portal_act(xbrl, "reject", reason="Verkeerd kwartaal")
        self.run_job()
        self.assertEqual((pdf.state, xbrl.state), ("approved", "rejected"))
        self.assertEqual(self.folder("inbox"), ["notities.txt"])
        self.assertEqual(self.folder("approved"), ["61234567_jaarrekening 2024.pdf"])
        self.assertEqual(self.folder("rejected"), ["ob-2021-10.xbrl"])
        self.assertEqual(pdf.file_path, os.path.join(self.company.client_online_folder_approved, pdf.name))
        self.assertFalse(self.company.client_online_status, "nothing went wrong: nothing to say")
        self.assertTrue(self.company.client_online_last_run)

    def test_pdf_matching_by_hidden_id_and_by_kvk(self):
        self.company.client_online_match_hidden_id = True
        self.drop("100005_aangifte IB.pdf", minimal_pdf("IB"))
        self.company.client_online_match_kvk = False
        self.drop("61234567_brief.pdf", minimal_pdf("brief"))
        self.run_job()
        by_name = {d.name: d for d in self.documents()}
        self.assertEqual(by_name["100005_aangifte IB.pdf"].partner_id, self.vries)
        self.assertEqual(by_name["100005_aangifte IB.pdf"].state, "sent")
        self.assertEqual(by_name["61234567_brief.pdf"].state, "not_found")
        self.assertIn("hidden ID", by_name["61234567_brief.pdf"].last_error)

    def test_no_client_goes_to_not_found_with_suggestions_and_can_be_assigned(self):
        self.drop("61234568_Korenschoof jaarstukken.pdf", minimal_pdf("x"))
        self.run_job()
        (document,) = self.documents()
        self.assertEqual(document.state, "not_found")
        self.assertIn("61234568", document.last_error)
        self.assertEqual(self.folder("not_found"), ["61234568_Korenschoof jaarstukken.pdf"])
        self.assertIn(self.bakkerij, document.suggested_partner_ids, "suggested by the name in the file name")
        self.assertEqual(document.activity_ids.user_id, self.accountant)
        self.bakkerij.with_user(self.accountant).with_context(
            client_online_document_id=document.id
        ).action_client_online_assign()
        self.assertRecordValues(document, [{"state": "queued", "partner_id": self.bakkerij.id}])
        self.run_job()
        self.assertEqual(document.state, "sent")
        self.portal_act(document, "approve")
        self.run_job()
        self.assertEqual(self.folder("not_found"), [])
        self.assertEqual(self.folder("approved"), ["61234568_Korenschoof jaarstukken.pdf"])

    def test_hostile_and_broken_xbrl_goes_to_failed_with_its_reason(self):
        self.company.client_online_max_file_mb = 1
        cut = samples.ob_declaration("001000044B37", *OB_PERIOD)
        files = {
            "laughs.xbrl": (BILLION_LAUGHS, "DOCTYPE"),
            "entity.xbrl": (EXTERNAL_ENTITY, "DOCTYPE"),
            "cut.xbrl": (cut[: len(cut) // 2], "not well-formed"),
            "huge.xbrl": (samples.ob_declaration("001000044B37", *OB_PERIOD, extra_facts=20000), "limit"),
            "no-schema.xbrl": (cut.replace(b"link:schemaRef", b"link:nothing"), "entrypoint"),
        }
        for name, (content, _reason) in files.items():
            self.drop(name, content)
        self.run_job()
        documents = {d.name: d for d in self.documents()}
        for name, (_content, reason) in files.items():
            with self.subTest(name=name):
                document = documents[name]
                self.assertEqual(document.state, "permanently_failed")
                self.assertIn(reason, document.last_error)
                self.assertEqual(document.activity_ids.user_id, self.accountant)
        self.assertFalse(documents["huge.xbrl"].attachment_id, "a file over the limit is not read")
        self.assertEqual(self.folder("inbox"), [])
        self.assertEqual(self.folder("failed"), sorted([f"{n}{s}" for n in files for s in ("", ".error.txt")]))
        with open(os.path.join(self.company.client_online_folder_failed, "cut.xbrl.error.txt")) as reason:
            self.assertIn("not well-formed", reason.read())
        self.assertFalse(self.portal_calls(), "nothing refused reaches the portal")

    def test_refusals_symlinks_files_being_written_and_unreadable_files(self):
        inbox = self.company.client_online_folder_inbox
        outside = os.path.join(self.root, "elsewhere.pdf")
        with open(outside, "wb") as handle:
            handle.write(minimal_pdf())
        os.symlink(outside, os.path.join(inbox, "61234567_link.pdf"))
        os.mkdir(os.path.join(inbox, "sub.pdf"))
        self.drop("61234567_unreadable.pdf", minimal_pdf("u"))
        real_read = folder_tools.read_stable

        def unreadable(path, key, max_size=None):
            # as root every file is readable: the refusal of the read itself, as the OS gives it
            if path.endswith("unreadable.pdf"):
                raise folder_tools.FolderError("unreadable", "It cannot be read: Permission denied.")
            return real_read(path, key, max_size)

        with patch.object(folder_tools, "read_stable", side_effect=unreadable):
            self.run_job()
        self.assertFalse(self.documents())
        entries = {
            e.name: e for e in self.env["client.online.folder.file"].search([("company_id", "=", self.company.id)])
        }
        self.assertEqual(set(entries), {"61234567_link.pdf", "61234567_unreadable.pdf"})
        self.assertEqual(
            (entries["61234567_link.pdf"].state, entries["61234567_link.pdf"].reason_code), ("refused", "symlink")
        )
        self.assertEqual(entries["61234567_unreadable.pdf"].reason_code, "unreadable")
        self.assertIn("Permission denied", entries["61234567_unreadable.pdf"].reason_text)
        self.assertIn("symbolic link", entries["61234567_link.pdf"].reason_text)
        # readable again: tried at the next scan
        self.run_job()
        self.assertEqual(self.documents().mapped("name"), ["61234567_unreadable.pdf"])
        self.assertTrue(os.path.islink(os.path.join(inbox, "61234567_link.pdf")), "the link is left alone")
        self.assertTrue(os.path.exists(outside))

    def test_a_file_still_being_written_waits(self):
        self.company.client_online_settle_seconds = 30
        path = self.drop("61234567_busy.pdf", minimal_pdf("busy")[:100], age=3600)  # an old time, kept by a copy
        Index = self.env["client.online.folder.file"]
        with patch.object(type(Index), "_client_online_read", wraps=Index._client_online_read) as read:
            self.run_job()
            self.assertFalse(self.documents(), "its change time is recent, whatever its modification time")
            self.assertFalse(read.called, "a file still being written is not read")
            with open(path, "ab") as handle:  # the writer goes on
                handle.write(minimal_pdf("busy")[100:])
            self.run_job()
            self.assertFalse(self.documents())
            self.assertFalse(read.called)
            with freeze_time(fields.Datetime.now() + timedelta(seconds=60)):  # it stood still for the settle time
                self.run_job()
            self.assertEqual(read.call_count, 1)
        entry = Index.search([("company_id", "=", self.company.id)])
        self.assertEqual((entry.state, entry.stat_key.split(":")[0]), ("picked", str(len(minimal_pdf("busy")))))
        self.assertEqual(self.documents().mapped("name"), ["61234567_busy.pdf"])
        self.assertEqual(self.documents().attachment_id.raw, minimal_pdf("busy"))

    def test_a_rescan_of_unchanged_files_reads_nothing(self):
        for index in range(12):
            self.drop(f"61234567_stuk-{index:02d}.pdf", minimal_pdf(f"stuk {index}"))
        with patch.object(folder_tools, "read_stable", wraps=folder_tools.read_stable) as read:
            self.run_job()
            self.assertEqual(read.call_count, 12, "each file is read once")
            read.reset_mock()
            self.run_job()
            self.assertEqual(read.call_count, 0, "unchanged files are not read again")
            self.drop("61234567_stuk-03.pdf", minimal_pdf("stuk 3, tweede versie"))
            self.run_job()
            self.assertEqual(read.call_count, 1, "only the changed file is read")
        self.assertEqual(len(self.documents()), 13)

    def test_the_same_file_again_is_refused_and_left_in_place(self):
        self.drop("61234567_brief.pdf", minimal_pdf("brief"))
        self.run_job()
        (document,) = self.documents()
        self.portal_act(document, "approve")
        self.run_job()
        self.assertEqual(self.folder("approved"), ["61234567_brief.pdf"])
        self.drop("61234567_brief.pdf", minimal_pdf("brief"))
        self.run_job()
        self.assertEqual(len(self.documents()), 1)
        entry = self.env["client.online.folder.file"].search([("company_id", "=", self.company.id)])
        self.assertEqual(entry.state, "duplicate")
        self.assertIn("already sent", entry.reason_text)
        self.assertEqual(self.folder("inbox"), ["61234567_brief.pdf"])
        # the same content under another name is sent, with a warning
        self.drop("61234567_brief (2).pdf", minimal_pdf("brief"))
        self.run_job()
        second = self.documents()[-1]
        self.assertEqual(second.content_duplicate_of_id, document)

    def test_a_crash_during_pickup_neither_loses_nor_duplicates(self):
        for index in range(4):
            self.drop(f"61234567_deel-{index}.pdf", minimal_pdf(f"deel {index}"))
        Document = type(self.env["client.online.document"])
        real_create = Document._client_online_create
        calls = []

        def crash_on_the_third(self_, *args, **kwargs):
            calls.append(args[1])
            if len(calls) == 3:
                raise RuntimeError("worker killed")
            return real_create(self_, *args, **kwargs)

        with patch.object(Document, "_client_online_create", crash_on_the_third), self.assertRaises(RuntimeError):
            with self.env.cr.savepoint():  # what was not committed is gone, as after a crash
                self.run_job()
        self.assertFalse(self.documents())
        self.run_job()
        self.assertEqual(sorted(self.documents().mapped("name")), [f"61234567_deel-{index}.pdf" for index in range(4)])
        self.assertEqual(len(self.portal_documents()), 4)
        self.assertEqual(len(self.folder("inbox")), 4)

    def test_a_crash_after_the_upload_does_not_upload_twice(self):
        self.drop("61234567_brief.pdf", minimal_pdf("brief"))
        Document = type(self.env["client.online.document"])
        with patch.object(Document, "_client_online_apply_upload", side_effect=RuntimeError("worker killed")):
            with self.assertRaises(RuntimeError), self.env.cr.savepoint():
                self.run_job()
        self.assertEqual(len(self.portal_documents()), 1, "the portal has it")
        self.run_job()
        (document,) = self.documents()
        self.assertEqual(document.state, "sent")
        self.assertEqual(document.portal_ref, self.portal_documents()[0]["id"])
        self.assertEqual(len(self.portal_documents()), 1)

    def test_a_crash_between_moving_and_recording_the_move(self):
        self.drop("61234567_brief.pdf", minimal_pdf("brief"))
        self.run_job()
        (document,) = self.documents()
        self.portal_act(document, "approve")
        # the file was moved, then the worker died before the database knew
        os.rename(document.file_path, os.path.join(self.company.client_online_folder_approved, document.name))
        self.run_job()
        self.assertEqual(document.state, "approved")
        self.assertEqual(document.file_folder, "approved")
        self.assertEqual(self.folder("approved"), ["61234567_brief.pdf"])
        self.assertEqual(self.folder("inbox"), [])

    def test_a_file_path_outside_the_folders_is_never_moved(self):
        self.drop("61234567_brief.pdf", minimal_pdf("brief"))
        self.run_job()
        (document,) = self.documents()
        victim = os.path.join(self.root, "victim.pdf")
        with open(victim, "wb") as handle:
            handle.write(minimal_pdf("brief"))
        document.sudo().file_path = victim
        self.portal_act(document, "approve")
        self.run_job()
        self.assertEqual(document.state, "approved")
        self.assertTrue(os.path.exists(victim))
        self.assertEqual(self.folder("approved"), [])
        self.assertIn("not in one of the configured folders", document.last_error)

    def test_a_missing_or_read_only_folder_is_reported_not_raised(self):
        self.drop("61234567_brief.pdf", minimal_pdf("brief"))
        self.company.client_online_folder_inbox = os.path.join(self.root, "gone")
        with self.assertLogs(FOLDER_LOGGER, level=logging.WARNING) as logs:
            self.run_job()
        self.assertIn("does not exist", self.company.client_online_status)
        self.assertIn("does not exist", logs.output[0])
        self.company.client_online_folder_inbox = "/sys/kernel"  # exists, cannot be written (sysfs)
        with mute_logger(FOLDER_LOGGER):
            self.run_job()
        self.assertIn("cannot be written", self.company.client_online_status)
        self.assertFalse(self.documents())
        # an output folder that cannot be written: the document waits, the file stays
        self.company.client_online_folder_inbox = os.path.join(self.root, "sandbox-delta", "inbox")
        self.company.client_online_folder_approved = "/sys/kernel"
        with mute_logger(FOLDER_LOGGER):
            self.run_job()
            (document,) = self.documents()
            self.portal_act(document, "approve")
            self.run_job()
        self.assertEqual(document.state, "approved")
        self.assertEqual(document.file_folder, "inbox")
        self.assertIn("/sys/kernel", self.company.client_online_status)
        self.assertTrue(document.file_pending)

    def test_two_runs_at_once_the_second_is_skipped(self):
        self.drop("61234567_brief.pdf", minimal_pdf("brief"))
        Document = self.env["client.online.document"]
        with self.registry.cursor() as other:
            other.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", (Document._lock_key(), self.company.id))
            self.assertTrue(other.fetchone()[0])
            # (a level by number: Odoo renames the levels)
            with self.assertLogs(DOCUMENT_LOGGER, level=logging.INFO) as logs:
                self.assertFalse(self.run_job())
            self.assertTrue(any("skipped" in line for line in logs.output))
            self.assertFalse(self.documents())
            self.assertFalse(self.portal_calls())
        self.assertTrue(self.run_job())
        self.assertEqual(len(self.documents()), 1)

    def test_two_companies_each_with_their_folder_and_account(self):
        installer = self.env["res.partner"].create(
            {"name": "Jansen (Epsilon)", "is_company": True, "company_id": self.company_b.id,
             "company_registry": "71234568"}
        )  # fmt: skip
        self.drop("61234567_delta.pdf", minimal_pdf("delta"))
        self.drop("71234568_epsilon.pdf", minimal_pdf("epsilon"), company=self.company_b)
        self.drop("61234567_not-epsilons-client.pdf", minimal_pdf("other"), company=self.company_b)
        self.env["client.online.document"]._cron_sync()
        (delta,) = self.documents()
        by_name = {d.name: d for d in self.documents(self.company_b)}
        epsilon, stranger = by_name["71234568_epsilon.pdf"], by_name["61234567_not-epsilons-client.pdf"]
        self.assertRecordValues(delta, [{"partner_id": self.bakkerij.id, "state": "sent"}])
        self.assertRecordValues(epsilon, [{"partner_id": installer.id, "state": "sent"}])
        self.assertEqual(stranger.state, "not_found", "company A's contact is not company B's client")
        self.assertEqual([d["name"] for d in self.portal_documents("sandbox-delta")], ["61234567_delta.pdf"])
        self.assertEqual([d["name"] for d in self.portal_documents("sandbox-epsilon")], ["71234568_epsilon.pdf"])
        self.assertEqual(self.folder("not_found", self.company_b), ["61234567_not-epsilons-client.pdf"])
        self.assertEqual(self.folder("not_found"), [])
        visible = self.env["client.online.document"].with_user(self.accountant).search([])
        self.assertIn(delta, visible)
        self.assertNotIn(epsilon, visible)
