"""The proof of a check, printed for a user who reads French or Dutch, has none of its English texts."""

import re

from lxml import html

from odoo.tests import tagged
from odoo.tools import file_open
from odoo.tools.translate import TranslationFileReader

from .common import BOTH_DEBTS, SocialDebtCase

REPORT = "social_debt.report_social_debt_check"


@tagged("post_install", "-at_install")
class TestTranslatedProof(SocialDebtCase):
    def english_of_the_proof(self, language):
        """(English, translation) of every text of the proof's template that ``language`` says otherwise."""
        with file_open(f"social_debt/i18n/{language}.po", "rb") as po:
            entries = list(TranslationFileReader(po, fileformat="po"))
        return {
            (entry["src"], entry["value"])
            for entry in entries
            if entry.get("imd_name") == "report_social_debt_check" and entry["value"] and entry["value"] != entry["src"]
        }

    def proof_text(self, check, lang):
        self.env["res.lang"]._activate_lang(lang)
        self.checker.lang = lang
        report = self.env["ir.actions.report"].with_user(self.checker).with_context(lang=lang)
        page = report._render_qweb_html(REPORT, check.ids)[0]
        return re.sub(r"\s+", " ", " ".join(html.fromstring(page).itertext()))

    def test_no_english_on_the_french_and_dutch_proof(self):
        self.simulate(fiscal_amounts={BOTH_DEBTS: 81234})
        partner = self.supplier(BOTH_DEBTS, "Betonwerken De Smet NV")
        (check,) = self.env["social.debt.service"].with_user(self.checker)._check_partners(partner)
        expected = {
            "fr_FR": ("fr", ["Vérification des dettes sociales et fiscales", "Dettes sociales et fiscales", "ONSS"]),
            "nl_NL": ("nl", ["Controle van sociale en fiscale schulden", "Sociale en fiscale schulden", "RSZ"]),
        }
        for lang, (language, words) in expected.items():
            with self.subTest(lang=lang):
                text = self.proof_text(check, lang)
                pairs = self.english_of_the_proof(language)
                self.assertGreater(len(pairs), 25)
                for english, _translation in pairs:
                    self.assertNotRegex(text, rf"(?<!\w){re.escape(english.strip())}(?!\w)")
                for word in words:
                    self.assertIn(word, text)
                for english in ("Social and tax debt", "Withholding (art. 30bis/30ter)", "Synchronous"):
                    self.assertNotIn(english, text, "selection values are translated too")
