{
    "name": "KvK Handelsregister Connector",
    "summary": "Dutch KvK Handelsregister on the contact: suggestions while typing, search, preview and fill, "
    "weekly refresh, query log with costs, register extracts",
    "version": "18.0.1.2.0",
    "category": "Sales/CRM",
    "author": "Register Connectors",
    "license": "LGPL-3",
    "depends": ["base_setup", "contacts", "mail", "web"],
    "external_dependencies": {"python": ["requests", "zeep", "lxml", "phonenumbers", "python-stdnum", "pyarrow"]},
    "data": [
        "security/kvk_connector_groups.xml",
        "security/ir.model.access.csv",
        "security/kvk_connector_security.xml",
        "data/ir_cron.xml",
        "report/kvk_reports.xml",
        "views/res_config_settings_views.xml",
        "views/kvk_settings_status_views.xml",
        "views/res_partner_views.xml",
        "wizards/kvk_search_wizard_views.xml",
        "views/kvk_query_log_views.xml",
        "views/kvk_job_run_views.xml",
    ],
    "demo": ["demo/kvk_connector_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "kvk_connector/static/src/js/*.js",
            "kvk_connector/static/src/xml/*.xml",
        ],
        "web.assets_tests": ["kvk_connector/static/tests/tours/*.js"],
    },
    "installable": True,
    "application": False,
}
