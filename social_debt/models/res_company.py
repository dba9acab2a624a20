from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..clients import enterprise_number

MODES = [("production", "Production"), ("sandbox", "Sandbox (local simulator)")]
BACKENDS = [
    ("ksz", "KSZ/BCSS: EmployerAccountBalance"),
    ("billretainment", "RSZ billRetainment"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    social_debt_mode = fields.Selection(MODES, string="KSZ Environment", default="production", required=True)
    social_debt_backend = fields.Selection(
        BACKENDS,
        string="Social Debt Source",
        default="ksz",
        required=True,
        help="KSZ/BCSS: the RSZ's EmployerAccountBalance (needs the KSZ's and the sectoral committee's "
        "authorisation). RSZ billRetainment: the withholding obligation per enterprise (needs an RSZ agreement).",
    )
    social_debt_endpoint = fields.Char(
        string="KSZ Endpoint",
        help="The EmployerAccountBalance service address the KSZ/BCSS gave this company at onboarding.",
    )
    social_debt_fiscal_endpoint = fields.Char(
        string="EnterpriseFiscalDebt Endpoint",
        default="https://b2b.kszbcss.fgov.be:4520/EnterpriseFiscalDebtService/v2/consult",
        help="The KSZ/BCSS address of the tax-debt check (FOD Financiën).",
    )
    social_debt_billretainment_endpoint = fields.Char(
        string="billRetainment Endpoint", help="The base address of the RSZ's billRetainment REST service."
    )
    social_debt_check_tax = fields.Boolean(
        string="Check Tax Debt",
        default=True,
        help="Also ask the FOD Financiën's tax debt (EnterpriseFiscalDebt through the KSZ/BCSS), so that one "
        "verdict states both the social and the tax side.",
    )
    social_debt_certificate = fields.Binary(
        string="KSZ Certificate",
        attachment=True,
        groups="base.group_system",
        copy=False,
        help="PEM file with the company's X.509 certificate and private key for the KSZ/BCSS.",
    )
    social_debt_certificate_password = fields.Char(
        string="Certificate Password", groups="base.group_system", copy=False
    )
    social_debt_legal_context = fields.Char(
        string="Legal Context (withholding)",
        default="Art30bis-Withholding",
        help="The legal context the KSZ/BCSS named in the authorisation, sent with checks for the art. 30bis/30ter "
        "withholding (at most 64 characters).",
    )
    social_debt_legal_context_procurement = fields.Char(
        string="Legal Context (public procurement)",
        default="Public-Procurement",
        help="The legal context sent with checks of bidders in a public procurement.",
    )
    social_debt_timeout = fields.Integer(string="Social Debt Timeout (s)", default=20)
    social_debt_validity_days = fields.Integer(
        string="No-Debt Validity (days)",
        default=0,
        help="How many days after its date a no-debt answer holds when the answer itself states no end date. "
        "0: on its own day only.",
    )
    social_debt_monitoring = fields.Boolean(
        string="Daily Monitoring",
        default=True,
        help="Re-check every day, in one grouped request, the in-scope suppliers that have open bills.",
    )
    social_debt_responsible_id = fields.Many2one(
        "res.users",
        string="Responsible Accountant",
        help="Gets an activity when the verdict of a supplier changes.",
    )
    social_debt_customer_number = fields.Char(
        string="Own Enterprise Number (KBO/BCE)",
        help="The enterprise number with which the company identifies itself to the KSZ/BCSS. Empty: the Company "
        "ID of a Belgian company, else its Belgian VAT number.",
    )
    social_debt_enterprise_number = fields.Char(
        string="Enterprise Number Sent", compute="_compute_social_debt_enterprise_number"
    )

    _sql_constraints = [
        ("social_debt_timeout_positive", "CHECK(social_debt_timeout > 0)", "The timeout must be at least a second."),
        (
            "social_debt_validity_days_positive",
            "CHECK(social_debt_validity_days >= 0)",
            "The validity of a no-debt answer cannot be negative.",
        ),
    ]

    @api.depends("social_debt_customer_number", "company_registry", "vat", "country_id")
    def _compute_social_debt_enterprise_number(self):
        for company in self:
            registry = company.company_registry if company.country_id.code == "BE" else ""
            vat = company.vat if (company.vat or "").upper().startswith("BE") else ""
            company.social_debt_enterprise_number = (
                enterprise_number(company.social_debt_customer_number)
                or enterprise_number(registry)
                or enterprise_number(vat)
            )

    @api.constrains("social_debt_customer_number")
    def _check_social_debt_customer_number(self):
        for company in self:
            if company.social_debt_customer_number and not enterprise_number(company.social_debt_customer_number):
                raise ValidationError(
                    self.env._(
                        "%(number)s is not a valid Belgian enterprise number (KBO/BCE, 10 digits, mod 97).",
                        number=company.social_debt_customer_number,
                    )
                )
