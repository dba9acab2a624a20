from odoo import fields, models

KVK_MODES = [
    ("production", "Production"),
    ("test", "KvK test environment"),
    ("sandbox", "Sandbox (local simulator)"),
]


class ResCompany(models.Model):
    _inherit = "res.company"

    kvk_mode = fields.Selection(
        KVK_MODES,
        string="KvK Environment",
        default="test",
        required=True,
        help="Production: the real register, paid calls are billed. "
        "KvK test environment: KvK's public test data with its public test key. "
        "Sandbox: the project's local simulator (demo and tests).",
    )
    kvk_api_key = fields.Char(
        string="KvK API Key",
        groups="base.group_system",
        copy=False,
        help="The key of the company's private connection, sent as the 'apikey' header.",
    )
    kvk_timeout = fields.Integer(
        string="KvK Timeout (s)",
        default=10,
        help="Seconds to wait for an answer before reporting that the register does not answer.",
    )

    kvk_connection = fields.Selection(
        [("private", "Private (API key)"), ("public", "Public sector (PKIoverheid certificate)")],
        string="KvK Connection",
        default="private",
        required=True,
        help="Public sector: company lookups go to the KvK Dataservice over mutual TLS with a signed request, "
        "which also returns confidential data (BSN, private addresses of officers).",
    )
    kvk_pki_certificate = fields.Binary(
        string="PKIoverheid Certificate (PEM)", groups="base.group_system", attachment=False, copy=False
    )
    kvk_pki_key = fields.Binary(
        string="PKIoverheid Private Key (PEM)", groups="base.group_system", attachment=False, copy=False
    )
    kvk_price_dataservice = fields.Float(string="Dataservice Price", digits=(12, 4), default=0.0)
    # Products of the private connection: which are used, and what a call costs.
    kvk_use_basisprofiel = fields.Boolean(string="Use Basisprofiel", default=True)
    kvk_use_vestigingsprofiel = fields.Boolean(string="Use Vestigingsprofiel", default=True)
    kvk_use_naamgeving = fields.Boolean(string="Use Naamgeving", default=False)
    kvk_price_basisprofiel = fields.Float(string="Basisprofiel Price", digits=(12, 4), default=0.019)
    kvk_price_vestigingsprofiel = fields.Float(string="Vestigingsprofiel Price", digits=(12, 4), default=0.019)
    kvk_price_naamgeving = fields.Float(string="Naamgeving Price", digits=(12, 4), default=0.019)
    kvk_cache_hours = fields.Integer(
        string="KvK Cache (hours)",
        default=24,
        help="A paid answer is reused for this many hours instead of paying for the same call again. 0: no cache.",
    )
    kvk_monthly_cap = fields.Float(
        string="KvK Monthly Cap",
        digits=(12, 2),
        help="Paid calls stop when this month's cost would exceed this amount. 0: no cap.",
    )

    _sql_constraints = [
        ("kvk_timeout_positive", "CHECK(kvk_timeout > 0)", "The KvK timeout must be at least one second."),
        ("kvk_cache_hours_positive", "CHECK(kvk_cache_hours >= 0)", "The KvK cache time cannot be negative."),
        ("kvk_monthly_cap_positive", "CHECK(kvk_monthly_cap >= 0)", "The KvK monthly cap cannot be negative."),
        (
            "kvk_prices_positive",
            "CHECK(kvk_price_basisprofiel >= 0 AND kvk_price_vestigingsprofiel >= 0 AND kvk_price_naamgeving >= 0)",
            "KvK prices cannot be negative.",
        ),
    ]
