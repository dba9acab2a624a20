import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("social_debt_check_supplier_tour", {
    steps: () => [
        {
            content: "Open the supplier's Social Debt tab",
            trigger: ".o_form_view .o_notebook a:contains(Social Debt)",
            run: "click",
        },
        {
            content: "Not checked yet",
            trigger: ".o_social_debt_header .o_social_debt_badge:contains(Not checked)",
        },
        {
            content: "Check the supplier now",
            trigger: "button.o_social_debt_check_now",
            run: "click",
        },
        {
            content: "The verdict states both debts",
            trigger: ".o_social_debt_header .o_social_debt_badge:contains(Social and tax debt)",
        },
        {
            content: "A debt answer holds on its own day only",
            trigger: ".o_social_debt_header .o_social_debt_validity:contains(Valid today only)",
        },
    ],
});

registry.category("web_tour.tours").add("social_debt_pay_bill_tour", {
    steps: () => [
        {
            content: "The bill says the supplier falls under the withholding, with its verdict",
            trigger: ".o_social_debt_bill_banner:contains(Social and tax debt)",
        },
        {
            content: "Pay the bill",
            trigger: ".o_form_view button[name=action_register_payment]:visible",
            run: "click",
        },
        {
            content: "The dialog proposes the split before confirming",
            trigger: ".modal .o_social_debt_split_alert:contains(to the RSZ)",
        },
        {
            content: "35 % of the amount without VAT to the RSZ",
            trigger: ".modal .o_social_debt_split td.o_sd_rsz:contains(350.00)",
        },
        {
            content: "15 % to the FOD Financiën, the rest to the supplier",
            trigger: ".modal .o_social_debt_split:has(td.o_sd_fod:contains(150.00)):has(td.o_sd_supplier:contains(710.00))",
        },
        {
            content: "Create the payments",
            trigger: ".modal button[name=action_create_payments]:visible",
            run: "click",
        },
        {
            content: "The bill is paid by three payments",
            trigger: "button.oe_stat_button:contains(Payments):contains(3)",
            run: "click",
        },
        {
            content: "The RSZ's share",
            trigger: ".o_list_view .o_data_row:contains(RSZ/ONSS):contains(350.00)",
        },
        {
            content: "The FOD Financiën's share",
            trigger: ".o_list_view .o_data_row:contains(FOD Financiën):contains(150.00)",
        },
        {
            content: "Open the supplier's share",
            trigger: ".o_list_view .o_data_row:contains(710.00) td.o_data_cell:first",
            run: "click",
        },
        {
            content: "The payment names its role, the withheld payments and the check that was valid that day",
            trigger:
                ".o_form_view:has(.o_field_widget[name=social_debt_role]:contains(Supplier's share))" +
                ":has(.o_field_widget[name=social_debt_withholding_ids] .o_tag:nth-of-type(2))" +
                " .o_field_widget[name=social_debt_check_id]:contains(0428.759.497)",
        },
        {
            content: "The proof of the check is attached to the payment",
            trigger: ".o-mail-Chatter .o-mail-Message:contains(attached as proof)",
        },
        {
            content: "... as a PDF",
            trigger: ".o-mail-Chatter .o-mail-AttachmentCard:contains(Social debt check)",
        },
    ],
});

registry.category("web_tour.tours").add("social_debt_settings_tour", {
    steps: () => [
        {
            content: "The Social Debt section is in the Settings page",
            trigger: "#social_debt_environment",
        },
        {
            content: "The sandbox's endpoint is shown, and no production address while the sandbox is chosen",
            trigger:
                "#social_debt_environment .o_social_debt_endpoint:contains(/ksz/EmployerAccountBalance)" +
                ":not(:contains(fgov.be))",
        },
        {
            content: "... nor the production endpoints to enter",
            trigger: ".app_settings_block[data-key=social_debt]:not(:has(#social_debt_endpoint))",
        },
        {
            content: "Without a certificate of its own, the settings say what signs the requests in the sandbox",
            trigger: "#social_debt_certificate .o_social_debt_certificate_note:contains(demo certificate)",
        },
        {
            content: "Choose production",
            trigger: "#social_debt_environment select",
            run: "selectByLabel Production",
        },
        {
            content: "The endpoint shown follows the choice",
            trigger:
                "#social_debt_environment .o_social_debt_endpoint:contains(not entered yet)" +
                ":not(:contains(/ksz/EmployerAccountBalance))",
        },
        {
            content: "... the tax debt's production address too",
            trigger: "#social_debt_environment .o_social_debt_fiscal_endpoint:contains(b2b.kszbcss.fgov.be)",
        },
        {
            content: "... and the production endpoints can be entered",
            trigger: "#social_debt_endpoint input",
        },
        {
            content: "Back to the sandbox",
            trigger: "#social_debt_environment select",
            run: "selectByLabel Sandbox",
        },
        {
            content: "The sandbox's endpoint again",
            trigger: "#social_debt_environment .o_social_debt_endpoint:contains(/ksz/EmployerAccountBalance)",
        },
        {
            content: "Save the settings: the page reloads",
            trigger: ".o_form_button_save",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The settings page shows again, saved in the sandbox",
            trigger: "#social_debt_environment .o_social_debt_endpoint:contains(/ksz/EmployerAccountBalance)",
        },
        {
            content: "Test the connection",
            trigger: "#social_debt_environment button.o_social_debt_test_connection",
            run: "click",
        },
        {
            content: "It says plainly that the connection works",
            trigger: ".o_notification:has(.o_notification_bar.bg-success):contains(the connection works)",
        },
        {
            content: "Units on every number: seconds",
            trigger: "#social_debt_timeout span:contains(seconds)",
        },
        {
            content: "Units on every number: days of validity",
            trigger: "#social_debt_validity span:contains(days)",
        },
        {
            content: "Units on every number: days kept",
            trigger: "#social_debt_retention span:contains(days)",
        },
        {
            content: "The daily re-check's last run, with its count",
            trigger: "#social_debt_job_monitor .o_social_debt_job_monitor:contains(Last run):contains(suppliers asked: 2)",
        },
        {
            content: "The grouped checks' last send and collect",
            trigger:
                "#social_debt_job_batches:has(.o_social_debt_job_send:contains(questions sent: 2))" +
                ":has(.o_social_debt_job_collect:contains(answers applied: 2))",
        },
        {
            content: "The clean-up has not run yet",
            trigger: "#social_debt_job_housekeeping .o_social_debt_job_housekeeping:contains(not run yet)",
        },
    ],
});

// English labels of the addon's screens: none of them may be left once the user reads French (or Dutch).
const ENGLISH_TAB = [
    "Social Debt",
    "Check now",
    "Check for a public procurement",
    "All checks",
    "Enterprise number",
    "RSZ Number",
    "Withholding Scope",
    "Latest answer",
    "Answer of",
    "Valid Until",
    "Tax Debt",
    "Missing Quarters",
    "Latest Social Debt Check",
    "Valid today only",
    "Social and tax debt",
];
const ENGLISH_LIST = [
    "Answered At",
    "Supplier",
    "Enterprise Number",
    "Purpose",
    "Answer Date",
    "Valid Until",
    "Social Debt",
    "Tax Debt",
    "State",
    "Withholding (art.",
    "Synchronous",
    "Answered",
    "Social and tax debt",
];
const ENGLISH_CHECK_FORM = [
    "Answer",
    "Social side",
    "Tax side",
    "Proof (PDF)",
    "Legal Context",
    "Answered By",
    "Tax Debt Asked",
    "Reference",
    "Asked By",
    "Valid Today",
    "Attempts",
    "Duration",
    "Contributions",
    "Surcharges",
    "Interests",
    "Legal Costs",
    "Missing Quarters",
    "Payment Plan Followed",
    "Employer Name",
    "Employer Account Up To",
    "Tax Withholding",
    "Tax Status",
    "Social and tax debt",
];
const ENGLISH_WIZARD = [
    "withholding",
    "The payment is split",
    "to the RSZ",
    "to the supplier",
    "Supplier",
    "Enterprise number",
    "To the supplier",
    "answer of",
    "valid until",
    "Social and tax debt",
    "The proof of the check",
];
const ENGLISH_SETTINGS = [
    "KSZ/BCSS connection",
    "Environment",
    "Calls go to",
    "Tax debt:",
    "Test connection",
    "Social debt source",
    "Own enterprise number",
    "Sent:",
    "Certificate",
    "No certificate uploaded",
    "Legal contexts",
    "Timeout",
    "seconds",
    "Checks and withholding",
    "Check Tax Debt",
    "Daily Monitoring",
    "Responsible accountant",
    "Validity of a no-debt answer",
    "days",
    "Keep checks",
    "Scheduled jobs",
    "Daily re-check",
    "Last run",
    "not run yet",
    "Grouped checks",
    "Expiry and clean-up",
    "All runs",
    "Sandbox (local simulator)",
];

// One step per label, so that a failure names the English label that was found.
function noEnglish(content, scope, labels) {
    return labels.map((label) => ({
        content: `${content}: no "${label}"`,
        trigger: `${scope}:not(:contains(${label}))`,
    }));
}

registry.category("web_tour.tours").add("social_debt_french_supplier_tour", {
    steps: () => [
        {
            content: "Open the user menu",
            trigger: ".o_user_menu button",
            run: "click",
        },
        {
            content: "Open the preferences",
            trigger: ".dropdown-item[data-menu='settings']",
            run: "click",
        },
        {
            content: "Choose French",
            trigger: ".modal .o_field_widget[name='lang'] select",
            run: "selectByLabel Français",
        },
        {
            content: "Save: the page reloads in French",
            trigger: ".modal button[name='preference_save']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open the supplier's Social Debt tab, in French",
            trigger: ".o_form_view .o_notebook a:contains(Dettes sociales)",
            run: "click",
        },
        {
            content: "Not checked yet, in French",
            trigger: ".o_social_debt_header .o_social_debt_badge:contains(Non vérifié)",
        },
        {
            content: "Check the supplier now",
            trigger: "button.o_social_debt_check_now:contains(Vérifier maintenant)",
            run: "click",
        },
        {
            content: "The verdict and its validity in French",
            trigger:
                ".o_social_debt_header:has(.o_social_debt_badge:contains(Dettes sociales et fiscales))" +
                ":has(.o_social_debt_validity:contains(seulement))",
        },
        {
            content: "Labels in French",
            trigger:
                ".o_form_view .o_notebook .tab-pane.active:has(label:contains(entreprise)):has(label:contains(Dernière vérification))",
        },
        ...noEnglish("No English left on the Social Debt tab", ".o_form_view .o_notebook .tab-pane.active", ENGLISH_TAB),
        ...noEnglish("Nor in the notebook's tabs", ".o_form_view .o_notebook .o_notebook_headers", ["Social Debt"]),
    ],
});

registry.category("web_tour.tours").add("social_debt_french_checks_tour", {
    steps: () => [
        {
            content: "The checks list in French",
            trigger: ".o_list_view:has(th:contains(Fournisseur)):has(td:contains(Dettes sociales et fiscales))",
        },
        ...noEnglish("No English in the checks list", ".o_list_view", ENGLISH_LIST),
        {
            content: "Open the check",
            trigger: ".o_list_view .o_data_row td.o_data_cell:contains(Dettes sociales et fiscales)",
            run: "click",
        },
        {
            content: "The check in French",
            trigger: ".o_form_view:has(.o_form_statusbar button:contains(Preuve)):has(.o_group:contains(Volet social))",
        },
        ...noEnglish("No English on the check", ".o_form_view .o_form_sheet_bg", ENGLISH_CHECK_FORM),
        ...noEnglish("Nor in its header", ".o_form_view .o_form_statusbar", ENGLISH_CHECK_FORM),
    ],
});

registry.category("web_tour.tours").add("social_debt_french_payment_tour", {
    steps: () => [
        {
            content: "The bill's banner in French",
            trigger: ".o_social_debt_bill_banner:contains(Dettes sociales et fiscales):contains(Vérifier maintenant)",
        },
        ...noEnglish("No English in the banner", ".o_social_debt_bill_banner", ["Art. 30bis/30ter supplier", "Social debt:", "Check now"]),
        {
            content: "Pay the bill",
            trigger: ".o_form_view button[name=action_register_payment]:visible",
            run: "click",
        },
        {
            content: "The dialog proposes the split, in French",
            trigger: ".modal .o_social_debt_wizard .o_social_debt_split_alert:contains(ONSS)",
        },
        {
            content: "... with the split per supplier",
            trigger: ".modal .o_social_debt_wizard .o_social_debt_split td.o_sd_rsz:contains(350,00)",
        },
        ...noEnglish("No English in the dialog's withholding", ".modal .o_social_debt_wizard", ENGLISH_WIZARD),
    ],
});

registry.category("web_tour.tours").add("social_debt_french_settings_tour", {
    steps: () => [
        {
            content: "The Social Debt settings in French",
            trigger: ".app_settings_block[data-key=social_debt]:has(#social_debt_environment):contains(Connexion à la BCSS)",
        },
        {
            content: "The connection test's button in French",
            trigger: "#social_debt_environment button.o_social_debt_test_connection:contains(Tester la connexion)",
        },
        ...noEnglish("No English left in the Social Debt settings", ".app_settings_block[data-key=social_debt]", ENGLISH_SETTINGS),
    ],
});

registry.category("web_tour.tours").add("social_debt_dutch_supplier_tour", {
    steps: () => [
        {
            content: "Open the supplier's Social Debt tab, in Dutch",
            trigger: ".o_form_view .o_notebook a:contains(Sociale schulden)",
            run: "click",
        },
        {
            content: "The verdict and the labels in Dutch",
            trigger:
                ".o_form_view .o_notebook .tab-pane.active:has(.o_social_debt_badge:contains(Geen schulden))" +
                ":has(label:contains(Ondernemingsnummer)):has(button:contains(Nu controleren))",
        },
        ...noEnglish("No English left on the Social Debt tab", ".o_form_view .o_notebook .tab-pane.active", ENGLISH_TAB),
    ],
});

registry.category("web_tour.tours").add("social_debt_demo_check_tour", {
    steps: () => [
        {
            content: "Open the demo contractor with debts",
            trigger: ".o_kanban_record:contains(Betonwerken De Smet NV)",
            run: "click",
        },
        {
            content: "Its Social Debt tab",
            trigger: ".o_form_view .o_notebook a:contains(Social Debt)",
            run: "click",
        },
        {
            content: "Not checked yet",
            trigger: ".o_social_debt_header .o_social_debt_badge:contains(Not checked)",
        },
        {
            content: "Check it now, against the sandbox",
            trigger: "button.o_social_debt_check_now",
            run: "click",
        },
        {
            content: "Social and tax debt, valid today only",
            trigger:
                ".o_social_debt_header:has(.o_social_debt_badge:contains(Social and tax debt))" +
                ":has(.o_social_debt_validity:contains(Valid today only))",
        },
        {
            content: "The answer's amounts carry their currency",
            trigger: ".o_field_widget[name=social_debt_amount]:contains(€)",
        },
    ],
});

registry.category("web_tour.tours").add("social_debt_demo_pay_tour", {
    steps: () => [
        {
            content: "The demo bill says the supplier falls under the withholding",
            trigger: ".o_social_debt_bill_banner:contains(Social and tax debt)",
        },
        {
            content: "Pay the bill",
            trigger: ".o_form_view button[name=action_register_payment]:visible",
            run: "click",
        },
        {
            content: "The split: 35 % of 1,000.00 to the RSZ, 15 % to the FOD Financiën, the rest to the supplier",
            trigger:
                ".modal .o_social_debt_split:has(td.o_sd_rsz:contains(350.00)):has(td.o_sd_fod:contains(150.00))" +
                ":has(td.o_sd_supplier:contains(500.00))",
        },
        {
            content: "Create the payments",
            trigger: ".modal button[name=action_create_payments]:visible",
            run: "click",
        },
        {
            content: "The bill is paid by three payments",
            trigger: "button.oe_stat_button:contains(Payments):contains(3)",
        },
    ],
});
