"""The check_* functions against the worked examples published with each algorithm.

Each algorithm is also written out here, from its published description, so the property
tests compute check digits independently of the libraries the model delegates to.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cruce.model.identifiers import (
    GENERIC_RFCS,
    check_aba,
    check_clabe,
    check_container,
    check_curp,
    check_ein,
    check_rfc,
    compact,
    rfc_kind,
)

pytestmark = pytest.mark.unit

DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Every word on the RFC and CURP lists of inconvenient words has a vowel: names built of
# consonants never hit them.
CONSONANTS = "BCDFGHJKLMNPQRSTVWXZ"


def _other_digit(draw: st.DrawFn, digit: str) -> str:
    return draw(st.sampled_from([d for d in DIGITS if d != digit]))


def _replace(number: str, index: int, char: str) -> str:
    return number[:index] + char + number[index + 1 :]


# ---------------------------------------------------------------------------- CLABE
# Banxico/ABM: weights 3, 7, 1 repeated over the first 17 digits, each product taken mod 10,
# the sum taken mod 10, and the control digit is (10 - sum) mod 10.


def clabe_control_digit(first17: str) -> str:
    weights = (3, 7, 1) * 6
    total = sum((int(d) * w) % 10 for d, w in zip(first17, weights, strict=False)) % 10
    return str((10 - total) % 10)


class TestCheckClabe:
    def test_published_worked_example_is_valid(self):
        # The worked example of the CLABE control digit: bank 032, plaza 180, account
        # 00001183597, control digit 9 (Wikipedia "CLABE", section "Control digit", as
        # mirrored at liquisearch.com/clabe/control_digit).
        assert clabe_control_digit("03218000011835971") == "9"
        assert check_clabe("032180000118359719") is None

    def test_wrong_control_digit_is_a_check_digit_failure(self):
        assert check_clabe("032180000118359718") == "check_digit"

    @pytest.mark.parametrize(
        "value", ["03218000011835971", "0321800001183597190", "03218000011835971X", ""]
    )
    def test_wrong_length_or_characters_is_a_format_failure(self, value):
        assert check_clabe(value) == "format"

    def test_spaces_and_hyphens_are_ignored(self):
        assert check_clabe("032 180 00011835971 9") is None
        assert check_clabe("032-180-00011835971-9") is None

    @pytest.mark.parametrize(
        "value",
        [
            "\u066032180000118359719",  # ARABIC-INDIC DIGIT ZERO in front
            "03218000011835971\u0669",  # ARABIC-INDIC DIGIT NINE at the end
            "\uff10\uff13\uff12180000118359719",  # FULLWIDTH digits
        ],
    )
    def test_non_ascii_digits_are_a_format_failure(self, value):
        # A CLABE is 18 ASCII digits; a regex \d also matches other scripts' digits
        assert check_clabe(value) == "format"

    @given(st.text(alphabet=DIGITS, min_size=17, max_size=17))
    def test_appending_the_computed_control_digit_validates(self, first17):
        assert check_clabe(first17 + clabe_control_digit(first17)) is None

    @given(st.data())
    def test_changing_any_single_digit_fails(self, data):
        first17 = data.draw(st.text(alphabet=DIGITS, min_size=17, max_size=17))
        number = first17 + clabe_control_digit(first17)
        index = data.draw(st.integers(min_value=0, max_value=17))
        changed = _replace(number, index, _other_digit(data.draw, number[index]))
        assert check_clabe(changed) == "check_digit"


# ---------------------------------------------------------------------------- ISO 6346
# BIC / ISO 6346 Annex A: letters take the values 10..38 skipping multiples of 11, digits
# their own value; position i (from 0) is weighted 2**i; the check digit is the sum mod 11,
# and a remainder of 10 is written 0.


def _iso6346_values() -> dict[str, int]:
    values = {d: int(d) for d in DIGITS}
    value = 10
    for letter in LETTERS:
        if value % 11 == 0:
            value += 1
        values[letter] = value
        value += 1
    return values


ISO6346_VALUES = _iso6346_values()


def iso6346_remainder(first10: str) -> int:
    return sum(ISO6346_VALUES[c] * 2**i for i, c in enumerate(first10)) % 11


@st.composite
def container_prefixes(draw: st.DrawFn) -> str:
    owner = draw(st.text(alphabet=LETTERS, min_size=3, max_size=3))
    category = draw(st.sampled_from("UJZ"))
    serial = draw(st.text(alphabet=DIGITS, min_size=6, max_size=6))
    return owner + category + serial


class TestCheckContainer:
    def test_letter_values_skip_multiples_of_eleven(self):
        assert (ISO6346_VALUES["A"], ISO6346_VALUES["K"], ISO6346_VALUES["L"]) == (10, 21, 23)
        assert ISO6346_VALUES["Z"] == 38

    def test_published_worked_example_is_valid(self):
        # Wikipedia "ISO 6346", check digit calculation: CSQU 305438 3 (sum 6185, 6185 mod 11
        # = 3); the same example is in python-stdnum's iso6346 doctest and Lobster's ISO 6346
        # function reference (lobster-world.com, BasicISO6346CreateCheckDigit).
        assert iso6346_remainder("CSQU305438") == 3
        assert check_container("CSQU3054383") is None
        assert check_container("csqu 305438 3") is None

    def test_wrong_check_digit_is_a_check_digit_failure(self):
        # python-stdnum's doctest: CSQU3054384 fails the checksum
        assert check_container("CSQU3054384") == "check_digit"

    def test_remainder_ten_is_written_zero(self):
        # python-stdnum's doctest formats TASU 117000 0; its remainder is 10
        assert iso6346_remainder("TASU117000") == 10
        assert check_container("TASU1170000") is None

    @pytest.mark.parametrize(
        "value",
        [
            "CSQU305438",  # no check digit
            "CSQU30543833",
            "CSQX3054383",  # X is no equipment category
            "CS1U3054383x",
        ],
    )
    def test_wrong_shape_is_a_format_failure(self, value):
        assert check_container(value) == "format"

    @pytest.mark.parametrize(
        "value",
        [
            "AB_U1234560",  # "_" is a word character to a regex, but no owner-code letter
            "ÉSQU3054383",  # a letter, but not one of ISO 6346's
            "CSQU305438\u0663",  # ARABIC-INDIC DIGIT THREE as the check digit
        ],
    )
    def test_characters_outside_the_code_are_a_format_failure(self, value):
        assert check_container(value) == "format"

    @given(container_prefixes())
    def test_appending_the_computed_check_digit_validates(self, first10):
        check = str(iso6346_remainder(first10) % 10)
        assert check_container(first10 + check) is None

    @given(st.data())
    def test_changing_any_single_digit_fails(self, data):
        first10 = data.draw(container_prefixes())
        remainder = iso6346_remainder(first10)
        # ISO 6346 advises against serials whose remainder is 10: their check digit 0 is
        # shared with remainder 0, so one digit change in eleven would go unseen
        assume(remainder != 10)
        number = first10 + str(remainder)
        index = data.draw(st.integers(min_value=4, max_value=10))
        changed = _replace(number, index, _other_digit(data.draw, number[index]))
        assume(changed[-1] != "0" or iso6346_remainder(changed[:10]) != 10)
        assert check_container(changed) == "check_digit"


# ---------------------------------------------------------------------------- CURP
# RENAPO: characters take their index in 0-9, A-N, Ñ, O-Z (so A=10 ... N=23, O=25 ... Z=36);
# position i (from 0) of the first 17 is weighted 18 - i; the check digit is
# (10 - sum mod 10) mod 10.

CURP_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
# the 32 states as RENAPO abbreviates them, and NE, born abroad (nacido en el extranjero)
CURP_STATES = (
    "AS",
    "BC",
    "BS",
    "CC",
    "CL",
    "CM",
    "CS",
    "CH",
    "DF",
    "DG",
    "GT",
    "GR",
    "HG",
    "JC",
    "MC",
    "MN",
    "MS",
    "NT",
    "NL",
    "OC",
    "PL",
    "QT",
    "QR",
    "SP",
    "SL",
    "SR",
    "TC",
    "TS",
    "TL",
    "VZ",
    "YN",
    "ZS",
    "NE",
)


def curp_check_digit(first17: str) -> str:
    total = sum(CURP_ALPHABET.index(c) * (18 - i) for i, c in enumerate(first17))
    return str((10 - total % 10) % 10)


@st.composite
def curp_bodies(draw: st.DrawFn) -> str:
    name = draw(st.text(alphabet=CONSONANTS, min_size=4, max_size=4))
    born = draw(st.dates(min_value=date(1930, 1, 1), max_value=date(2025, 12, 31)))
    sex = draw(st.sampled_from("HM"))
    state = draw(st.sampled_from(CURP_STATES))
    inner = draw(st.text(alphabet=LETTERS, min_size=3, max_size=3))
    # the 17th character says the century: a digit before 2000, a letter from 2000 on
    homonym = draw(st.sampled_from(DIGITS if born.year < 2000 else LETTERS))
    return f"{name}{born:%y%m%d}{sex}{state}{inner}{homonym}"


class TestCheckCurp:
    def test_published_example_is_valid(self):
        # python-stdnum's mx.curp doctest (BOXW310820HNERXN09, born 1931-08-20 abroad, NE)
        assert curp_check_digit("BOXW310820HNERXN0") == "9"
        assert check_curp("BOXW310820HNERXN09") is None

    def test_wrong_check_digit_is_a_check_digit_failure(self):
        # the same doctest: ...N08 raises InvalidChecksum
        assert check_curp("BOXW310820HNERXN08") == "check_digit"

    @pytest.mark.parametrize(
        "value",
        [
            "BOXW310820HNERXN0",  # 17 characters
            "BOXW311320HNERXN09",  # month 13
            "BOXW310820XNERXN09",  # sex X
            "BOXW310820HXXRXN09",  # state XX
            "B0XW310820HNERXN09",  # a digit in the name
        ],
    )
    def test_malformed_curp_is_a_format_failure(self, value):
        assert check_curp(value) == "format"

    @given(curp_bodies())
    def test_appending_the_computed_check_digit_validates(self, first17):
        assert check_curp(first17 + curp_check_digit(first17)) is None

    @given(st.data())
    def test_changing_the_check_digit_fails(self, data):
        first17 = data.draw(curp_bodies())
        number = first17 + curp_check_digit(first17)
        changed = _replace(number, 17, _other_digit(data.draw, number[17]))
        assert check_curp(changed) == "check_digit"

    @given(st.data())
    def test_changing_a_date_digit_the_weights_can_see_fails(self, data):
        # Mod 10 with weights 18..2 cannot see every change (the day's tens digit has weight
        # 10); the units of year, month and day have weights 13, 11 and 9, prime to 10, so a
        # change there is always caught, as a check digit failure or as an impossible date.
        first17 = data.draw(curp_bodies())
        number = first17 + curp_check_digit(first17)
        index = data.draw(st.sampled_from((5, 7, 9)))
        changed = _replace(number, index, _other_digit(data.draw, number[index]))
        assert check_curp(changed) is not None


# ---------------------------------------------------------------------------- RFC
# SAT (algorithm for the RFC, released through INFOMEX request 0610100135506, Anexo 3):
# characters take their index in 0-9, A-N, &, O-Z, space, Ñ; the 12 characters before the
# check digit (a company's 11 are padded with a space in front) are weighted 13 down to 2;
# the check digit is 11 - sum mod 11, with 11 written 0 and 10 written A.

RFC_ALPHABET = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ"
HOMONYM_FIRST = "123456789ABCDEFGHIJKLMNOPQRSTUV"
HOMONYM_SECOND = "123456789" + LETTERS


def rfc_check_digit(body: str) -> str:
    padded = body.rjust(12)
    total = sum(RFC_ALPHABET.index(c) * (13 - i) for i, c in enumerate(padded))
    return "0123456789A"[(11 - total % 11) % 11]


@st.composite
def rfc_bodies(draw: st.DrawFn, letters: int) -> str:
    name = draw(st.text(alphabet=CONSONANTS + "&Ñ", min_size=letters, max_size=letters))
    born = draw(st.dates(min_value=date(1930, 1, 1), max_value=date(2025, 12, 31)))
    homonym = draw(st.sampled_from(HOMONYM_FIRST)) + draw(st.sampled_from(HOMONYM_SECOND))
    return f"{name}{born:%y%m%d}{homonym}"


rfc_any = st.one_of(rfc_bodies(3), rfc_bodies(4))


class TestCheckRfc:
    def test_sat_worked_example_is_valid(self):
        # SAT's own example of the check digit: GODE561231GR, sum 1026, 1026 mod 11 = 3,
        # 11 - 3 = 8 (algorithm released through INFOMEX request 0610100135506, reproduced
        # at solucionfactible.com, "RFC Dígito verificador"); also python-stdnum's doctest.
        assert rfc_check_digit("GODE561231GR") == "8"
        assert check_rfc("GODE561231GR8") is None
        assert check_rfc("GODE 561231 GR8") is None

    def test_company_example_is_valid(self):
        # python-stdnum's mx.rfc doctest: MAB-930714-8T4, a company (persona moral)
        assert rfc_check_digit("MAB9307148T") == "4"
        assert check_rfc("MAB-930714-8T4") is None

    @pytest.mark.parametrize("value", ["GODE561231GR9", "MAB9307148T5", "VACE460910SX6"])
    def test_wrong_check_digit_is_a_check_digit_failure(self, value):
        # VACE460910SX6 is python-stdnum's doctest of a well-formed RFC with a bad check digit
        assert check_rfc(value) == "check_digit"

    @pytest.mark.parametrize("value", sorted(GENERIC_RFCS))
    def test_generic_rfcs_are_accepted(self, value):
        assert check_rfc(value) is None

    def test_the_generic_rfcs_are_the_two_sat_publishes(self):
        assert {"XAXX010101000", "XEXX010101000"} == GENERIC_RFCS

    @pytest.mark.parametrize(
        "value",
        [
            "COMG600703",  # a person's RFC without homoclave: not enough for a document
            "GODE561331GR8",  # month 13
            "GOD3561231GR8",  # a digit in the name
            "GODE561231GR",  # no check digit
            "GODE561231GR81",
            "PUTO561231GR0",  # an inconvenient word SAT never assigns
        ],
    )
    def test_malformed_rfc_is_a_format_failure(self, value):
        assert check_rfc(value) == "format"

    @given(rfc_any)
    def test_appending_the_computed_check_digit_validates(self, body):
        assert check_rfc(body + rfc_check_digit(body)) is None

    @given(st.data())
    def test_changing_any_date_digit_fails(self, data):
        body = data.draw(rfc_any)
        number = body + rfc_check_digit(body)
        start = len(body) - 8
        index = data.draw(st.integers(min_value=start, max_value=start + 5))
        changed = _replace(number, index, _other_digit(data.draw, number[index]))
        assert check_rfc(changed) is not None

    @given(st.data())
    def test_changing_the_check_digit_fails(self, data):
        body = data.draw(rfc_any)
        check = rfc_check_digit(body)
        other = data.draw(st.sampled_from([c for c in "0123456789A" if c != check]))
        assert check_rfc(body + other) == "check_digit"

    @pytest.mark.parametrize(
        ("value", "kind"),
        [("MAB9307148T4", "moral"), ("GODE561231GR8", "fisica"), ("GODE5612", None)],
    )
    def test_kind_follows_the_length(self, value, kind):
        assert rfc_kind(value) == kind


# ---------------------------------------------------------------------------- ABA, EIN


class TestCheckAba:
    @pytest.mark.parametrize(
        "value",
        [
            # Wikipedia "ABA routing transit number", check digit: 111000025,
            # 3(1+0+0) + 7(1+0+2) + (1+0+5) = 30, a multiple of 10; python-stdnum's doctest
            "111000025",
            # chenz.net "ABA Routing Number Check Digit": 0764 0125 gives check digit 1
            "076401251",
        ],
    )
    def test_published_examples_are_valid(self, value):
        assert check_aba(value) is None

    def test_wrong_check_digit_is_a_check_digit_failure(self):
        # python-stdnum's doctest: 112000025 has a bad checksum
        assert check_aba("112000025") == "check_digit"

    @pytest.mark.parametrize("value", ["11100002", "11100002B", "1110000255"])
    def test_wrong_shape_is_a_format_failure(self, value):
        assert check_aba(value) == "format"


class TestCheckEin:
    @pytest.mark.parametrize("value", ["91-1144442", "04-2103594", "911144442"])
    def test_published_examples_are_valid(self, value):
        # python-stdnum's us.ein doctest
        assert check_ein(value) is None

    def test_a_prefix_the_irs_does_not_assign_is_a_format_failure(self):
        # python-stdnum's doctest: 07-1144442 has a wrong prefix
        assert check_ein("07-1144442") == "format"

    @given(st.text(alphabet=DIGITS, min_size=9, max_size=9))
    def test_eins_carry_no_check_digit(self, value):
        assert check_ein(value) in {None, "format"}


# ---------------------------------------------------------------------------- compact


class TestCompact:
    @given(st.text())
    def test_compact_is_idempotent(self, value):
        assert compact(compact(value)) == compact(value)

    @given(st.text())
    def test_compact_leaves_no_separator_or_lower_case_ascii(self, value):
        result = compact(value)
        assert not any(c in result for c in " -.\t\n")
        assert not any(c in result for c in "abcdefghijklmnopqrstuvwxyz")

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("gode 561231-gr8", "GODE561231GR8"),
            ("86-1234567", "861234567"),
            ("CSQU 305438 3", "CSQU3054383"),
            ("7616.99.5190", "7616995190"),
        ],
    )
    def test_compact_drops_separators_and_upper_cases(self, value, expected):
        assert compact(value) == expected
