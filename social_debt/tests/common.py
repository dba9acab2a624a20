import base64
import datetime
import json
from urllib.request import Request, urlopen

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from odoo import Command
from odoo.tests import HttpCase, TransactionCase, new_test_user

from ..models.social_debt_service import SANDBOX_URL_PARAM

try:
    from sandbox.testing import SandboxCaseMixin
except ImportError as exc:  # pragma: no cover - a set-up error, not a test result
    raise ImportError(
        "social_debt's tests talk to the project's sandbox: put the repository root on PYTHONPATH (make test does)"
    ) from exc

# Enterprise numbers with a fixed scenario in the sandbox (sandbox/services/ksz.py, FIXED).
NO_DEBT = "0403019261"
BOTH_DEBTS = "0428759497"
PAYMENT_PLAN = "0685668254"
NO_DATA = "1999999943"
# Our own companies' enterprise numbers (valid mod 97).
OWN_NUMBER = "0477472701"
OTHER_NUMBER = "0414445663"


def certificate_pem(name="Bouwwerken Gent NV", password=b"sandbox"):
    """A self-signed certificate and its encrypted key in one PEM file, as the setting holds it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


class SocialDebtMixin(SandboxCaseMixin):
    """Two Belgian companies with accounting, whose KSZ connections point at a sandbox of the class's own."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(SANDBOX_URL_PARAM, cls.sandbox_url)
        # wkhtmltopdf fetches a report's stylesheets from Odoo's HTTP server, whose answer needs the
        # database that this test's uncommitted transaction (or, in an HttpCase, the request printing
        # the proof) holds: the two would wait for each other.  The stylesheets' address is closed
        # here (refused at once), so wkhtmltopdf prints the proofs unstyled, with all their content.
        cls.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        cls.pem = certificate_pem()
        cls.company = cls._make_company("Bouwwerken Gent NV", OWN_NUMBER)
        cls.company_2 = cls._make_company("Aannemer Brugge BV", OTHER_NUMBER)
        cls.env = cls.env(context=dict(cls.env.context, allowed_company_ids=cls.company.ids))
        cls.env.user.company_ids |= cls.company | cls.company_2
        cls.env.user.company_id = cls.company
        cls.checker = cls._user("sd-checker", "social_debt.group_social_debt_user,account.group_account_invoice")
        cls.accountant = cls._user("sd-accountant", "social_debt.group_social_debt_user,account.group_account_manager")
        cls.clerk = cls._user("sd-clerk", "account.group_account_invoice")
        cls.internal = cls._user("sd-internal", "base.group_user")
        cls.other = cls._user(
            "sd-other", "social_debt.group_social_debt_user,account.group_account_invoice", cls.company_2
        )
        cls.portal = new_test_user(
            cls.env, login="sd-portal", groups="base.group_portal", password="sd-portal-pass", company_id=cls.company.id
        )
        group = cls.env["account.tax.group"].create({"name": "BTW 21%", "company_id": cls.company.id})
        cls.tax_21 = cls.env["account.tax"].create(
            {
                "name": "21% purchase",
                "amount": 21.0,
                "type_tax_use": "purchase",
                "company_id": cls.company.id,
                "tax_group_id": group.id,
            }
        )
        cls.scope_tag = cls.env["res.partner.category"].create({"name": "Aannemers", "social_debt_scope": "art30bis"})

    @classmethod
    def _make_company(cls, name, number):
        company = cls.env["res.company"].create(
            {
                "name": name,
                "country_id": cls.env.ref("base.be").id,
                "currency_id": cls.eur.id,
                "company_registry": number,
                "social_debt_mode": "sandbox",
                "social_debt_certificate": base64.b64encode(cls.pem),
                "social_debt_certificate_password": "sandbox",
            }
        )
        cls.env["account.chart.template"].try_loading("generic_coa", company=company, install_demo=False)
        company.write({"account_fiscal_country_id": cls.env.ref("base.be").id, "currency_id": cls.eur.id})
        return company

    @classmethod
    def _user(cls, login, groups, company=None):
        company = company or cls.company
        return new_test_user(
            cls.env,
            login=login,
            password=f"{login}-pass",
            groups=f"base.group_user,{groups}",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
            email=f"{login}@example.com",
        )

    def setUp(self):
        super().setUp()
        self.sandbox_control.clear_faults()
        self.sandbox_control.clear_requests()
        self.simulate()

    # -- sandbox helpers ----------------------------------------------------------------------------

    def simulate(self, prefix="ksz", reset=True, **knobs):
        """Set ``knobs`` of the sandbox's simulation under ``prefix``, after a reset (knobs and batches)."""
        base = f"{self.sandbox_url}/{prefix}/_simulation"
        context = self.sandbox_control.ssl_context  # an HTTPS sandbox's CA, if the class runs one
        if reset:
            urlopen(Request(base, method="DELETE"), timeout=10, context=context).read()  # noqa: S310 - loopback URL
        if knobs:
            request = Request(base, data=json.dumps(knobs).encode(), method="POST")
            urlopen(request, timeout=10, context=context).read()  # noqa: S310 - loopback URL

    def enterprises(self, scenario, limit=1, offset=0):
        url = f"{self.sandbox_url}/ksz/_simulation/enterprises?scenario={scenario}&limit={limit}&offset={offset}"
        with urlopen(url, timeout=10, context=self.sandbox_control.ssl_context) as answer:  # noqa: S310 - loopback URL
            return [item["enterpriseNumber"] for item in json.loads(answer.read())["enterprises"]]

    def calls(self, prefix="/ksz/"):
        """The requests the service answered under ``prefix`` (not the tests' own control calls)."""
        return [
            call
            for call in self.sandbox_control.requests(prefix)
            if call["method"] == "POST" and "/_simulation" not in call["path"]
        ]

    # -- data helpers ------------------------------------------------------------------------------------

    def supplier(self, number, name=None, scope="art30bis", company=None, **values):
        return self.env["res.partner"].create(
            {
                "name": name or f"Aannemer {number}",
                "is_company": True,
                "country_id": self.env.ref("base.be").id,
                "company_registry": number,
                "social_debt_scope": scope,
                **values,
            }
        )

    def bill(self, partner, untaxed, date=None, company=None, tax=True, ref=None):
        company = company or self.company
        env = self.env(context=dict(self.env.context, allowed_company_ids=company.ids))
        move = env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": partner.id,
                "invoice_date": date or datetime.date.today(),
                "ref": ref,
                "company_id": company.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Werken",
                            "quantity": 1,
                            "price_unit": untaxed,
                            "tax_ids": [Command.set(self.tax_21.ids if tax and company == self.company else [])],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def register(self, bills, user=None, **values):
        """The payment wizard on ``bills``, as ``user``."""
        env = self.env(context=dict(self.env.context, allowed_company_ids=bills.company_id.ids))
        env = env(user=user) if user else env
        return (
            env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=bills.ids)
            .create(values)
        )


class SocialDebtCase(SocialDebtMixin, TransactionCase):
    pass


class SocialDebtHttpCase(SocialDebtMixin, HttpCase):
    pass
