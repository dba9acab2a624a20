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

    _sql_constraints = [
        ("kvk_timeout_positive", "CHECK(kvk_timeout > 0)", "The KvK timeout must be at least one second."),
    ]
