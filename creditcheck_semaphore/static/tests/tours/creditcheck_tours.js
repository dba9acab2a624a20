import { registry } from "@web/core/registry";

const sazkaBadge = (label) =>
    `.o_list_view .o_data_row:contains(Sazka) td[name=creditcheck_badge] .badge:contains(${label})`;

registry.category("web_tour.tours").add("creditcheck_semaphore_acknowledge_tour", {
    steps: () => [
        {
            content: "The partner list shows a red badge for Sazka",
            trigger: sazkaBadge("Red"),
        },
        {
            content: "... and a green one for a partner without risk",
            trigger: ".o_list_view .o_data_row:contains(Quiet) td[name=creditcheck_badge] .badge:contains(Green)",
        },
        {
            content: "Open Sazka",
            trigger: ".o_list_view .o_data_row:contains(Sazka) td.o_data_cell:first",
            run: "click",
        },
        {
            content: "The form header has the badge, the report link and the disclaimer",
            trigger: ".o_creditcheck_header:has(.badge:contains(Red)):has(a[href*='CCLfree.aspx']):has(.o_creditcheck_disclaimer)",
        },
        {
            content: "Acknowledge the current record",
            trigger: "button.o_creditcheck_acknowledge",
            run: "click",
        },
        {
            content: "The badge keeps its colour, marked acknowledged",
            trigger: ".o_creditcheck_header .badge.text-bg-danger:contains(Red, acknowledged)",
        },
        {
            content: "Back to the list",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "The list shows Sazka red, acknowledged",
            trigger: sazkaBadge("Red, acknowledged"),
        },
    ],
});

registry.category("web_tour.tours").add("creditcheck_semaphore_new_record_tour", {
    steps: () => [
        {
            content: "A new record ID brings the red badge back",
            trigger: sazkaBadge("Red"),
        },
        {
            content: "Switch to the cards",
            trigger: ".o_switch_view.o_kanban",
            run: "click",
        },
        {
            content: "The card shows the badge too",
            trigger: ".o_kanban_record:contains(Sazka) .o_creditcheck_kanban .badge:contains(Red)",
        },
    ],
});

registry.category("web_tour.tours").add("creditcheck_semaphore_sale_tour", {
    steps: () => [
        {
            content: "Choose the red customer",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Sazka",
        },
        {
            content: "Pick it",
            trigger: ".o-autocomplete--dropdown-menu li a:contains(Sazka)",
            run: "click",
        },
        {
            content: "A CreditCheck alert pops up",
            trigger: ".modal:contains(CreditCheck alert):contains(Sazka a.s. as Red)",
        },
        {
            content: "Close the alert",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The order keeps warning about the CreditCheck status",
            trigger: "body:not(:has(.modal)) .o_creditcheck_alert:contains(Red)",
        },
        {
            content: "Save the quotation: a warning does not stop it",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved, the warning still shown",
            trigger: "body:not(:has(.o_form_dirty)) .o_creditcheck_alert:contains(Red)",
        },
    ],
});

const filterItem = (label) => `.o_filter_menu .o_menu_item:contains(${label})`;

registry.category("web_tour.tours").add("creditcheck_semaphore_filters_tour", {
    steps: () => [
        {
            content: "The partner list is there",
            trigger: ".o_list_view .o_data_row",
        },
        {
            content: "Open the filters",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Companies",
            trigger: filterItem("Companies"),
            run: "click",
        },
        {
            content: "CreditCheck red",
            trigger: filterItem("CreditCheck red"),
            run: "click",
        },
        {
            content: "Defunct subjects",
            trigger: filterItem("Defunct subjects"),
            run: "click",
        },
        {
            content: "Three facets, one per question: they narrow each other (AND), none ORs with another",
            trigger:
                ".o_searchview:has(.o_searchview_facet:contains(Companies):not(:contains(CreditCheck))):has(.o_searchview_facet:contains(CreditCheck red):not(:contains(Defunct)):not(:contains(Companies))):has(.o_searchview_facet:contains(Defunct subjects):not(:contains(red)))",
        },
        {
            content: "Only the defunct red company is listed, not the living red one nor the defunct person",
            trigger:
                ".o_list_view:has(.o_data_row:contains(Defunct Company)):not(:has(.o_data_row:contains(Living Red))):not(:has(.o_data_row:contains(Defunct Person)))",
        },
        {
            content: "CreditCheck orange as well: red or orange, still defunct companies only",
            trigger: filterItem("CreditCheck orange"),
            run: "click",
        },
        {
            content: "The colours share one facet",
            trigger: ".o_searchview_facet:contains(CreditCheck red):contains(CreditCheck orange):not(:contains(Defunct))",
        },
        {
            content: "Still only the defunct red company",
            trigger:
                ".o_list_view:has(.o_data_row:contains(Defunct Company)):not(:has(.o_data_row:contains(Living Red))):not(:has(.o_data_row:contains(Living Orange)))",
        },
    ],
});

registry.category("web_tour.tours").add("creditcheck_semaphore_settings_tour", {
    steps: () => [
        {
            content: "The CreditCheck section is in the Settings page",
            trigger: "#creditcheck_environment",
        },
        {
            content: "Production: the calls go to CreditCheck",
            trigger: "#creditcheck_environment .o_creditcheck_endpoint:contains(creditwebservices.creditcheck.cz)",
        },
        {
            content: "Choose the local sandbox",
            trigger: "#creditcheck_environment select",
            run: "selectByLabel Sandbox (local simulator)",
        },
        {
            content: "The endpoint shown follows the choice: no CreditCheck address while the sandbox is chosen",
            trigger:
                "#creditcheck_environment:not(:contains(creditwebservices.creditcheck)) .o_creditcheck_endpoint:contains(/creditcheck/cz/CreditCheckAktualizace.asmx)",
        },
        {
            content: "... and the production endpoints are not offered",
            trigger: "body:not(:has(#creditcheck_endpoints))",
        },
        {
            content: "Without a login, the settings say which account the sandbox gets",
            trigger: "#creditcheck_credentials .o_creditcheck_login_note:contains(api_sandbox)",
        },
        {
            content: "Save the settings: the page reloads",
            trigger: ".o_form_button_save",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The settings page shows again, saved in the sandbox",
            trigger: "#creditcheck_environment .o_creditcheck_endpoint:contains(/creditcheck/sk/CreditCheckAktualizace.asmx)",
        },
        {
            content: "Test the connection",
            trigger: "#creditcheck_environment button.o_creditcheck_test_connection",
            run: "click",
        },
        {
            content: "It says plainly that the connection works",
            trigger: ".o_notification:has(.o_notification_bar.bg-success):contains(the connection works)",
        },
        {
            content: "Units on every number: the timeout in seconds",
            trigger: "#creditcheck_timeout span:contains(seconds)",
        },
        {
            content: "Units on every number: the refresh hour in the administrator's time zone",
            trigger: "#creditcheck_refresh_hour:contains(your time zone):contains(Europe/Prague)",
        },
        {
            content: "Units on every number: defunct lists a year",
            trigger: "#creditcheck_defunct_per_year span:contains(times a year)",
        },
        {
            content: "Units on every number: MB and %",
            trigger: "#creditcheck_download:has(span:contains(MB)):has(span:contains(%))",
        },
        {
            content: "The last successful refresh with its counts",
            trigger: "#creditcheck_job_complete:contains(Czech: ):contains(subjects applied: )",
        },
        {
            content: "... and the jobs not run yet say so",
            trigger: "#creditcheck_job_defunct:contains(not run yet)",
        },
    ],
});
