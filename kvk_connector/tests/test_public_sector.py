import base64
import datetime
import json
import os
import shutil
import ssl
import tempfile
from unittest.mock import patch

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..clients import KvkError
from ..models.kvk_service import CA_BUNDLE_PARAM
from .common import KvkCase

try:
    from sandbox.tls import make_test_pki
except ImportError as exc:  # pragma: no cover - a set-up error, not a test result
    raise ImportError("kvk_connector's tests need the project's sandbox on PYTHONPATH (make test does)") from exc


def pki_pair():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Gemeente Testdorp")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return base64.b64encode(cert.public_bytes(serialization.Encoding.PEM)), base64.b64encode(pem_key)


@tagged("post_install", "-at_install")
class TestPublicSectorConnection(KvkCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cert, key = pki_pair()
        cls.company.write({"kvk_connection": "public", "kvk_pki_certificate": cert, "kvk_pki_key": key})
        cls.confidential = new_test_user(
            cls.env,
            login="kvk-officer",
            groups="base.group_user,kvk_connector.group_kvk_confidential",
            company_id=cls.company.id,
        )

    def test_dataservice_fills_confidential_fields_for_the_group_only(self):
        wizard = self.env["kvk.search.wizard"].with_user(self.salesperson).create({"kvk_number": "69599084"})
        wizard.action_search()
        wizard.line_ids.filtered(lambda line: line.branch_number == "000038509504").action_select()
        rows = {row.key: row for row in wizard.preview_ids}
        self.assertEqual(rows["kvk_bsn"].register_value, "(confidential)")
        partner = self.env["res.partner"].browse(wizard.action_apply()["res_id"])
        self.assertEqual(partner.kvk_legal_form, "Eenmanszaak")
        self.assertTrue(partner.phone.startswith("+31 20"))
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            partner.with_user(self.salesperson).read(["kvk_bsn"])
        bsn = partner.with_user(self.confidential).read(["kvk_bsn", "kvk_private_address"])[0]
        self.assertRegex(bsn["kvk_bsn"], r"^[0-9]{9}$")
        self.assertIn("eigenaar", bsn["kvk_private_address"])
        self.assertNotIn(bsn["kvk_bsn"], partner.message_ids[0].body)
        (call,) = self.kvk_calls("/kvk/dataservice")
        self.assertEqual(call["method"], "POST")
        log = self.company_logs([("product", "=", "dataservice")])
        self.assertRecordValues(log, [{"state": "done", "channel": "ui"}])
        self.assertNotIn(bsn["kvk_bsn"], log.response)
        self.assertEqual(json.loads(log.response)["kvkNummer"], "69599084")

    def test_missing_certificate_is_reported(self):
        self.company.write({"kvk_pki_key": False})
        try:
            self.env["kvk.service"].with_user(self.salesperson)._fetch_profile("69599084")
        except KvkError as error:
            self.assertEqual(error.code, "certificate")
            self.assertIn("PKIoverheid", self.env["kvk.service"]._error_message(error))
        else:
            self.fail("no KvkError")
        self.assertEqual(self.kvk_calls("/kvk/dataservice"), [])
        self.assertEqual(self.company_logs([], limit=1).error_code, "certificate")

    def test_unusable_key_material_is_reported_and_leaves_no_file(self):
        folder = tempfile.mkdtemp(prefix="kvk-test-tmp-")
        self.addCleanup(shutil.rmtree, folder, True)
        other_cert, other_key = pki_pair()
        service = self.env["kvk.service"].with_user(self.salesperson)
        cases = [
            ({"kvk_pki_key": other_key}, "certificate_mismatch", "does not belong to the certificate"),
            (
                {"kvk_pki_key": base64.b64encode(b"-----BEGIN PRIVATE KEY-----\nxx\n-----END PRIVATE KEY-----\n")},
                "certificate",
                "PEM",
            ),
            ({"kvk_pki_certificate": base64.b64encode(b"not a certificate")}, "certificate", "PEM"),
        ]
        for values, code, message in cases:
            with self.subTest(code=code), self.env.cr.savepoint(), patch.object(tempfile, "tempdir", folder):
                self.company.write(values)
                try:
                    service._fetch_profile("69599084")
                except KvkError as error:
                    self.assertEqual(error.code, code)
                    self.assertIn(message, service._error_message(error))
                else:
                    self.fail("no KvkError")
                self.assertEqual(self.company_logs([], limit=1).error_code, code)
        self.assertEqual(os.listdir(folder), [], "key material left on disk")
        self.assertEqual(self.kvk_calls("/kvk/dataservice"), [])

    def test_side_branches_still_use_the_api(self):
        profile = self.env["kvk.service"]._fetch_profile("69599084", "000038509520", "nevenvestiging")
        self.assertEqual(profile.branch_number, "000038509520")
        self.assertEqual(len(self.kvk_calls("/kvk/api/v1/vestigingsprofielen")), 1)


@tagged("post_install", "-at_install")
class TestPublicSectorMutualTls(KvkCase):
    """The public-sector connection over real mutual TLS: the sandbox speaks HTTPS with a
    certificate of a test CA (made for this run) and wants the company's client certificate
    for the Dataservice; the CA is the CA bundle setting."""

    @classmethod
    def _sandbox_tls(cls):
        folder = tempfile.mkdtemp(prefix="kvk-pki-test-")
        cls.addClassCleanup(shutil.rmtree, folder, True)
        cls.pki = make_test_pki(folder)
        # The API (Zoeken) shares the sandbox without a client certificate; the Dataservice route wants one.
        return cls.pki.tls_config(require_client_cert=False)

    @classmethod
    def _sandbox_control_context(cls):
        return ssl.create_default_context(cafile=str(cls.pki.ca_file))

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(CA_BUNDLE_PARAM, str(cls.pki.ca_file))
        cls.company.write(
            {
                "kvk_connection": "public",
                "kvk_pki_certificate": base64.b64encode(cls.pki.client_cert_pem),
                "kvk_pki_key": base64.b64encode(cls.pki.client_key_pem),
            }
        )
        cls.confidential = new_test_user(
            cls.env,
            login="kvk-tls-officer",
            groups="base.group_user,kvk_connector.group_kvk_confidential",
            company_id=cls.company.id,
        )

    def setUp(self):
        super().setUp()
        self.sandbox.tls_refusals.clear()

    def select_and_apply(self):
        wizard = self.env["kvk.search.wizard"].with_user(self.salesperson).create({"kvk_number": "69599084"})
        wizard.action_search()
        wizard.line_ids.filtered(lambda line: line.branch_number == "000038509504").action_select()
        return wizard

    def test_search_and_apply_over_mutual_tls(self):
        self.assertTrue(self.sandbox_url.startswith("https://127.0.0.1:"))
        wizard = self.select_and_apply()
        self.assertFalse(wizard.message)
        partner = self.env["res.partner"].browse(wizard.action_apply()["res_id"])
        self.assertEqual(partner.kvk_legal_form, "Eenmanszaak")
        confidential = partner.with_user(self.confidential).read(["kvk_bsn", "kvk_private_address"])[0]
        self.assertRegex(confidential["kvk_bsn"], r"^[0-9]{9}$")
        self.assertIn("eigenaar", confidential["kvk_private_address"])
        (call,) = self.kvk_calls("/kvk/dataservice")
        self.assertEqual(call["status"], 200)
        self.assertEqual(call["client_cert"], "C=NL, O=Gemeente Testdorp, CN=Gemeente Testdorp PKIoverheid")
        self.assertEqual(self.company_logs([("product", "=", "dataservice")]).state, "done")
        self.assertEqual(list(self.sandbox.tls_refusals), [])

    def test_a_certificate_of_another_ca_is_refused_in_the_handshake(self):
        cert, key = pki_pair()  # self-signed: not issued by the CA the sandbox trusts
        self.company.write({"kvk_pki_certificate": cert, "kvk_pki_key": key})
        wizard = self.select_and_apply()
        self.assertIn("refused the secure connection", wizard.message)
        self.assertEqual(self.kvk_calls("/kvk/dataservice"), [])
        self.assertEqual([reason for _, reason in self.sandbox.tls_refusals], ["CERTIFICATE_VERIFY_FAILED"])
        log = self.company_logs([("product", "=", "dataservice")])
        self.assertRecordValues(log, [{"state": "error", "error_code": "tls_refused"}])

    def test_without_the_ca_bundle_the_register_is_not_trusted(self):
        self.env["ir.config_parameter"].sudo().set_param(CA_BUNDLE_PARAM, False)
        with self.assertRaises(KvkError) as caught:
            self.env["kvk.service"].with_user(self.salesperson)._fetch_profile("69599084")
        self.assertEqual(caught.exception.code, "tls_untrusted")
        self.assertIn("not trusted", self.env["kvk.service"]._error_message(caught.exception))
        self.assertEqual(self.kvk_calls("/kvk/"), [])
