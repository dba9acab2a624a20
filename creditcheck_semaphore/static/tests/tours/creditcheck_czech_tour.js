import { registry } from "@web/core/registry";

// English labels of the CreditCheck screens: none of them may be left once the user reads Czech.
// (":contains" ignores case: a label such as "Red" would match "CreditCheck"; the colours are
// checked in Czech where they are shown instead.)
const ENGLISH_HEADER = [
    "Acknowledge",
    "Undo acknowledgement",
    "Check now",
    "checks left",
    "Deactivate",
    "CreditcheckList report",
    "The status is provided",
    "information only",
    "Defunct subject",
];
const ENGLISH_TAB = [
    "CreditCheck Status",
    "CreditCheck Record ID",
    "Defunct Subject",
    "Last CreditCheck Sync",
    "Status Changed",
    "Acknowledged Record ID",
    "Acknowledged by",
    "Acknowledged on",
];
const ENGLISH_DEACTIVATE = [
    "Deactivate the CreditCheck semaphore",
    "Every partner of this company",
    "Reason",
    "For example",
    "Deactivate",
    "Cancel",
];
const ENGLISH_EVENTS = [
    "CreditCheck Events",
    "Received",
    "Country",
    "Partners",
    "Record ID",
    "Status",
    "Acknowledge",
    "Undo",
    "Orange",
    "Czech Republic",
    "To acknowledge",
];
const ENGLISH_LOG = [
    "CreditCheck Sync Log",
    "Start",
    "Country",
    "Kind",
    "Method",
    "Lines Read",
    "Lines Applied",
    "Lines Rejected",
    "Orange lines",
    "Red lines",
    "Partners Changed",
    "Error",
    "Done",
    "Complete refresh",
    "Change tracking",
    "Czech Republic",
];
const ENGLISH_DEACTIVATIONS = [
    "Deactivated Semaphores",
    "No CreditCheck semaphore",
    "switches off the semaphore",
    "Reactivate",
];
const ENGLISH_OVERRIDE = [
    "CreditCheck shows",
    "CreditCheck alerts block",
    "confirming a sale order",
    "An override needs a reason",
    "Override with a reason",
    "The reason is posted",
    "Why this activity",
    "Override and continue",
    "Cancel",
];
const ENGLISH_SETTINGS = [
    "Environment",
    "calls go to",
    "Test connection",
    "API account",
    "No login entered",
    "Timeout",
    "seconds",
    "Synchronisation",
    "Countries",
    "Nightly refresh",
    "o'clock",
    "your time zone",
    "times a year",
    "Defunct subjects",
    "Downloads",
    "of the last applied list",
    "Synchronise now",
    "Sync log",
    "Fetch the defunct list now",
    "Scheduled jobs",
    "Complete refresh",
    "Change tracking",
    "Checks of one subject",
    "Messages and to-dos",
    "Daily digest",
    "not run yet",
    "subjects applied",
    "used in the last 24 hours",
    "Alerts",
    "Activities",
    "Quotations",
    "Order Confirmation",
    "Invoice Posting",
    "Paid report code",
];

function without(scope, labels) {
    return scope + labels.map((label) => `:not(:contains(${label}))`).join("");
}

registry.category("web_tour.tours").add("creditcheck_semaphore_czech_partner_tour", {
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
            content: "Choose Czech",
            trigger: ".modal .o_field_widget[name='lang'] select",
            run: "selectByLabel Čeština",
        },
        {
            content: "Save: the page reloads in Czech",
            trigger: ".modal button[name='preference_save']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The CreditCheck line speaks Czech",
            trigger:
                ".o_creditcheck_header:has(.badge.text-bg-danger:contains(Červená)):has(button.o_creditcheck_acknowledge:contains(Vzít na vědomí)):has(button.o_creditcheck_check_now:contains(Ověřit nyní))",
        },
        {
            content: "No English left in the CreditCheck line",
            trigger: without(".o_creditcheck_header", ENGLISH_HEADER),
        },
        {
            content: "Acknowledge the status",
            trigger: "button.o_creditcheck_acknowledge",
            run: "click",
        },
        {
            content: "The badge keeps its colour, marked acknowledged, in Czech; the undo too",
            trigger:
                ".o_creditcheck_header:has(.badge.text-bg-danger:contains(Červená, vzato na vědomí)):has(button.o_creditcheck_unacknowledge:contains(Vrátit vzetí na vědomí))",
        },
        {
            content: "Still no English in the CreditCheck line",
            trigger: without(".o_creditcheck_header", ENGLISH_HEADER),
        },
        {
            content: "Undo the acknowledgement",
            trigger: "button.o_creditcheck_unacknowledge",
            run: "click",
        },
        {
            content: "Red again, to acknowledge",
            trigger:
                ".o_creditcheck_header:has(.badge.text-bg-danger:contains(Červená):not(:contains(vzato))):has(button.o_creditcheck_acknowledge)",
        },
        {
            content: "The events button speaks Czech",
            trigger: ".o_form_view button[name='action_creditcheck_events']:contains(Události CreditCheck)",
        },
        {
            content: "Open the CreditCheck tab",
            trigger: ".o_form_view .o_notebook a.nav-link:contains(CreditCheck)",
            run: "click",
        },
        {
            content: "Its labels in Czech",
            trigger:
                ".o_form_view .o_notebook .tab-pane.active:has(label:contains(Stav CreditCheck)):has(label:contains(Poslední synchronizace CreditCheck))",
        },
        {
            content: "No English left on the tab",
            trigger: without(".o_form_view .o_notebook .tab-pane.active", ENGLISH_TAB),
        },
        {
            content: "Open the deactivation wizard",
            trigger: "button.o_creditcheck_deactivate",
            run: "click",
        },
        {
            content: "The wizard speaks Czech",
            trigger: ".modal:has(.modal-title:contains(Deaktivovat semafor CreditCheck)):has(label:contains(Důvod))",
        },
        {
            content: "No English in the wizard",
            trigger: without(".modal", ENGLISH_DEACTIVATE),
        },
        {
            content: "Close it",
            trigger: ".modal .modal-footer button:contains(Zrušit)",
            run: "click",
        },
        {
            content: "Open the partner's events",
            trigger: "body:not(:has(.modal)) .o_form_view button[name='action_creditcheck_events']",
            run: "click",
        },
        {
            content: "The events list in Czech",
            trigger:
                ".o_list_view:has(th:contains(Přijato)):has(th:contains(ID záznamu)):has(.o_data_row .badge:contains(Červená))",
        },
        {
            content: "No English in the events list",
            trigger: without(".o_action_manager", ENGLISH_EVENTS),
        },
    ],
});

registry.category("web_tour.tours").add("creditcheck_semaphore_czech_lists_tour", {
    steps: () => [
        {
            content: "The sync log in Czech",
            trigger:
                ".o_list_view:has(th:contains(Začátek)):has(th:contains(Přečtené řádky)):has(.o_data_row:contains(Úplná aktualizace))",
        },
        {
            content: "No English in the sync log",
            trigger: without(".o_action_manager", ENGLISH_LOG),
        },
    ],
});

registry.category("web_tour.tours").add("creditcheck_semaphore_czech_deactivations_tour", {
    steps: () => [
        {
            content: "The empty list says in Czech what will appear",
            trigger: ".o_view_nocontent:contains(Žádný semafor CreditCheck není vypnutý):contains(Deaktivovat)",
        },
        {
            content: "No English in the list",
            trigger: without(".o_action_manager", ENGLISH_DEACTIVATIONS),
        },
    ],
});

registry.category("web_tour.tours").add("creditcheck_semaphore_czech_override_tour", {
    steps: () => [
        {
            content: "The order's banner in Czech",
            trigger: ".o_creditcheck_alert:contains(CreditCheck uvádí):contains(Červená)",
        },
        {
            content: "Confirm the order",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_confirm']:visible:first",
            run: "click",
        },
        {
            content: "The block says why, in Czech",
            trigger: ".modal:contains(Upozornění CreditCheck blokuje):contains(potvrzení prodejní objednávky)",
        },
        {
            content: "No English in the block",
            trigger: without(".modal", ENGLISH_OVERRIDE),
        },
        {
            content: "Override with a reason",
            trigger: ".modal .modal-footer button:contains(Obejít s uvedením důvodu)",
            run: "click",
        },
        {
            content: "The override wizard in Czech",
            trigger: ".modal:has(.modal-title:contains(Obejít blokaci CreditCheck)):contains(Důvod se zapíše do chatteru dokladu)",
        },
        {
            content: "No English in the override wizard",
            trigger: without(".modal", ENGLISH_OVERRIDE),
        },
        {
            content: "Close it",
            trigger: ".modal .modal-footer button:contains(Zrušit)",
            run: "click",
        },
        {
            content: "Back on the order, still a quotation",
            trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_buttons button[name='action_confirm']",
        },
    ],
});

registry.category("web_tour.tours").add("creditcheck_semaphore_czech_settings_tour", {
    steps: () => [
        {
            content: "The CreditCheck settings in Czech",
            trigger:
                ".app_settings_block[data-key='creditcheck_semaphore']:has(#creditcheck_environment:contains(Prostředí)):has(button.o_creditcheck_test_connection:contains(Otestovat připojení))",
        },
        {
            content: "Units in Czech",
            trigger:
                ".app_settings_block[data-key='creditcheck_semaphore']:has(#creditcheck_timeout:contains(sekund)):has(#creditcheck_defunct_per_year:contains(krát za rok)):has(#creditcheck_refresh_hour:contains(vaše časové pásmo))",
        },
        {
            content: "The jobs' last runs in Czech",
            trigger:
                ".app_settings_block[data-key='creditcheck_semaphore'] #creditcheck_job_complete:contains(Česko: ):contains(použité subjekty: )",
        },
        {
            content: "No English left in the CreditCheck settings",
            trigger: without(".app_settings_block[data-key='creditcheck_semaphore']", ENGLISH_SETTINGS),
        },
        {
            content: "Test the connection",
            trigger: "button.o_creditcheck_test_connection",
            run: "click",
        },
        {
            content: "The answer in Czech",
            trigger: ".o_notification:has(.o_notification_bar.bg-success):contains(připojení funguje)",
        },
    ],
});
