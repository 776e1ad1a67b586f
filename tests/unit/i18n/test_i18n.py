from __future__ import annotations

import pytest

from cruce.i18n import Message, _, gettext, locale_from_environment, parse_locale
from cruce.i18n.catalog import extract, problems

pytestmark = pytest.mark.unit


class TestCatalogs:
    def test_every_message_in_the_code_has_its_spanish_translation(self):
        assert problems() == []

    def test_the_web_pages_words_are_extracted_so_a_missing_spanish_fails_the_check(self):
        extracted = {str(m.id) for m in extract() if m.id}
        # a template's words (shipment.html) and a route's (wizard_fields.py)
        assert "Transport and crossing" in extracted
        assert "Who certifies the origin (USMCA Art. 5.2)" in extracted

    def test_a_known_message_renders_in_spanish(self):
        message = _("the postal code is missing")
        assert message.render("en") == "the postal code is missing"
        assert message.render("es") != message.render("en")


class TestMessage:
    def test_parameters_are_filled_in_every_language(self):
        message = _("line {line}: a NICO needs its fracción arancelaria", line=7)
        assert "7" in message.render("en")
        assert "7" in message.render("es")

    def test_an_unknown_msgid_falls_back_to_english(self):
        assert Message("not in any catalog").render("es") == "not in any catalog"
        assert gettext("not in any catalog", "es") == "not in any catalog"

    def test_both_gives_each_known_locale(self):
        assert set(_("the postal code is missing").both()) == {"en", "es"}


class TestLocales:
    @pytest.mark.parametrize(
        ("environ", "expected"),
        [
            ({"LANG": "es_MX.UTF-8"}, "es"),
            ({"LANG": "en_US.UTF-8"}, "en"),
            ({"LC_ALL": "es_ES.UTF-8", "LANG": "en_US.UTF-8"}, "es"),
            ({"LANGUAGE": "es:en"}, "es"),
            ({"LANG": "C.UTF-8"}, "en"),
            ({}, "en"),
        ],
    )
    def test_the_locale_comes_from_the_environment(self, environ, expected):
        assert locale_from_environment(environ) == expected

    @pytest.mark.parametrize(
        ("value", "expected"), [("es", "es"), ("es-MX", "es"), ("EN", "en"), ("en_US.UTF-8", "en")]
    )
    def test_locale_names_are_parsed(self, value, expected):
        assert parse_locale(value) == expected

    def test_an_unknown_language_is_refused(self):
        with pytest.raises(ValueError, match="fr"):
            parse_locale("fr")
