from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cruce.api.locale import from_accept_language

pytestmark = pytest.mark.unit


class TestAcceptLanguage:
    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            (None, "en"),
            ("", "en"),
            ("es-MX,es;q=0.9,en;q=0.8", "es"),
            ("en-US,en;q=0.9,es;q=0.8", "en"),
            ("fr-FR,fr;q=0.9,es;q=0.5", "es"),
            ("fr-FR,de", "en"),
            ("en;q=0.2, es;q=0.9", "es"),
            ("es;q=0", "en"),
            ("*", "en"),
            ("es;q=abc, en", "en"),
        ],
    )
    def test_the_best_known_language_wins_by_quality(self, header, expected):
        assert from_accept_language(header) == expected

    @given(st.text(max_size=300))
    def test_any_header_gives_a_known_locale(self, header):
        assert from_accept_language(header) in {"en", "es"}
