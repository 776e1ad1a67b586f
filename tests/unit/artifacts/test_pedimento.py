from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_DOWN, Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.factories import buyer, line, seller, shipment, shipment_data
from cruce.artifacts import pedimento
from cruce.artifacts.pedimento import ARTIFACT, draft, m3_file, read_records, validate_m3
from cruce.compliance.duties import References, landed_cost
from cruce.ingest.loader import load_shipment
from cruce.model import Shipment
from cruce.model.problems import Severity
from cruce.reference import anexo22, fx, hts_store, mx_tariff
from cruce.reference.facts import Period, Source

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "src" / "cruce" / "examples"
EXAMPLE_NAMES = ("01-phoenix-to-guadalajara", "02-guadalajara-to-phoenix", "03-goods-sheet-250")
MARCH = "2026-03-05T09:00:00-07:00"  # a crossing whose DOF rate is bundled (published 03-04)
BROKER = {
    "name": "Agencia Aduanal Valenzuela Ibarra, S.C.",
    "patente": "3217",
    "tax_ids": [{"scheme": "mx_rfc", "value": "AAV051122HJ8"}],
    "address": {
        "street": "Av. Álvaro Obregón",
        "exterior_number": "2480",
        "locality": "Heroica Nogales",
        "subdivision": "MX-SON",
        "postal_code": "84000",
        "country": "MX",
    },
}


def _record(**changes) -> Shipment:
    data = shipment_data()
    data["parties"]["mx_customs_broker"] = BROKER
    data["transport"]["planned_crossing"] = MARCH
    data["transport"]["seals"] = ["SFP-0448120"]
    data["terms"]["invoice_date"] = "2026-03-02"
    data["customs"] = {"pedimento": "262332176000418"}
    for key, value in changes.items():
        data[key] = value
    return Shipment.model_validate(data)


def _northbound(**changes) -> Shipment:
    data = shipment_data(
        export_country="MX",
        import_country="US",
        goods=[line(origin_country="MX", usmca={"claimed": True, "criterion": "B"})],
    )
    data["parties"]["seller"], data["parties"]["buyer"] = buyer(), seller()
    data["parties"]["mx_customs_broker"] = BROKER
    data["transport"]["planned_crossing"] = MARCH
    data.update(changes)
    return Shipment.model_validate(data)


def _ligie(general: str = "10", tmec: str = "0") -> mx_tariff.LigieTable:
    rows = [
        mx_tariff.IgiRate(
            fraccion=fraccion,
            nico=None,
            general=Decimal(general) / 100,
            tmec=Decimal(tmec) / 100,
            period=Period(date(2020, 1, 1)),
            source=Source("test fixture, not a LIGIE rate"),
        )
        for fraccion in ("76169999", "73181599")
    ]
    return mx_tariff.LigieTable(rows)


def _references() -> References:
    return References(hts_store.default_store(), _ligie(), fx.default_table())


def _fields(data: bytes, code: str) -> list[list[str]]:
    return [r for r in read_records(data) if r[0] == code]


def _codes(problems) -> set[str]:
    return {p.code for p in problems}


def _blockers(record: Shipment) -> set[str]:
    return {p.code for p in ARTIFACT.problems(record) if p.severity is Severity.BLOCKER}


class TestRequired:
    def test_a_truck_from_the_us_into_mexico_needs_it(self):
        requirement = ARTIFACT.required(shipment())
        assert requirement.required is True
        assert "36-A" in (requirement.citation or "")
        assert "Anexo 22" in (requirement.citation or "")

    def test_a_truck_from_mexico_into_the_us_needs_it(self):
        assert ARTIFACT.required(_northbound()).required is True

    def test_goods_by_rail_are_not_drafted(self):
        data = shipment_data()
        data["transport"]["mode"] = "rail"
        assert ARTIFACT.required(Shipment.model_validate(data)).required is False

    def test_goods_between_other_countries_need_none(self):
        record = shipment(export_country="US", import_country="CA")
        assert ARTIFACT.required(record).required is False
        assert ARTIFACT.problems(record) == []


class TestOperation:
    def test_an_import_is_imp_a1_imd_with_the_transaction_value(self):
        header = draft(_record()).header
        assert (header.operation, header.operation_code, header.clave, header.regime) == (
            "IMP",
            "1",
            "A1",
            "IMD",
        )
        assert draft(_record()).partidas[0].valuation_method == "1"

    def test_an_export_is_exp_a1_exd_with_the_commercial_value(self):
        result = draft(_northbound())
        header = result.header
        assert (header.operation, header.operation_code, header.regime) == ("EXP", "2", "EXD")
        assert result.partidas[0].valuation_method == "0"
        assert result.importer_exporter is not None
        assert result.importer_exporter.tax_id == "MTA1503109K6"  # the Mexican seller's RFC
        assert result.supplier_buyer is not None
        assert result.supplier_buyer.country == "US"

    def test_the_exchange_rate_is_the_dof_rate_customs_applies(self):
        rate = draft(_record()).header.exchange_rate
        assert rate == fx.customs_rate(date(2026, 3, 5))

    def test_the_truck_crosses_at_the_aduana_and_seccion_of_the_crossing(self):
        header = draft(_record()).header
        assert header.customs_office == "230"
        assert header.transport_entry_exit == header.transport_arrival == "7"


class TestIdentifiers:
    def test_tl_usa_only_on_import_lines_that_claim_t_mec(self):
        goods = [line(usmca={"claimed": True, "criterion": "B"}), line(usmca={"claimed": False})]
        result = draft(_record(goods=goods))
        assert [(i.code, i.complement_1) for i in result.partidas[0].identifiers] == [("TL", "USA")]
        assert result.partidas[1].identifiers == ()
        _name, data = m3_file(result)
        assert [r[3] for r in _fields(data, "554")] == ["1"]
        assert _fields(data, "554")[0][4:6] == ["TL", "USA"]

    def test_an_export_claims_no_preference_in_mexico(self):
        result = draft(_northbound())
        assert all(p.identifiers == () for p in result.partidas)


class TestValues:
    def test_customs_value_is_the_price_paid_plus_the_incrementables_on_an_import(self):
        terms = shipment_data()["terms"]
        terms["incoterm"] = "FCA"
        terms["charges"] = [
            {"kind": "freight", "amount": "600.00 USD", "billed_on_invoice": False},
            {"kind": "packing", "amount": "45.00 USD", "billed_on_invoice": True},
        ]
        goods = [
            line(quantity="400", unit_price="18.75 USD"),
            line(quantity="100", unit_price="5 USD"),
        ]
        result = draft(_record(terms=terms, goods=goods))
        first, second = result.partidas
        assert first.price_paid_invoice.amount == Decimal(7500) + Decimal("42.19")
        assert first.incrementables_invoice.amount == Decimal("562.50")
        assert second.incrementables_invoice.amount == Decimal("37.50")
        for partida in result.partidas:
            assert partida.customs_value_invoice == (
                partida.price_paid_invoice + partida.incrementables_invoice
            )
        increments = result.header.incrementables
        assert increments.freight is not None
        rate = result.header.exchange_rate.rate  # type: ignore[union-attr]
        assert abs(increments.freight.amount - Decimal(600) * rate) <= 1
        assert increments.packing is not None
        assert increments.packing.amount == 0  # billed on the invoice: part of the price

    def test_the_header_totals_are_the_sums_of_the_partidas(self):
        goods = [line(quantity=str(q), unit_price="3.33 USD") for q in (7, 11, 13)]
        result = draft(_record(goods=goods))
        header = result.header
        assert header.customs_value is not None
        assert header.customs_value.amount == sum(
            p.customs_value.amount for p in result.partidas if p.customs_value
        )
        assert header.price_paid is not None
        assert header.price_paid.amount == sum(
            p.price_paid.amount for p in result.partidas if p.price_paid
        )
        assert header.value_usd is not None
        assert header.value_usd.amount == sum(
            p.value_usd.amount for p in result.partidas if p.value_usd
        )

    def test_values_in_pesos_are_whole_pesos(self):
        partida = draft(_record()).partidas[0]
        assert partida.customs_value is not None
        assert partida.customs_value.currency == "MXN"
        assert partida.customs_value.amount == partida.customs_value.amount.to_integral_value()

    def test_without_a_loaded_rate_the_pesos_are_left_for_the_agente(self):
        data = shipment_data()  # crossing in December 2026: no DOF rate is bundled
        record = Shipment.model_validate(data)
        result = draft(record)
        assert result.header.exchange_rate is None
        assert result.partidas[0].customs_value is None
        assert "pedimento.exchange_rate.missing" in _codes(ARTIFACT.problems(record))


class TestContributions:
    def test_each_contribution_is_the_landed_cost_quotes(self):
        references = _references()
        record = _record(goods=[line(), line(fraccion="73181599", nico="00", quantity="50")])
        result = draft(record, references=references)
        quote = landed_cost(record, date(2026, 3, 5), references=references)
        for partida, cost in zip(result.partidas, quote.lines, strict=True):
            assert [c.code for c in partida.contributions] == ["6", "3"]
            assert [c.amount for c in partida.contributions] == [c.amount for c in cost.components]
            for item in partida.contributions:
                assert item.amount is not None
                assert item.payable is not None
                assert item.payable.amount == item.amount.amount.quantize(
                    Decimal(1), rounding=ROUND_HALF_DOWN
                )
        dta = next(c for c in result.header.contributions if c.code == "1")
        assert dta.amount == next(c.amount for c in quote.entry if c.key == "dta")
        assert dta.rate == Decimal(8)
        assert dta.rate_type == "7"
        igi = result.partidas[0].contributions[0]
        assert (igi.rate, igi.rate_type, igi.payment_form) == (Decimal(10), "1", "0")

    def test_the_m3_file_declares_them_and_its_totals_add_up(self):
        references = _references()
        record = _record(goods=[line(), line(fraccion="73181599", nico="00", quantity="50")])
        result = draft(record, references=references)
        _name, data = m3_file(result)
        by_code: dict[str, int] = {}
        for fields in _fields(data, "557"):
            by_code[fields[4]] = by_code.get(fields[4], 0) + int(fields[6])
        pedimento_level = {r[2]: int(r[4]) for r in _fields(data, "510")}
        for code, total in by_code.items():
            assert pedimento_level[code] == total
        liquidation = {c.code: c.payable for c in result.liquidation()}
        assert liquidation["6"] is not None
        assert int(liquidation["6"].amount) == by_code["6"]
        assert {r[2] for r in _fields(data, "509")} == {"1"}
        assert validate_m3(data) == []

    def test_a_partly_determined_contribution_keeps_the_file_consistent(self):
        references = _references()
        goods = [line(), line(fraccion="84831099", nico="99", hts="8483.10.5000")]
        result = draft(_record(goods=goods), references=references)
        assert result.partidas[1].contributions[0].payable is None  # no IGI row for 8483.10.99
        assert "pedimento.contribution.undetermined" in _codes(pedimento.draft_problems(result))
        _name, data = m3_file(result)
        igi = [r for r in _fields(data, "557") if r[4] == "6"]
        assert [r[3] for r in igi] == ["1"]
        assert {r[2]: r[4] for r in _fields(data, "510")}["6"] == igi[0][6]
        assert validate_m3(data) == []

    def test_a_t_mec_claim_pays_no_igi_and_declares_none(self):
        references = _references()
        record = _record(goods=[line(usmca={"claimed": True, "criterion": "B"})])
        result = draft(record, references=references)
        igi = result.partidas[0].contributions[0]
        assert igi.payable is not None
        assert igi.payable.amount == 0
        assert not igi.declared
        _name, data = m3_file(result)
        assert all(r[4] != "6" for r in _fields(data, "557"))

    def test_an_export_carries_the_prevalidacion_and_dta_per_pedimento(self):
        result = draft(_northbound())
        codes = [c.code for c in result.header.contributions]
        assert codes[:2] == ["1", "15"]  # DTA, prevalidación (and its IVA, 23, when determined)
        assert all(p.contributions == () for p in result.partidas)


class TestProblems:
    def test_the_factory_record_has_no_blockers(self):
        assert _blockers(shipment()) == set()
        assert _blockers(_record()) == set()

    def test_the_importer_is_required(self):
        data = shipment_data()
        del data["parties"]["buyer"]
        problems = ARTIFACT.problems(Shipment.model_validate(data))
        found = [p for p in problems if p.code == "pedimento.importer_exporter.missing"]
        assert found
        assert found[0].path == "parties.buyer"
        assert found[0].severity is Severity.BLOCKER

    def test_the_importers_rfc_is_required(self):
        data = shipment_data()
        data["parties"]["buyer"]["tax_ids"] = []
        problems = ARTIFACT.problems(Shipment.model_validate(data))
        rfc = [p for p in problems if p.code == "pedimento.rfc.missing"]
        assert rfc
        assert rfc[0].path == "parties.buyer.tax_ids"

    def test_the_exporter_is_the_mexican_seller_on_an_export(self):
        data = _northbound().model_dump(mode="json")
        del data["parties"]["seller"]
        problems = ARTIFACT.problems(Shipment.model_validate(data))
        assert any(
            p.code == "pedimento.importer_exporter.missing" and p.path == "parties.seller"
            for p in problems
        )

    @pytest.mark.parametrize(
        ("field", "code"),
        [
            ("fraccion", "pedimento.fraccion.missing"),
            ("nico", "pedimento.nico.missing"),
            ("origin_country", "pedimento.origin_country.missing"),
        ],
    )
    def test_a_line_without_its_codes_is_blocked(self, field, code):
        goods = [line()]
        del goods[0][field]
        problems = ARTIFACT.problems(shipment(goods=goods))
        found = [p for p in problems if p.code == code]
        assert found
        assert found[0].path == f"goods[0].{field}"

    def test_a_unit_without_a_pedimento_unit_is_blocked(self):
        problems = ARTIFACT.problems(shipment(goods=[line(unit="KT")]))
        assert "pedimento.umc.unknown" in _codes(problems)

    def test_the_crossing_and_its_date_are_required(self):
        data = shipment_data()
        del data["transport"]["crossing"]
        del data["transport"]["planned_crossing"]
        del data["terms"]["invoice_date"]
        codes = _blockers(Shipment.model_validate(data))
        assert {
            "pedimento.crossing.missing",
            "pedimento.date.missing",
            "pedimento.invoice_date.missing",
        } <= codes

    def test_the_gross_weight_is_required_and_a_partial_one_warned(self):
        none = [line(gross_weight_kg=None)]
        assert "pedimento.gross_weight.missing" in _blockers(shipment(goods=none))
        some = [line(), line(gross_weight_kg=None)]
        problems = ARTIFACT.problems(shipment(goods=some))
        assert "pedimento.gross_weight.partial" in _codes(problems)
        assert "pedimento.gross_weight.partial" not in _blockers(shipment(goods=some))

    def test_without_a_pedimento_number_the_draft_renders_with_a_warning(self):
        record = shipment()
        assert "pedimento.number.missing" in _codes(ARTIFACT.problems(record))
        data = ARTIFACT.render(record).data
        assert read_records(data)[0][3] == "0000000"
        assert ARTIFACT.validate(data) == []

    def test_a_number_of_another_patente_is_warned(self):
        record = _record(customs={"pedimento": "262312346000418"})
        assert "pedimento.number.patente_mismatch" in _codes(ARTIFACT.problems(record))

    def test_unknown_related_parties_are_warned(self):
        terms = shipment_data()["terms"]
        del terms["related_parties"]
        assert "pedimento.related_parties.unknown" in _codes(
            ARTIFACT.problems(shipment(terms=terms))
        )

    def test_messages_are_in_both_languages(self):
        data = shipment_data()
        del data["parties"]["buyer"]
        for problem in ARTIFACT.problems(Shipment.model_validate(data)):
            both = problem.message.both()
            assert set(both) == {"en", "es"}
            assert all(both.values())


class TestM3File:
    def test_each_record_has_the_fields_of_its_layout(self):
        _name, data = m3_file(draft(_record()))
        for fields in read_records(data):
            assert len(fields) == len(anexo22.record(fields[0]).fields), fields[0]

    def test_records_in_order_with_the_pedimento_number(self):
        _name, data = m3_file(draft(_record()))
        records = read_records(data)
        codes = [r[0] for r in records]
        assert codes[:2] == ["500", "501"]
        assert codes[-2:] == ["800", "801"]
        assert records[0][1:5] == ["1", "3217", "6000418", "230"]
        assert all(r[1] == "6000418" for r in records if r[0] in {"505", "506", "516", "551"})

    def test_the_file_name_is_m_patente_sequence_and_julian_day(self):
        name, data = m3_file(draft(_record()))
        assert name == "m3217001.064"  # 2026-03-05 is day 64
        trailer = read_records(data)[-1]
        assert trailer[1] == name
        assert trailer[3] == str(len(read_records(data)) - 1)

    def test_a_partida_carries_fraccion_nico_units_and_values(self):
        result = draft(_record())
        _name, data = m3_file(result)
        fields = _fields(data, "551")[0]
        partida = result.partidas[0]
        assert fields[2:5] == ["76169999", "1", "99"]
        assert fields[10:12] == ["400.000", "6"]
        assert fields[7] == str(partida.customs_value.amount)  # type: ignore[union-attr]
        assert fields[15:17] == ["0", "1"]
        assert fields[20:22] == ["USA", "USA"]

    def test_text_is_ascii_without_the_separator(self):
        goods = [line(description={"es": "Válvula | de paso – 1×2 “SAE”"})]
        _name, data = m3_file(draft(_record(goods=goods)))
        description = _fields(data, "551")[0][5]
        assert description == 'VALVULA / DE PASO - 1X2 "SAE"'
        data.decode("ascii")

    def test_seals_are_declared_with_the_truck(self):
        _name, data = m3_file(draft(_record()))
        assert _fields(data, "516") == [["516", "6000418", "AZ77120 4471", "SFP-0448120"]]

    def test_the_entry_date_is_day_month_year(self):
        _name, data = m3_file(draft(_record()))
        assert _fields(data, "506") == [["506", "6000418", "1", "05032026"]]
        assert _fields(data, "505")[0][2] == "02032026"


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_bundled_examples_render_and_validate(name):
    record = load_shipment(EXAMPLES / name / "shipment.yaml")
    assert ARTIFACT.required(record).required
    assert not any(p.severity is Severity.BLOCKER for p in ARTIFACT.problems(record))
    rendered = ARTIFACT.render(record)
    assert rendered.media_type == "text/plain"
    assert ARTIFACT.validate(rendered.data) == []
    assert ARTIFACT.render(record).data == rendered.data
    partidas = _fields(rendered.data, "551")
    assert len(partidas) == len(record.goods)


class TestValidate:
    @pytest.fixture
    def data(self) -> bytes:
        return m3_file(draft(_record(), references=_references()))[1]

    def _tamper(self, data: bytes, code: str, position: int, value: str) -> bytes:
        records = read_records(data)
        for fields in records:
            if fields[0] == code:
                fields[position] = value
                break
        return ("\n".join("|".join(r) + "|" for r in records) + "\n").encode("ascii")

    def test_the_rendered_file_is_valid(self, data):
        assert validate_m3(data) == []

    @pytest.mark.parametrize(
        ("blob", "code"),
        [
            (b"", "pedimento.m3.empty"),
            ("500|1|ñ|".encode(), "pedimento.m3.unreadable"),
            (b"500|1|3217|6000418|230||\r\n", "pedimento.m3.unreadable"),
            (b"500|1|3217|6000418|230||x\n", "pedimento.m3.unreadable"),
            (b"%PDF-1.7\n", "pedimento.m3.unreadable"),
        ],
    )
    def test_what_is_not_an_m3_file_is_refused(self, blob, code):
        assert code in _codes(validate_m3(blob))

    def test_an_unknown_record_is_refused(self, data):
        assert "pedimento.m3.record_unknown" in _codes(validate_m3(data + b"999|x|\n"))

    def test_a_missing_field_is_refused(self, data):
        records = read_records(data)
        records[1] = records[1][:-1]
        broken = ("\n".join("|".join(r) + "|" for r in records) + "\n").encode("ascii")
        assert "pedimento.m3.field_count" in _codes(validate_m3(broken))

    def test_a_field_out_of_format_is_refused(self, data):
        broken = self._tamper(data, "551", 10, "4OO")
        assert "pedimento.m3.field_format" in _codes(validate_m3(broken))

    def test_another_pedimento_number_is_refused(self, data):
        broken = self._tamper(data, "551", 1, "6000419")
        assert "pedimento.m3.number_mismatch" in _codes(validate_m3(broken))

    def test_a_tampered_contribution_breaks_the_totals(self, data):
        amount = int(_fields(data, "557")[0][6])
        broken = self._tamper(data, "557", 6, str(amount + 1))
        assert "pedimento.m3.totals" in _codes(validate_m3(broken))

    def test_a_wrong_record_count_is_refused(self, data):
        broken = self._tamper(data, "801", 3, "2")
        assert "pedimento.m3.record_count" in _codes(validate_m3(broken))

    def test_partidas_out_of_sequence_are_refused(self, data):
        broken = self._tamper(data, "551", 3, "2")
        assert _codes(validate_m3(broken)) & {
            "pedimento.m3.partida_sequence",
            "pedimento.m3.partida_unknown",
        }

    def test_a_changed_price_no_longer_matches_its_unit_price(self, data):
        broken = self._tamper(data, "551", 8, "1")
        assert "pedimento.m3.unit_price" in _codes(validate_m3(broken))

    def test_the_trailer_must_close_the_file(self, data):
        records = read_records(data)[:-1]
        broken = ("\n".join("|".join(r) + "|" for r in records) + "\n").encode("ascii")
        assert "pedimento.m3.order" in _codes(validate_m3(broken))


_QUANTITIES = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(99999), places=3)
_PRICES = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(9999), places=2)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_QUANTITIES, _PRICES), min_size=1, max_size=6))
def test_any_record_parses_back_to_its_partidas(lines):
    goods = [line(quantity=str(q), unit_price=f"{p} USD") for q, p in lines]
    result = draft(_record(goods=goods))
    _name, data = m3_file(result)
    assert validate_m3(data) == []
    parsed = _fields(data, "551")
    assert len(parsed) == len(result.partidas)
    for fields, partida in zip(parsed, result.partidas, strict=True):
        assert fields[2] == partida.fraccion
        assert int(fields[3]) == partida.sequence
        assert fields[4] == partida.nico
        assert Decimal(fields[10]) == partida.umc_quantity
        assert fields[11] == partida.umc
        assert partida.customs_value is not None
        assert Decimal(fields[7]) == partida.customs_value.amount
        assert partida.price_paid is not None
        assert Decimal(fields[8]) == partida.price_paid.amount
        assert partida.value_usd is not None
        assert Decimal(fields[9]) == partida.value_usd.amount


def test_the_module_names_its_key():
    assert pedimento.KEY == ARTIFACT.key == "pedimento"


def _umt_references(umt: str | None) -> References:
    """A LIGIE table whose row for the factory line's fracción gives ``umt``."""
    row = mx_tariff.IgiRate(
        fraccion="76169999",
        nico=None,
        general=Decimal("0.10"),
        tmec=Decimal(0),
        period=Period(date(2020, 1, 1)),
        source=Source("test fixture, not a LIGIE rate"),
        umt=umt,
    )
    return References(hts_store.default_store(), mx_tariff.LigieTable([row]), fx.default_table())


def _kilo() -> str:
    kilo = next(code for code, name in anexo22.appendix(7).items() if name == "Kilo")
    return str(kilo)


def _pieza() -> str:
    return str(next(code for code, name in anexo22.appendix(7).items() if name == "Pieza"))


class TestTariffUnit:
    def test_a_umt_that_is_the_umc_takes_the_lines_quantity(self):
        result = draft(_record(goods=[line(unit="H87")]), references=_umt_references(_pieza()))
        partida = result.partidas[0]
        assert partida.umc == partida.umt == _pieza()
        assert partida.umt_quantity == Decimal(400)
        assert "pedimento.umt_quantity.unknown" not in _codes(result.problems)
        assert "pedimento.umt.unknown" not in _codes(pedimento.draft_problems(result))

    def test_a_umt_of_kilos_takes_the_net_weight(self):
        result = draft(
            _record(goods=[line(net_weight_kg="96.5")]), references=_umt_references("01")
        )
        partida = result.partidas[0]
        assert partida.umt == _kilo()
        assert partida.umt_quantity == Decimal("96.5")

    def test_a_umt_of_kilos_without_a_net_weight_is_left_to_the_agente(self):
        goods = [line(), line(net_weight_kg=None)]
        result = draft(_record(goods=goods), references=_umt_references(_kilo()))
        assert [p.umt for p in result.partidas] == [_kilo(), _kilo()]
        assert result.partidas[1].umt_quantity is None
        found = [p for p in result.problems if p.code == "pedimento.umt_quantity.unknown"]
        assert [p.path for p in found] == ["goods[1].net_weight_kg"]
        assert found[0].severity is Severity.WARNING
        assert "Line 2" in found[0].message.render("en")

    def test_a_umt_the_line_does_not_measure_is_left_to_the_agente(self):
        litro = next(c for c, name in anexo22.appendix(7).items() if name == "Litro")
        result = draft(_record(goods=[line(unit="H87")]), references=_umt_references(str(litro)))
        assert result.partidas[0].umt == str(litro)
        assert result.partidas[0].umt_quantity is None
        found = [p for p in result.problems if p.code == "pedimento.umt_quantity.unknown"]
        assert [p.path for p in found] == ["goods[0].quantity"]
        assert "76169999" in found[0].message.render("es")

    def test_an_unknown_umt_leaves_both_empty_with_the_warning(self):
        result = draft(_record(), references=_umt_references(None))
        assert (result.partidas[0].umt, result.partidas[0].umt_quantity) == (None, None)
        assert "pedimento.umt.unknown" in _codes(pedimento.draft_problems(result))
        assert "pedimento.umt_quantity.unknown" not in _codes(result.problems)

    def test_record_551_carries_the_umt_and_its_quantity(self):
        result = draft(_record(), references=_umt_references(_kilo()))
        data = m3_file(result)[1]
        assert validate_m3(data) == []
        layout = anexo22.record("551")
        fields = _fields(data, "551")[0]
        assert fields[layout.index("umt")] == _kilo()
        assert Decimal(fields[layout.index("cantidad_umt")]) == Decimal(96)

    def test_record_551_leaves_an_unknown_umt_empty(self):
        data = m3_file(draft(_record(), references=_umt_references(None)))[1]
        layout = anexo22.record("551")
        fields = _fields(data, "551")[0]
        assert fields[layout.index("umt")] == fields[layout.index("cantidad_umt")] == ""


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(anexo22.appendix(7))),
    st.sampled_from(["H87", "KGM", "LTR", "MTR", "SET"]),
    st.one_of(
        st.none(), st.decimals(min_value=Decimal("0.001"), max_value=Decimal(9999), places=3)
    ),
)
def test_the_umt_quantity_is_the_quantity_the_net_weight_or_left_with_a_warning(
    umt, unit, net_weight
):
    goods = [line(unit=unit, net_weight_kg=None if net_weight is None else str(net_weight))]
    result = draft(_record(goods=goods), references=_umt_references(umt))
    partida = result.partidas[0]
    warned = "pedimento.umt_quantity.unknown" in _codes(result.problems)
    assert partida.umt == umt
    if umt == partida.umc:
        assert partida.umt_quantity == partida.umc_quantity
    elif umt == _kilo() and net_weight is not None:
        assert partida.umt_quantity == net_weight
    else:
        assert partida.umt_quantity is None
    assert warned == (partida.umt_quantity is None)
    data = m3_file(result)[1]
    assert validate_m3(data) == []


class TestDraftReuse:
    def test_the_same_record_gets_the_same_draft_and_a_changed_one_its_own(self):
        record = shipment()
        assert draft(record) is draft(record)
        changed = record.model_copy(update={"reference": "OTHER-1"})
        assert draft(changed) is not draft(record)
        assert draft(changed).reference == "OTHER-1"
