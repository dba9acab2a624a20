import { registry } from "@web/core/registry";

// English texts of the KvK inbox and the profile form: none of them may be left once the user reads Dutch.
// ":contains" ignores case: words Dutch writes the same way (Contact, Website, Type, Postcode, Imports,
// criteria) are not listed.
const ENGLISH_INBOX = [
    "Updates",
    "Deleted",
    "Received",
    "Contact or registration",
    "KvK Number",
    "Profile",
    "Summary",
    "Fields to Review",
    "Responsible",
    "To review",
    "Update",
    "Partially applied",
    "Moved registration",
];
const ENGLISH_ITEM = [
    "Accept all",
    "Reject",
    "Mark as former organisation",
    "Responsible",
    "Origin",
    "Received",
    "Change signal",
    "Field",
    "On the Contact",
    "Register Before",
    "Register Now",
    "Contact Now",
    "To review",
    "Partially applied",
    "Applied",
    "Update",
    "Name",
    "Street",
    "Registration end",
    "registration ended",
    "Timestamp",
    "Changed Blocks",
    "Changed registration",
    "Termination",
    "Reason Code",
    "enterprise",
    "owner",
];
// KvK's dates read in Dutch: no English month may show (":contains" ignores case, a pattern does not:
// Dutch writes its months in lower case, several of them as English does)
const ENGLISH_MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
].map((month) => `/\\b${month}\\b/`);
const ENGLISH_NEW = ["New registrations in the KvK register", "No new registrations to review", "profiles"];
const ENGLISH_PROFILE = [
    "Test selection",
    "Bulk file",
    "Responsible",
    "Offer New Registrations",
    "Applied by KvK",
    "Filtered here",
    "applied by KvK",
    "filtered here",
    "SBI Codes",
    "Main Activity Only",
    "Postcode Ranges",
    "Municipalities",
    "Legal Forms",
    "Employees",
    "KvK Numbers",
    "Main Branches Only",
    "Left Out",
    "Followed",
    "New registrations",
    "Revenue groups",
];
const ENGLISH_BULK = ["KvK Bulk File", "Separator", "Encoding", "Column Mapping", "licensed", "A CSV file"];
const ENGLISH_SELECTION = [
    "Matches",
    "Size",
    "Rows Read",
    "Bad Rows",
    "Tested At",
    "KvK number",
    "Legal form",
    "City",
    "Companies that match",
    "Widen the criteria",
    "Bad rows",
    "to 20,000",
];

function without(scope, labels) {
    return scope + labels.map((label) => `:not(:contains(${label}))`).join("");
}

function openMenu(section, item) {
    return [
        {
            content: `Open the menu ${section}`,
            trigger: `.o_main_navbar .o_menu_sections button:contains(${section})`,
            run: "click",
        },
        {
            content: `Choose ${item}`,
            trigger: `.o-dropdown--menu .dropdown-item:contains(${item})`,
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("kvk_connector_dutch_inbox_tour", {
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
        // the Updates tab
        ...openMenu("KvK-inbox", "Wijzigingen"),
        {
            content: "The updates in Dutch",
            trigger:
                ".o_action_manager:has(.o_breadcrumb:contains(Wijzigingen)) .o_kvk_review_list:has(th:contains(Ontvangen)) .o_data_row:has(td:contains(68750110)):has(td:contains(Wijziging))",
        },
        {
            content: "No English in the Updates tab",
            trigger: without(".o_action_manager:has(.o_kvk_review_list)", ENGLISH_INBOX),
        },
        {
            content: "Open the update",
            trigger: ".o_kvk_review_list .o_data_row:has(td:contains(68750110)) td[name='name']",
            run: "click",
        },
        {
            content: "The review item in Dutch",
            trigger:
                ".o_form_view:has(.o_kvk_review_lines th:contains(Register nu)):has(.o_kvk_review_lines td:contains(Naam)) .o_form_statusbar:contains(Alles accepteren)",
        },
        {
            content: "No English on the review item",
            trigger: without(".o_form_view .o_form_sheet", ENGLISH_ITEM),
        },
        {
            content: "Nor in its header",
            trigger: without(".o_form_view .o_form_statusbar", ENGLISH_ITEM),
        },
        // the Deleted tab
        ...openMenu("KvK-inbox", "Verwijderd"),
        {
            content: "The ended registration in the Deleted tab",
            trigger:
                ".o_action_manager:has(.o_breadcrumb:contains(Verwijderd)) .o_kvk_review_list .o_data_row:has(td:contains(68727720))",
        },
        {
            content: "No English in the Deleted tab",
            trigger: without(".o_action_manager:has(.o_kvk_review_list)", ENGLISH_INBOX),
        },
        {
            content: "Open it",
            trigger: ".o_kvk_review_list .o_data_row:has(td:contains(68727720)) td[name='name']",
            run: "click",
        },
        {
            content: "The end of the registration as a Dutch reader reads it",
            trigger:
                ".o_form_view:has(.o_kvk_review_summary:contains(De inschrijving is beëindigd)) .o_kvk_review_lines td:contains(Einde inschrijving)",
        },
        {
            content: "No English on the deletion, no English month",
            trigger: without(".o_form_view .o_form_sheet", [...ENGLISH_ITEM, ...ENGLISH_MONTHS]),
        },
        {
            content: "Nor in its header",
            trigger: without(".o_form_view .o_form_statusbar:contains(voormalige organisatie)", ENGLISH_ITEM),
        },
        // the New tab, empty
        ...openMenu("KvK-inbox", "Nieuw"),
        {
            content: "The empty New tab says in Dutch what will appear",
            trigger: ".o_action_manager .o_view_nocontent:contains(Geen nieuwe inschrijvingen te beoordelen)",
        },
        {
            content: "No English in the New tab",
            trigger: without(".o_action_manager:has(.o_view_nocontent)", [...ENGLISH_INBOX, ...ENGLISH_NEW]),
        },
        // a profile
        ...openMenu("KvK-register", "Profielen"),
        {
            content: "Open the profile",
            trigger: ".o_list_view .o_data_row td:contains(Sport in Den Bosch)",
            run: "click",
        },
        {
            content: "The profile's criteria in Dutch",
            trigger:
                ".o_form_view:has(.o_kvk_criteria:contains(toegepast door KvK)):has(label:contains(Gemeenten))",
        },
        {
            content: "No English on the profile",
            trigger: without(".o_form_view .o_form_sheet", ENGLISH_PROFILE),
        },
        {
            content: "Nor in its header",
            trigger: without(".o_form_view .o_form_statusbar:has(button:contains(Importeren))", ENGLISH_PROFILE),
        },
        {
            content: "Open the bulk file tab",
            trigger: ".o_form_view .o_notebook a:contains(Bulkbestand)",
            run: "click",
        },
        {
            content: "No English about the bulk file",
            trigger: without(".o_form_view .o_notebook .tab-pane.active:has(label:contains(Kolomindeling))", ENGLISH_BULK),
        },
        {
            content: "Open the test selection",
            trigger: ".o_form_view .o_notebook a:contains(Testselectie)",
            run: "click",
        },
        {
            content: "The test selection in Dutch, its sample too",
            trigger:
                ".o_form_view .o_notebook .tab-pane.active:has(label:contains(Treffers)):has(.o_kvk_selection_sample th:contains(Plaats))",
        },
        {
            content: "No English in the test selection",
            trigger: without(".o_form_view .o_notebook .tab-pane.active:has(.o_kvk_selection_sample)", ENGLISH_SELECTION),
        },
    ],
});
