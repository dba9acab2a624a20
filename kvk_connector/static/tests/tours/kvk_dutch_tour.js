import { registry } from "@web/core/registry";

// English labels of the KvK screens: none of them may be left once the user reads Dutch.
const ENGLISH_FORM = [
    "Search register",
    "Print register extract",
    "Founding Date",
    "Trade Names",
    "Legal Form",
    "Statutory Name",
    "Main Activity",
    "Activities (SBI)",
    "Employees",
    "Linked to Register",
    "Register Data As Of",
    "Registration Kind",
    "Main branch",
];
const ENGLISH_DIALOG = [
    "Name and numbers",
    "Address",
    "House Number",
    "Results per Page",
    "Search",
    "Close",
];
const ENGLISH_PREVIEW = ["Founding date", "Fill Empty Fields Only", "Apply to contact", "Back to results", "Current", "Write"];
const ENGLISH_LOG = ["User interface", "Answered", "Cost (EUR)", "Channel"];

function without(scope, labels) {
    return scope + labels.map((label) => `:not(:contains(${label}))`).join("");
}

registry.category("web_tour.tours").add("kvk_connector_dutch_tour", {
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
            content: "Choose Dutch",
            trigger: ".modal .o_field_widget[name='lang'] select",
            run: "selectByLabel Nederlands",
        },
        {
            content: "Save: the page reloads in Dutch",
            trigger: ".modal button[name='preference_save']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The KvK button speaks Dutch",
            trigger: ".o_form_view button.o_kvk_search_register:contains(Zoek in register)",
        },
        {
            content: "Open the register tab",
            trigger: ".o_form_view .o_notebook a:contains(Register (KvK))",
            run: "click",
        },
        {
            content: "Labels and dates in Dutch",
            trigger:
                ".o_form_view .o_notebook .tab-pane.active:has(label:contains(Oprichtingsdatum)):has(.o_field_widget[name='kvk_founding_display']:contains(maart 2017)):has(label:contains(Handelsnamen))",
        },
        {
            content: "No English left on the contact's KvK parts",
            trigger: without(".o_form_view .o_notebook .tab-pane.active", ENGLISH_FORM),
        },
        {
            content: "Nor in its header",
            trigger: without(".o_form_view .o_form_statusbar", ENGLISH_FORM),
        },
        {
            content: "Search the register",
            trigger: ".o_form_view button.o_kvk_search_register",
            run: "click",
        },
        {
            content: "The dialog speaks Dutch",
            trigger: ".modal:has(.o_kvk_search_wizard):contains(Naam en nummers)",
        },
        {
            content: "No English in the search dialog",
            trigger: without(".modal:has(.o_kvk_search_wizard)", ENGLISH_DIALOG),
        },
        {
            content: "Search",
            trigger: ".modal button.o_kvk_do_search",
            run: "click",
        },
        {
            content: "Pick the main branch",
            trigger: ".modal .o_kvk_results tr:has(td:contains(000037178598)) button.o_kvk_select",
            run: "click",
        },
        {
            content: "The preview in Dutch, dates too",
            trigger: ".modal .o_kvk_preview tr:has(td:contains(Oprichtingsdatum)) td:contains(maart 2017)",
        },
        {
            content: "No English in the preview",
            trigger: without(".modal:has(.o_kvk_preview)", ENGLISH_PREVIEW),
        },
        {
            content: "Close the dialog",
            trigger: ".modal .modal-footer button.btn-secondary:contains(Sluiten)",
            run: "click",
        },
        {
            content: "Open the contact's queries",
            trigger: "body:not(:has(.modal)) .o_form_view button[name='action_kvk_queries']",
            run: "click",
        },
        {
            content: "The query log in Dutch",
            trigger: ".o_list_view:has(th:contains(Kosten (EUR))):has(td:contains(Beantwoord))",
        },
        {
            content: "No English in the query log",
            trigger: without(".o_list_view", ENGLISH_LOG),
        },
    ],
});
