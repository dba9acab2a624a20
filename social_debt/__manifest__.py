{
    "name": "Belgian Social Debt (RSZ/ONSS)",
    "summary": "RSZ/ONSS social-debt checks of Belgian suppliers with dated proof and art. 30bis withholding",
    "version": "18.0.1.0.0",
    "category": "Accounting",
    "author": "Register Connectors",
    "license": "LGPL-3",
    "depends": ["base_setup", "contacts"],
    "external_dependencies": {"python": ["requests", "zeep", "lxml", "python-stdnum"]},
    "data": [
        "security/social_debt_groups.xml",
        "views/res_config_settings_views.xml",
    ],
    "demo": ["demo/social_debt_demo.xml"],
    "installable": True,
    "application": False,
}
