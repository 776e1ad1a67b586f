from __future__ import annotations

from typing import Any

import pycountry
import pytest
from pydantic import ValidationError

from common.factories import buyer, seller
from cruce.model import Address, Contact, Parties, Party, TaxId, TaxScheme

pytestmark = pytest.mark.unit


def _errors(error: ValidationError) -> list[tuple[tuple[Any, ...], str]]:
    return [(e["loc"], e["type"]) for e in error.errors()]


def _address(**changes: Any) -> dict[str, Any]:
    return {**buyer()["address"], **changes}


def _party(phone: object, country: str = "MX", **changes: Any) -> Party:
    data = buyer() if country == "MX" else seller()
    data["contact"] = {**data["contact"], "phone": phone}
    data.update(changes)
    return Party.model_validate(data)


class TestAddress:
    def test_the_factory_addresses_validate(self):
        assert Address.model_validate(_address()).subdivision == "MX-JAL"
        assert Address.model_validate(seller()["address"]).subdivision == "US-AZ"

    def test_subdivision_must_be_in_the_country(self):
        with pytest.raises(ValidationError) as excinfo:
            Address.model_validate(_address(subdivision="US-AZ"))
        assert _errors(excinfo.value) == [((), "subdivision.country_mismatch")]

    @pytest.mark.parametrize("country", ["XX", "MEX", "M", "ZZ", "12"])
    def test_unknown_country_is_reported_as_country_unknown(self, country):
        with pytest.raises(ValidationError) as excinfo:
            Address.model_validate(_address(country=country, subdivision=None))
        assert _errors(excinfo.value) == [(("country",), "country.unknown")]

    @pytest.mark.parametrize("subdivision", ["MX-XXX", "MX-JL", "JAL", "US-XX"])
    def test_unknown_subdivision_is_reported_as_subdivision_unknown(self, subdivision):
        with pytest.raises(ValidationError) as excinfo:
            Address.model_validate(_address(subdivision=subdivision))
        assert _errors(excinfo.value) == [(("subdivision",), "subdivision.unknown")]

    def test_codes_are_upper_cased(self):
        address = Address.model_validate(_address(country="mx", subdivision=" mx-jal "))
        assert (address.country, address.subdivision) == ("MX", "MX-JAL")

    @pytest.mark.parametrize("country", ["MX", "US"])
    def test_every_subdivision_of_the_country_is_accepted(self, country):
        for subdivision in pycountry.subdivisions.get(country_code=country):
            address = Address.model_validate(
                _address(country=country, subdivision=subdivision.code)
            )
            assert address.subdivision == subdivision.code

    def test_a_subdivision_is_optional(self):
        assert Address.model_validate(_address(subdivision=None)).subdivision is None

    def test_unknown_fields_are_rejected(self):
        with pytest.raises(ValidationError) as excinfo:
            Address.model_validate(_address(colonia="Belenes Norte"))
        assert _errors(excinfo.value) == [(("colonia",), "extra_forbidden")]

    def test_locality_and_country_are_required(self):
        data = _address()
        del data["locality"], data["country"]
        with pytest.raises(ValidationError) as excinfo:
            Address.model_validate(data)
        assert sorted(_errors(excinfo.value)) == [
            (("country",), "missing"),
            (("locality",), "missing"),
        ]


class TestPhones:
    @pytest.mark.parametrize(
        ("phone", "country", "expected"),
        [
            ("33 3812 4400", "MX", "+523338124400"),
            ("(33) 3812-4400", "MX", "+523338124400"),
            ("602 555 0147", "US", "+16025550147"),
            ("(602) 555-0147", "US", "+16025550147"),
            (3338124400, "MX", "+523338124400"),
        ],
    )
    def test_national_number_is_read_in_the_address_country(self, phone, country, expected):
        assert _party(phone, country).contact.phone == expected

    @pytest.mark.parametrize("country", ["MX", "US"])
    def test_a_number_with_its_country_code_keeps_it(self, country):
        assert _party("+1 602 555 0147", country).contact.phone == "+16025550147"
        assert _party("+52 33 3812 4400", country).contact.phone == "+523338124400"

    @pytest.mark.parametrize("phone", ["not a phone", "1", "+52 1"])
    def test_a_bad_phone_is_reported_at_contact_phone(self, phone):
        with pytest.raises(ValidationError) as excinfo:
            _party(phone)
        assert _errors(excinfo.value) == [(("contact", "phone"), "phone.unparseable")]

    def test_a_contact_on_its_own_needs_the_country_code(self):
        with pytest.raises(ValidationError) as excinfo:
            Contact(phone="33 3812 4400")
        assert _errors(excinfo.value) == [(("phone",), "phone.unparseable")]
        assert Contact(phone="+52 33 3812 4400").phone == "+523338124400"

    def test_a_party_without_a_phone_is_fine(self):
        data = buyer()
        data["contact"] = {"name": "Compras"}
        assert Party.model_validate(data).contact.phone is None

    def test_a_bad_email_is_reported_at_contact_email(self):
        data = buyer()
        data["contact"] = {**data["contact"], "email": "compras at example.mx"}
        with pytest.raises(ValidationError) as excinfo:
            Party.model_validate(data)
        assert [e["loc"] for e in excinfo.value.errors()] == [("contact", "email")]


class TestTaxId:
    @pytest.mark.parametrize(
        ("scheme", "value", "stored"),
        [
            ("us_ein", "86-1234567", "861234567"),
            ("mx_rfc", "mab-930714-8t4", "MAB9307148T4"),
            ("mx_rfc", " GODE 561231 GR8 ", "GODE561231GR8"),
            ("mx_curp", "boxw310820hnerxn09", "BOXW310820HNERXN09"),
        ],
    )
    def test_value_is_stored_compact_and_upper_case(self, scheme, value, stored):
        assert TaxId(scheme=scheme, value=value).value == stored

    def test_a_foreign_tax_number_needs_its_country(self):
        with pytest.raises(ValidationError) as excinfo:
            TaxId(scheme="foreign", value="274418906")
        assert _errors(excinfo.value) == [((), "tax_id.country_missing")]
        assert TaxId(scheme="foreign", value="274418906", country="US").country == "US"

    def test_an_unknown_scheme_is_rejected(self):
        with pytest.raises(ValidationError) as excinfo:
            TaxId(scheme="vat", value="123")
        assert _errors(excinfo.value) == [(("scheme",), "enum")]

    def test_an_unknown_country_is_rejected(self):
        with pytest.raises(ValidationError) as excinfo:
            TaxId(scheme="foreign", value="123", country="XX")
        assert _errors(excinfo.value) == [(("country",), "country.unknown")]

    def test_party_finds_its_first_identifier_of_a_scheme(self):
        data = buyer()
        data["tax_ids"] = [
            {"scheme": "mx_rfc", "value": "MTA1503109K6"},
            {"scheme": "foreign", "value": "861234567", "country": "US"},
        ]
        party = Party.model_validate(data)
        assert party.tax_id(TaxScheme.MX_RFC).value == "MTA1503109K6"
        assert party.tax_id(TaxScheme.FOREIGN).country == "US"
        assert party.tax_id(TaxScheme.US_EIN) is None


class TestParty:
    @pytest.mark.parametrize("patente", ["3217", "0001"])
    def test_patente_is_four_digits(self, patente):
        assert Party.model_validate({**buyer(), "patente": patente}).patente == patente

    @pytest.mark.parametrize("patente", ["321", "32170", "32A7", 3217])
    def test_other_patentes_are_rejected(self, patente):
        with pytest.raises(ValidationError) as excinfo:
            Party.model_validate({**buyer(), "patente": patente})
        assert [e["loc"] for e in excinfo.value.errors()] == [("patente",)]

    @pytest.mark.parametrize("filer_code", ["SZB", "N4Q", "123"])
    def test_filer_code_is_three_characters(self, filer_code):
        assert Party.model_validate({**seller(), "filer_code": filer_code}).filer_code == filer_code

    @pytest.mark.parametrize("filer_code", ["SZ", "SZBB", "sz-", "szb"])
    def test_other_filer_codes_are_rejected(self, filer_code):
        with pytest.raises(ValidationError):
            Party.model_validate({**seller(), "filer_code": filer_code})

    def test_unknown_fields_are_rejected(self):
        with pytest.raises(ValidationError) as excinfo:
            Party.model_validate({**buyer(), "razon_social": "Maquinados Tapatíos"})
        assert _errors(excinfo.value) == [(("razon_social",), "extra_forbidden")]

    def test_the_address_is_required(self):
        data = seller()  # its phone carries the country code, so it needs no address
        del data["address"]
        with pytest.raises(ValidationError) as excinfo:
            Party.model_validate(data)
        assert _errors(excinfo.value) == [(("address",), "missing")]

    def test_errors_inside_the_address_name_their_path(self):
        data = seller()
        data["address"] = {**data["address"], "country": "XX", "subdivision": None}
        with pytest.raises(ValidationError) as excinfo:
            Party.model_validate(data)
        assert _errors(excinfo.value) == [(("address", "country"), "country.unknown")]


class TestParties:
    def test_goods_go_to_the_consignee_when_there_is_one(self):
        consignee = {**buyer(), "name": "Almacén Tlaquepaque"}
        parties = Parties.model_validate(
            {"seller": seller(), "buyer": buyer(), "consignee": consignee}
        )
        assert parties.ship_to().name == "Almacén Tlaquepaque"

    def test_goods_go_to_the_buyer_otherwise(self):
        parties = Parties.model_validate({"seller": seller(), "buyer": buyer()})
        assert parties.ship_to().name == buyer()["name"]

    def test_no_parties_at_all_is_a_valid_start(self):
        assert Parties().ship_to() is None

    def test_unknown_roles_are_rejected(self):
        with pytest.raises(ValidationError) as excinfo:
            Parties.model_validate({"shipper": seller()})
        assert _errors(excinfo.value) == [(("shipper",), "extra_forbidden")]
