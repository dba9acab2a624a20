{
    "name": "Belgian Social Debt (RSZ/ONSS)",
    "summary": "Social- and tax-debt checks of Belgian suppliers (RSZ/ONSS through the KSZ/BCSS or billRetainment, "
    "FOD Financiën) with a dated proof, a daily re-check and the art. 30bis/30ter withholding split at payment",
    "version": "18.0.1.0.0",
    "category": "Accounting",
    "author": "Register Connectors",
    "license": "LGPL-3",
    "depends": ["base_setup", "contacts", "mail", "account"],
    "external_dependencies": {"python": ["requests", "zeep", "lxml", "python-stdnum"]},
    "data": [
        "security/social_debt_groups.xml",
        "security/ir.model.access.csv",
        "security/social_debt_security.xml",
        "data/ir_cron.xml",
        "data/social_debt_data.xml",
        "report/social_debt_reports.xml",
        "views/res_config_settings_views.xml",
        "views/res_partner_views.xml",
        "views/social_debt_check_views.xml",
        "views/account_views.xml",
    ],
    "demo": ["demo/social_debt_demo.xml"],
    "assets": {
        "web.assets_tests": ["social_debt/static/tests/tours/*.js"],
    },
    "installable": True,
    "application": False,
}
