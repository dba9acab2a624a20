import { Component } from "@odoo/owl";
import { AutoComplete } from "@web/core/autocomplete/autocomplete";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useChildRef, useService } from "@web/core/utils/hooks";
import { session } from "@web/session";
import { CharField, charField } from "@web/views/fields/char/char_field";
import { useInputField } from "@web/views/fields/input_field_hook";
import { standardFieldProps } from "@web/views/fields/standard_field_props";
import { showKvkResult } from "./kvk_form_return";

const fieldRegistry = registry.category("fields");
// Suggestions start at three characters; AutoComplete waits until typing pauses (debounce).
export const KVK_MIN_CHARS = 3;

/**
 * The name of a new Dutch company (or one without a country) as the user types it, with the
 * register's registrations of that name underneath: name, KvK number, type and city.  Picking one
 * opens the preview of the search dialog.  The free Zoeken API only; an error or a missing
 * connection gives no suggestions, never an error in the user's way.
 */
export class KvkTypeaheadField extends CharField {
    static template = "kvk_connector.KvkTypeaheadField";
    static components = { ...CharField.components, AutoComplete };

    setup() {
        super.setup();
        this.orm = useService("orm");
        this.action = useService("action");
        this.inputRef = useChildRef();
        useInputField({
            getValue: () => this.props.record.data[this.props.name] || "",
            parse: (value) => this.parse(value),
            ref: this.inputRef,
        });
    }

    get sources() {
        return [
            {
                options: (request) => this.loadSuggestions(request),
                optionTemplate: "kvk_connector.KvkSuggestion",
                placeholder: _t("Searching the KvK register..."),
            },
        ];
    }

    get isTyping() {
        const input = this.inputRef.el;
        return Boolean(input && input.ownerDocument.activeElement === input);
    }

    async loadSuggestions(request) {
        const query = (request || "").trim();
        // a user who moved on (clicked a button, left the field) gets no list over what they do next
        if (query.length < KVK_MIN_CHARS || !this.isTyping) {
            return [];
        }
        let hits = [];
        try {
            hits = await this.orm.silent.call("res.partner", "kvk_suggest", [query]);
        } catch {
            return []; // no suggestions, nothing in the way of typing
        }
        if (!this.isTyping) {
            return [];
        }
        return hits.map((hit) => ({ ...hit, label: hit.name, classList: "o_kvk_suggestion" }));
    }

    async onSelect(option) {
        const record = this.props.record;
        const action = await this.orm.call(
            "res.partner",
            "action_kvk_suggestion_open",
            [option.kvk_number, option.branch_number || "", option.kind || ""],
            { context: { kvk_form_return: true } }
        );
        await this.action.doAction(action, {
            // the raw service: this component may be gone when the dialog closes (the form is reset)
            onClose: (infos) => showKvkResult(this.env.services.action, record, infos),
        });
    }
}

/**
 * The name field of a contact form: the KvK type-ahead where it applies, else the widget the field
 * had before (Odoo's partner autocomplete where that is installed, or the plain name field).
 */
export class KvkPartnerNameField extends Component {
    static template = "kvk_connector.KvkPartnerNameField";
    static components = { KvkTypeaheadField };
    static props = {
        ...standardFieldProps,
        charProps: { type: Object, optional: true },
        fallbackWidget: { type: String, optional: true },
        fallbackProps: { type: Object, optional: true },
    };

    get useKvk() {
        const { record, readonly } = this.props;
        const data = record.data;
        // kvk_applies: a company, Dutch or without a country (computed on the server, kept current
        // by the form's onchanges)
        // not in a dialog (a quick "create and edit" from another form): picking a suggestion leads
        // to the contact's own form
        return Boolean(
            session.kvk_typeahead &&
                !this.env.inDialog &&
                !readonly &&
                record.resModel === "res.partner" &&
                record.isNew &&
                data.kvk_applies
        );
    }

    get standardProps() {
        const { id, name, readonly, record } = this.props;
        return { id, name, readonly, record };
    }

    get kvkProps() {
        return { ...this.standardProps, ...(this.props.charProps || {}) };
    }

    get fallbackField() {
        return fieldRegistry.get(this.props.fallbackWidget || "char", null) || charField;
    }

    get fallbackProps() {
        return { ...this.standardProps, ...(this.props.fallbackProps || {}) };
    }
}

function fallbackOf(fieldInfo) {
    const name = fieldInfo.attrs?.kvk_fallback || "char";
    return fieldRegistry.get(name, null) || charField;
}

export const kvkPartnerNameField = {
    ...charField,
    component: KvkPartnerNameField,
    displayName: _t("Name with KvK register suggestions"),
    fieldDependencies: [{ name: "kvk_applies", type: "boolean" }],
    extractProps(fieldInfo, dynamicInfo) {
        const fallback = fallbackOf(fieldInfo);
        return {
            charProps: charField.extractProps ? charField.extractProps(fieldInfo, dynamicInfo) : {},
            fallbackWidget: fieldInfo.attrs?.kvk_fallback || "char",
            fallbackProps: fallback.extractProps ? fallback.extractProps(fieldInfo, dynamicInfo) : {},
        };
    },
};

fieldRegistry.add("kvk_partner_name", kvkPartnerNameField);
