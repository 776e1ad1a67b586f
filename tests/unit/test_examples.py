"""The bundled examples: valid records, real tariff codes, consistent classifications."""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections import defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import openpyxl
import pytest
import yaml

from common.factories import shipment_data
from cruce.ingest.columns import COLUMNS
from cruce.model import Money, Party, Shipment, TaxScheme
from cruce.model.identifiers import check_aba, check_clabe, check_ein, check_rfc

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import ModuleType

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "src" / "cruce" / "examples"
SHARED_DATA = REPO / ".." / "shared" / "data"
HTS_CSV = SHARED_DATA / "usitc_hts" / "hts_2026_rev_10_lines.csv"
FRACCION_CSV = SHARED_DATA / "sat_cfdi" / "catalogs_csv" / "cce20_c_FraccionArancelaria.csv"
GENERATOR = REPO / "scripts" / "make_example_sheet.py"

NAMES = ("01-phoenix-to-guadalajara", "02-guadalajara-to-phoenix", "03-goods-sheet-250")
SHEET_COLUMNS = tuple(column.key for column in COLUMNS)
SHEET_LINES = 250
EEI_THRESHOLD = Money.of("2500.00", "USD")
# The loader fills a crossing given by its CBP code from cruce's port table; here the one
# port the examples use is written out as the factory writes it.
PORTS = {"2604": shipment_data()["transport"]["crossing"]}


# ---------------------------------------------------------------------------- reading


def _number(value: object) -> str:
    # Excel stores numbers as doubles; 15 significant digits give back what was typed
    return format(value, ".15g") if isinstance(value, float) else str(value)


def _goods_from_sheet(path: Path) -> list[dict[str, Any]]:
    """The sheet's rows as goods lines, mapped column by column as the README describes."""
    rows = _sheet_rows(path)
    goods = []
    for row in rows:
        currency = row["currency"]
        item: dict[str, Any] = {
            "part_number": row["part_number"],
            "description": {"en": row["description_en"], "es": row["description_es"]},
            "quantity": _number(row["quantity"]),
            "unit_price": f"{_number(row['unit_price'])} {currency}",
            "value": f"{_number(row['value'])} {currency}",
            "net_weight_kg": _number(row["net_weight_kg"]),
            "gross_weight_kg": _number(row["gross_weight_kg"]),
            "usmca": {
                "claimed": row["usmca_claimed"] == "yes",
                "criterion": row["origin_criterion"],
            },
            "serial_numbers": [
                s.strip() for s in (row["serial_numbers"] or "").split(";") if s.strip()
            ],
        }
        for key in ("hts", "schedule_b", "fraccion", "nico", "origin_country", "unit", "eccn"):
            item[key] = row[key]
        for key in ("marks", "brand", "model", "packages", "package_type"):
            item[key] = row[key]
        goods.append(item)
    return goods


@cache
def _sheet_rows(path: Path) -> tuple[dict[str, Any], ...]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(book.active.iter_rows(values_only=True))
    finally:
        book.close()
    header = rows[0]
    return tuple(dict(zip(header, row, strict=True)) for row in rows[1:])


def _raw(name: str) -> dict[str, Any]:
    folder = EXAMPLES / name
    data = yaml.safe_load((folder / "shipment.yaml").read_text(encoding="utf-8"))
    crossing = data["transport"]["crossing"]
    if isinstance(crossing, str):
        data["transport"]["crossing"] = PORTS[crossing]
    sheet = data.pop("goods_sheet", None)
    if sheet is not None:
        data["goods"] = _goods_from_sheet(folder / sheet)
    return data


@cache
def _example(name: str) -> Shipment:
    return Shipment.model_validate(_raw(name))


def _parties(record: Shipment) -> Iterator[tuple[str, Party]]:
    for role in type(record.parties).model_fields:
        value = getattr(record.parties, role)
        for party in value if isinstance(value, list) else [value]:
            if isinstance(party, Party):
                yield role, party


@pytest.fixture(scope="module")
def hts_numbers() -> frozenset[str]:
    if not HTS_CSV.is_file():
        pytest.skip(f"the shared HTS table is not beside this checkout: {HTS_CSV}")
    with HTS_CSV.open(encoding="utf-8", newline="") as handle:
        return frozenset(
            row["htsno"].replace(".", "") for row in csv.DictReader(handle) if row["digits"] == "10"
        )


@pytest.fixture(scope="module")
def fracciones() -> frozenset[str]:
    if not FRACCION_CSV.is_file():
        pytest.skip(f"the shared SAT catalog is not beside this checkout: {FRACCION_CSV}")
    with FRACCION_CSV.open(encoding="utf-8", newline="") as handle:
        return frozenset(row["clave"] for row in csv.DictReader(handle))


@cache
def _generator() -> ModuleType:
    """scripts/make_example_sheet.py, imported from its path (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("make_example_sheet", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", NAMES)
class TestEachExample:
    def test_validates_with_the_model(self, name):
        record = _example(name)
        assert record.goods
        assert record.transport.crossing.cbp_port_code == "2604"
        assert record.transport.crossing.aduana == "23"

    def test_every_hts_number_is_a_line_of_the_hts(self, name, hts_numbers):
        missing = {g.hts for g in _example(name).goods} - hts_numbers
        assert not missing

    def test_every_fraccion_and_nico_is_in_the_sat_catalog(self, name, fracciones):
        goods = _example(name).goods
        assert not {g.fraccion for g in goods} - fracciones
        assert not {f"{g.fraccion}{g.nico}" for g in goods} - fracciones

    def test_every_line_carries_all_three_classifications(self, name):
        for goods in _example(name).goods:
            assert goods.hts
            assert goods.schedule_b
            assert goods.fraccion
            assert goods.nico

    def test_classifications_of_a_line_share_the_hs6(self, name):
        for index, goods in enumerate(_example(name).goods):
            assert len(set(goods.hs6().values())) == 1, (index, goods.hs6())

    def test_tax_numbers_are_valid(self, name):
        checked = 0
        for role, party in _parties(_example(name)):
            for tax_id in party.tax_ids:
                if tax_id.scheme is TaxScheme.MX_RFC:
                    assert check_rfc(tax_id.value) is None, (role, tax_id)
                    assert len(tax_id.value) == 12, "the example parties are companies"
                elif tax_id.scheme is TaxScheme.US_EIN or tax_id.country == "US":
                    assert check_ein(tax_id.value) is None, (role, tax_id)
                checked += 1
        assert checked >= 4  # seller, buyer and the two brokers at least

    def test_bank_account_numbers_are_valid(self, name):
        for _, party in _parties(_example(name)):
            for account in party.bank_accounts:
                if account.clabe:
                    assert check_clabe(account.clabe) is None
                if account.aba_routing:
                    assert check_aba(account.aba_routing) is None

    def test_declared_total_is_the_invoice_total(self, name):
        record = _example(name)
        declared = record.terms.declared_total
        assert declared is not None
        assert record.invoice_total() == {declared.currency: declared}

    def test_net_weight_never_exceeds_gross_weight(self, name):
        for goods in _example(name).goods:
            assert goods.net_weight_kg is not None
            assert goods.gross_weight_kg is not None
            assert 0 < goods.net_weight_kg <= goods.gross_weight_kg

    def test_descriptions_are_in_english_and_spanish(self, name):
        for goods in _example(name).goods:
            assert goods.description.en
            assert goods.description.es
            assert goods.description.en != goods.description.es

    def test_seller_buyer_and_both_brokers_are_named(self, name):
        parties = _example(name).parties
        assert parties.us_customs_broker.filer_code
        assert parties.mx_customs_broker.patente
        assert parties.seller.address.country == _example(name).export_country
        assert parties.buyer.address.country == _example(name).import_country

    def test_usmca_claims_name_their_criterion(self, name):
        for goods in _example(name).goods:
            if goods.usmca.claimed:
                assert goods.usmca.criterion is not None
                assert goods.origin_country in {"US", "MX", "CA"}

    def test_the_planned_crossing_is_in_arizona_time(self, name):
        crossing = _example(name).transport.planned_crossing
        assert crossing.utcoffset().total_seconds() == -7 * 3600


class TestPhoenixToGuadalajara:
    NAME = "01-phoenix-to-guadalajara"

    def test_is_southbound_dap(self):
        record = _example(self.NAME)
        assert record.direction == "US-MX"
        assert record.terms.incoterm == "DAP"

    def test_a_schedule_b_number_is_over_the_eei_threshold(self):
        by_schedule_b: dict[str, Money] = defaultdict(lambda: Money.zero("USD"))
        for goods in _example(self.NAME).goods:
            by_schedule_b[goods.schedule_b] += goods.line_value()
        assert by_schedule_b["7616995090"] > EEI_THRESHOLD
        assert max(by_schedule_b.values(), key=lambda m: m.amount) > EEI_THRESHOLD

    def test_has_a_dozen_lines_across_several_chapters(self):
        goods = _example(self.NAME).goods
        assert len(goods) >= 12
        assert {g.hts[:2] for g in goods} >= {"73", "76", "84"}

    def test_carrier_truck_trailer_seals_and_driver_are_there(self):
        transport = _example(self.NAME).transport
        assert transport.carrier_scac
        assert transport.carrier_caat
        assert transport.truck.plate
        assert transport.trailers[0].plate
        assert transport.seals
        assert transport.driver.name

    def test_freight_is_billed_and_insurance_is_not(self):
        charges = {c.kind.value: c.billed_on_invoice for c in _example(self.NAME).terms.charges}
        assert charges == {"freight": True, "insurance": False}


class TestGuadalajaraToPhoenix:
    NAME = "02-guadalajara-to-phoenix"

    def test_is_northbound_fca(self):
        record = _example(self.NAME)
        assert record.direction == "MX-US"
        assert record.terms.incoterm == "FCA"

    def test_goods_are_in_chapters_85_and_90(self):
        assert {g.hts[:2] for g in _example(self.NAME).goods} == {"85", "90"}

    def test_every_line_has_a_bill_of_materials_worth_less_than_the_good(self):
        for goods in _example(self.NAME).goods:
            assert goods.materials
            total = sum(m.value for m in goods.materials)
            assert total < goods.unit_price

    def test_materials_come_from_the_us_mexico_and_china(self):
        origins = {m.origin_country for g in _example(self.NAME).goods for m in g.materials}
        assert origins >= {"US", "MX", "CN"}

    def test_certified_materials_come_from_us_or_mexican_suppliers(self):
        for goods in _example(self.NAME).goods:
            for material in goods.materials:
                if material.supplier_certification:
                    assert material.origin_country in {"US", "MX"}
                    assert material.originating.value == "yes"

    def test_the_buyer_is_named_for_the_cfdi_by_its_ein(self):
        buyer = _example(self.NAME).parties.buyer
        ein = buyer.tax_id(TaxScheme.US_EIN)
        foreign = buyer.tax_id(TaxScheme.FOREIGN)
        assert ein is not None
        assert foreign is not None
        assert (foreign.value, foreign.country) == (ein.value, "US")

    def test_the_seller_has_an_rfc_and_the_invoice_an_exchange_rate(self):
        record = _example(self.NAME)
        assert record.parties.seller.tax_id(TaxScheme.MX_RFC) is not None
        rate = record.terms.exchange_rate
        assert (rate.base, rate.quote) == ("USD", "MXN")

    def test_some_lines_claim_usmca_and_one_does_not(self):
        claims = [g.usmca.claimed for g in _example(self.NAME).goods]
        assert any(claims)
        assert not all(claims)


class TestGoodsSheet:
    NAME = "03-goods-sheet-250"
    SHEET = EXAMPLES / NAME / "goods.xlsx"

    def test_the_shipment_names_its_sheet(self):
        raw = yaml.safe_load((EXAMPLES / self.NAME / "shipment.yaml").read_text(encoding="utf-8"))
        assert raw["goods_sheet"] == "goods.xlsx"
        assert "goods" not in raw

    def test_the_sheet_has_250_data_rows_under_its_header(self):
        book = openpyxl.load_workbook(self.SHEET, read_only=True)
        try:
            rows = list(book.active.iter_rows(values_only=True))
        finally:
            book.close()
        assert rows[0] == SHEET_COLUMNS
        data = [row for row in rows[1:] if any(cell is not None for cell in row)]
        assert len(data) == SHEET_LINES
        assert [row[0] for row in data] == list(range(1, SHEET_LINES + 1))

    def test_code_columns_are_text(self):
        for row in _sheet_rows(self.SHEET):
            for key in ("hts", "schedule_b", "fraccion", "nico", "part_number", "unit"):
                assert isinstance(row[key], str), (row["line"], key)

    def test_part_numbers_are_distinct(self):
        parts = [row["part_number"] for row in _sheet_rows(self.SHEET)]
        assert len(set(parts)) == len(parts)

    def test_values_are_quantity_times_price(self):
        for goods in _example(self.NAME).goods:
            product = (goods.unit_price * goods.quantity).rounded()
            assert goods.value == product

    def test_the_sheet_is_what_the_generator_writes(self):
        generator = _generator()
        rows = generator.build_rows(generator.SEED, generator.LINES)
        written = [
            {key: generator._cell(key, row.get(key)) for key in SHEET_COLUMNS} for row in rows
        ]
        assert [dict(row) for row in _sheet_rows(self.SHEET)] == written

    def test_the_generator_is_deterministic(self):
        generator = _generator()
        first = generator.workbook_bytes(generator.build_rows(generator.SEED, 10))
        second = generator.workbook_bytes(generator.build_rows(generator.SEED, 10))
        assert first == second

    def test_the_generator_pool_is_in_the_shared_data(self, hts_numbers, fracciones):
        generator = _generator()
        generator.check_pool(set(hts_numbers), set(fracciones))  # raises SystemExit if not

    def test_the_generator_stops_on_a_code_it_cannot_find(self, hts_numbers):
        generator = _generator()
        with pytest.raises(SystemExit, match="codes not found"):
            generator.check_pool(set(hts_numbers), set())

    def test_prices_and_values_read_back_exactly(self):
        for row in _sheet_rows(self.SHEET):
            price = Decimal(_number(row["unit_price"]))
            assert price == price.quantize(Decimal("0.0001"))
            value = Decimal(_number(row["value"]))
            assert value == value.quantize(Decimal("0.01"))
