import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("client_online_connector_send_tour", {
    steps: () => [
        {
            content: "On the client's card, send a document for approval",
            trigger: ".o_form_view button.o_client_online_send",
            run: "click",
        },
        {
            content: "The contact's PDF is picked",
            trigger: ".modal .o_client_online_send_wizard .o_field_widget[name='attachment_id'] input:value(jaarrekening 2024.pdf)",
        },
        {
            content: "Send it",
            trigger: ".modal button.o_client_online_do_send",
            run: "click",
        },
        {
            content: "The document waits in the queue",
            trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_status .o_arrow_button_current[data-value='queued']",
        },
        {
            content: "Send it now rather than at the next run",
            trigger: ".o_form_view button.o_client_online_send_now",
            run: "click",
        },
        {
            content: "The portal has it: it awaits the client's approval",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current[data-value='sent']",
        },
        {
            content: "with the portal's reference",
            trigger: ".o_form_view .o_field_widget[name='portal_ref'] span:contains(CO-)",
        },
    ],
});

registry.category("web_tour.tours").add("client_online_connector_follow_tour", {
    steps: () => [
        {
            content: "The list shows the document awaiting approval",
            trigger: ".o_list_view .o_data_row:has(td:contains(jaarrekening 2024.pdf)) td[name='state'] .badge.text-bg-info",
        },
        {
            content: "Open it",
            trigger: ".o_list_view .o_data_row td.o_data_cell:contains(jaarrekening 2024.pdf)",
            run: "click",
        },
        {
            content: "Ask the portal for its state",
            trigger: ".o_form_view button.o_client_online_refresh",
            run: "click",
        },
        {
            content: "The client approved it",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current[data-value='approved']",
        },
        {
            content: "Look at the file",
            trigger: ".o_form_view .o_notebook a[name='file']",
            run: "click",
        },
        {
            content: "It is in the folder of approved documents",
            trigger: ".o_form_view .o_field_widget[name='file_path'] span:contains(/tour/approved/jaarrekening 2024.pdf)",
        },
    ],
});

registry.category("web_tour.tours").add("client_online_connector_demo_tour", {
    steps: () => [
        {
            content: "Find the demo's test company among the contacts",
            trigger: ".o_kanban_view .o_kanban_record:contains(Testbedrijf SBR B.V.)",
            run: "click",
        },
        {
            content: "Send its declaration for approval",
            trigger: ".o_form_view button.o_client_online_send",
            run: "click",
        },
        {
            content: "The declaration attached to it is picked",
            trigger: ".modal .o_field_widget[name='attachment_id'] input:value(ob-aangifte 2025-Q3.xbrl)",
        },
        {
            content: "Its OB number is checked against the client before anything is sent",
            trigger: ".modal .o_client_online_check_ok:contains(The declaration's OB number is the client's.)",
        },
        {
            content: "Send it",
            trigger: ".modal button.o_client_online_do_send",
            run: "click",
        },
        {
            content: "Send it now rather than at the next run",
            trigger: "body:not(:has(.modal)) .o_form_view button.o_client_online_send_now",
            run: "click",
        },
        {
            content: "The button says what happened",
            trigger: ".o_notification:has(.o_notification_bar.bg-success):contains(awaits the client's approval)",
        },
        {
            content: "It awaits the client's approval",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current[data-value='sent']",
        },
    ],
});

registry.category("web_tour.tours").add("client_online_connector_settings_tour", {
    steps: () => [
        {
            content: "The ClientOnline block is in the Settings",
            trigger: "#client_online_environment",
        },
        {
            content: "The sandbox is chosen: its calls go to the sandbox, not to ClientOnline",
            trigger:
                "#client_online_environment .o_client_online_endpoint:contains(/clientonline/soap/2010/accordering):not(:contains(www.clientonline.nl))",
        },
        {
            content: "No production endpoint to edit while the sandbox is chosen",
            trigger: "body:not(:has(#client_online_endpoint:visible))",
        },
        {
            content: "Without an account, the settings say which one the sandbox gets",
            trigger: "#client_online_credentials .o_client_online_account_note:contains(sandbox-demo)",
        },
        {
            content: "Test the connection",
            trigger: "#client_online_environment button.o_client_online_test",
            run: "click",
        },
        {
            content: "It says plainly that the connection works",
            trigger: ".o_notification:has(.o_notification_bar.bg-success):contains(the connection works)",
        },
        {
            content: "Units on every number: minutes",
            trigger: "#client_online_interval span:contains(minutes)",
        },
        {
            content: "Units on every number: attempts and MB",
            trigger: "#client_online_attempts:has(span:contains(attempts)):has(span:contains(MB))",
        },
        {
            content: "Units on every number: seconds",
            trigger: "#client_online_file_types span:contains(seconds)",
        },
        {
            content: "The job's last successful run with its counts",
            trigger: "#client_online_status .o_client_online_job_last_run:contains(files picked up: 1)",
        },
        {
            content: "Choose production",
            trigger: "#client_online_environment select",
            run: "selectByLabel Production",
        },
        {
            content: "The address shown follows the choice",
            trigger: "#client_online_environment .o_client_online_endpoint:contains(https://www.clientonline.nl/soap/2010/accordering)",
        },
        {
            content: "and production's endpoint can be set",
            trigger: "#client_online_endpoint input",
        },
        {
            content: "Production without an account: the settings say nothing can be sent",
            trigger: "#client_online_credentials .o_client_online_account_note:contains(production needs the office's portal account)",
        },
        {
            content: "Discard the change",
            trigger: ".o_form_button_cancel",
            run: "click",
        },
        {
            content: "The sandbox again",
            trigger: "#client_online_environment .o_client_online_endpoint:not(:contains(www.clientonline.nl))",
        },
    ],
});

// The English texts of the addon whose Dutch translation differs, as the test hands them over (from the
// addon's nl.po); a text of the page equal to one of them is English left on a Dutch screen.
let englishTerms = null;

async function loadEnglishTerms() {
    if (!englishTerms) {
        const terms = await rpc("/web/dataset/call_kw/ir.config_parameter/get_param", {
            model: "ir.config_parameter",
            method: "get_param",
            args: ["client_online_connector.tour_english_terms"],
            kwargs: {},
        });
        englishTerms = new Set(JSON.parse(terms || "[]"));
        if (englishTerms.size < 100) {
            throw new Error(`only ${englishTerms.size} English terms to look for`);
        }
    }
    return englishTerms;
}

function pageTexts(scope) {
    const texts = [];
    for (const root of document.querySelectorAll(scope)) {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
            const text = walker.currentNode.nodeValue.replace(/\s+/g, " ").trim();
            if (text && walker.currentNode.parentElement.closest("[style*='display: none'], .d-none") === null) {
                texts.push(text);
            }
        }
        for (const element of root.querySelectorAll("[placeholder], [title], [data-tooltip]")) {
            for (const name of ["placeholder", "title", "data-tooltip"]) {
                const value = (element.getAttribute(name) || "").replace(/\s+/g, " ").trim();
                if (value) {
                    texts.push(value);
                }
            }
        }
    }
    return texts;
}

function noEnglish(scope, description) {
    return {
        content: `No English left: ${description}`,
        trigger: scope,
        run: async () => {
            const terms = await loadEnglishTerms();
            const english = pageTexts(scope).filter((text) => terms.has(text));
            if (english.length) {
                throw new Error(`English on the Dutch ${description}: ${[...new Set(english)].join(" | ")}`);
            }
        },
    };
}

registry.category("web_tour.tours").add("client_online_connector_dutch_tour", {
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
            content: "The client's button speaks Dutch",
            trigger: ".o_form_view button.o_client_online_send:contains(Ter accordering aanbieden)",
        },
        {
            content: "Open the ClientOnline tab",
            trigger: ".o_form_view .o_notebook a[name='client_online']",
            run: "click",
        },
        {
            content: "Its labels in Dutch",
            trigger: ".o_form_view .o_notebook .tab-pane.active label:contains(Loonheffingennummer)",
        },
        noEnglish(".o_form_view .o_notebook .tab-pane.active", "ClientOnline tab"),
        noEnglish(".o_form_view .o-form-buttonbox", "contact's buttons"),
        {
            content: "Send for approval",
            trigger: ".o_form_view button.o_client_online_send",
            run: "click",
        },
        {
            content: "The dialog speaks Dutch",
            trigger: ".modal .o_client_online_send_wizard .o_client_online_check_ok",
        },
        noEnglish(".modal:has(.o_client_online_send_wizard)", "send dialog"),
        {
            content: "Close the dialog",
            trigger: ".modal .modal-footer button:contains(Annuleren)",
            run: "click",
        },
        {
            content: "Open the client's documents",
            trigger: "body:not(:has(.modal)) .o_form_view button.o_client_online_stat",
            run: "click",
        },
        {
            content: "The client's documents, by state in Dutch: open the group",
            trigger: ".o_list_view .o_group_header:contains(Ter accordering)",
            run: "click",
        },
        {
            content: "The documents list in Dutch",
            trigger: ".o_list_view .o_data_row td[name='state'] .badge:contains(Ter accordering)",
        },
        noEnglish(".o_list_view", "documents list"),
        noEnglish(".o_control_panel", "documents list's control panel"),
        {
            content: "Open the document",
            trigger: ".o_list_view .o_data_row td.o_data_cell[name='name']",
            run: "click",
        },
        {
            content: "The document's form",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current[data-value='sent']",
        },
        noEnglish(".o_form_view .o_form_sheet_bg", "document form"),
        noEnglish(".o_form_view .o_form_statusbar", "document's buttons"),
        {
            content: "Its portal calls",
            trigger: ".o_form_view .o_notebook a[name='attempts']",
            run: "click",
        },
        {
            content: "The calls in words, in Dutch",
            trigger: ".o_form_view .o_notebook .tab-pane.active td:contains(Uploaden van)",
        },
        noEnglish(".o_form_view .o_notebook .tab-pane.active", "document's portal calls"),
        {
            content: "Refresh the status",
            trigger: ".o_form_view button.o_client_online_refresh",
            run: "click",
        },
        {
            content: "The button says in Dutch that nothing changed",
            trigger: ".o_notification:contains(Geen wijziging)",
        },
        noEnglish(".o_notification", "notification"),
        {
            content: "Open the apps",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "To the ClientOnline app",
            trigger: ".o_app[data-menu-xmlid='client_online_connector.client_online_menu_root']",
            run: "click",
        },
        {
            content: "To its portal calls",
            trigger: ".o_main_navbar .o_menu_sections button:contains(Portaalaanroepen), .o_main_navbar .o_menu_sections a:contains(Portaalaanroepen)",
            run: "click",
        },
        {
            content: "The portal calls in Dutch",
            trigger: ".o_list_view:has(th:contains(Wat is gevraagd)) td:contains(Geplaatst als)",
        },
        noEnglish(".o_list_view", "portal calls list"),
        {
            content: "The job's runs",
            trigger: ".o_main_navbar .o_menu_sections a:contains(Taakuitvoeringen), .o_main_navbar .o_menu_sections button:contains(Taakuitvoeringen)",
            run: "click",
        },
        {
            content: "The runs in Dutch",
            trigger: ".o_list_view td:contains(bestanden opgepakt: 1)",
        },
        noEnglish(".o_list_view", "job runs list"),
        {
            content: "The settings",
            trigger: ".o_main_navbar .o_menu_sections a:contains(Instellingen), .o_main_navbar .o_menu_sections button:contains(Instellingen)",
            run: "click",
        },
        {
            content: "The ClientOnline block in Dutch",
            trigger: ".app_settings_block[data-key='client_online_connector'] #client_online_environment:contains(Verbinding testen)",
        },
        noEnglish(".app_settings_block[data-key='client_online_connector']", "settings block"),
        {
            content: "Test the connection",
            trigger: "#client_online_environment button.o_client_online_test",
            run: "click",
        },
        {
            content: "It says in Dutch that the connection works",
            trigger: ".o_notification:has(.o_notification_bar.bg-success):contains(de verbinding werkt)",
        },
        noEnglish(".o_notification", "connection test"),
    ],
});
