{
    "name": "CreditCheck Semaphore",
    "summary": "Green, orange and red CreditCheck risk badges for Czech and Slovak partners",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "author": "Register Connectors",
    "license": "LGPL-3",
    "depends": ["base_setup", "contacts"],
    "external_dependencies": {"python": ["requests", "zeep", "lxml", "python-stdnum"]},
    "data": [
        "security/creditcheck_semaphore_groups.xml",
        "views/res_config_settings_views.xml",
    ],
    "demo": ["demo/creditcheck_semaphore_demo.xml"],
    "installable": True,
    "application": False,
}
