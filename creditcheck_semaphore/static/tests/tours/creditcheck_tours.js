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
            content: "The badge is hidden",
            trigger: ".o_creditcheck_header .badge:contains(Acknowledged)",
        },
        {
            content: "Back to the list",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "The list no longer shows red for Sazka",
            trigger: sazkaBadge("Acknowledged"),
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
