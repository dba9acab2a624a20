import base64
import datetime
import json

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..clients import KvkError
from .common import KvkCase


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
            self.env["kvk.service"].with_user(self.salesperson).fetch_profile("69599084")
        except KvkError as error:
            self.assertEqual(error.code, "certificate")
            self.assertIn("PKIoverheid", self.env["kvk.service"]._error_message(error))
        else:
            self.fail("no KvkError")
        self.assertEqual(self.kvk_calls("/kvk/dataservice"), [])
        self.assertEqual(self.company_logs([], limit=1).error_code, "certificate")

    def test_side_branches_still_use_the_api(self):
        profile = self.env["kvk.service"].fetch_profile("69599084", "000038509520", "nevenvestiging")
        self.assertEqual(profile.branch_number, "000038509520")
        self.assertEqual(len(self.kvk_calls("/kvk/api/v1/vestigingsprofielen")), 1)
