"""The SAAI M3 validation file of a pedimento draft: records in their layouts, one a line.

Layouts in ``reference/data/saai_m3_records.yaml``; see :mod:`cruce.artifacts.pedimento`.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Final

from cruce.artifacts._pedimento_draft import m3_country_code
from cruce.artifacts._pedimento_model import IMPORT, MXN, WHOLE
from cruce.model import Money
from cruce.reference import anexo22

if TYPE_CHECKING:
    from cruce.artifacts._pedimento_model import Partida, Pedimento, PedimentoParty

ENTRY_DATE: Final = "1"  # M3 506 tipo de fecha, ENTRADA (Anexo 22 field FECHAS, option I)
NEW_PEDIMENTO: Final = "1"  # M3 500 field 2, pedimento nuevo
FILE_SEQUENCE: Final = "001"  # the day's consecutive of the file: the agente's to assign
SEPARATOR: Final = "|"
DEDUCTIONS: Final = (
    "decrementables_fletes",
    "decrementables_seguros",
    "decrementables_carga",
    "decrementables_descarga",
    "otros_decrementables",
)
LOW_ASCII, HIGH_ASCII = 32, 126
_PLAIN: Final = str.maketrans(
    {"–": "-", "—": "-", "×": "X", "“": '"', "”": '"', "’": "'", "°": "O"}
)


def _ascii(text: str, length: int) -> str:
    """Text as the M3 file takes it: ASCII capitals, no separator, within ``length``."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_PLAIN))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = "".join(c if LOW_ASCII <= ord(c) <= HIGH_ASCII else " " for c in plain)
    plain = " ".join(plain.replace(SEPARATOR, "/").split()).upper()
    return plain[:length]


def _decimal_text(value: Decimal | None, decimals: int) -> str:
    if value is None:
        return ""
    step = Decimal(1).scaleb(-decimals)
    return f"{value.quantize(step, rounding=ROUND_HALF_UP):f}"


def _integer_text(money: Money | None) -> str:
    return "" if money is None else f"{money.amount.quantize(WHOLE, rounding=ROUND_HALF_UP):f}"


def _date_text(day: date | None) -> str:
    return "" if day is None else day.strftime("%d%m%Y")


def _number7(pedimento: Pedimento) -> str:
    number = pedimento.header.number
    return "0000000" if number is None else number[8:]


def _file_name(pedimento: Pedimento) -> str:
    patente = (pedimento.header.patente or "0000").zfill(4)
    day = pedimento.header.entry_date or pedimento.invoice.date or date(2000, 1, 1)
    return f"m{patente}{FILE_SEQUENCE}.{day.timetuple().tm_yday:03d}"


class _Writer:
    """Records checked against their layout as they are written."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, code: str, values: dict[str, str]) -> None:
        layout = anexo22.record(code)
        unknown = set(values) - {f.key for f in layout.fields}
        if unknown:
            raise KeyError(f"record {code} has no fields {sorted(unknown)}")
        cells = []
        for item in layout.fields:
            value = code if item.key == "registro" else values.get(item.key, "")
            if item.type == "A" and item.key != "archivo":
                value = _ascii(value, item.length)
            cells.append(value)
        self.lines.append(SEPARATOR.join(cells) + SEPARATOR)


def _party_cells(party: PedimentoParty | None) -> dict[str, str]:
    if party is None:
        return {}
    return {
        "nombre": party.name,
        "calle": party.street,
        "numero_interior": party.interior_number,
        "numero_exterior": party.exterior_number,
        "codigo_postal": party.postal_code,
        "municipio": party.municipality,
    }


def _m3_header(writer: _Writer, pedimento: Pedimento, number: str) -> None:
    header = pedimento.header
    office = header.customs_office or ""
    patente = header.patente or ""
    writer.add(
        "500",
        {
            "tipo_movimiento": NEW_PEDIMENTO,
            "patente": patente,
            "pedimento": number,
            "aduana_despacho": office,
        },
    )
    mexican = pedimento.importer_exporter
    increments = header.incrementables
    rate = header.exchange_rate
    general = {
        "patente": patente,
        "pedimento": number,
        "aduana_despacho": office,
        "tipo_operacion": header.operation_code,
        "clave_pedimento": header.clave,
        "aduana_entrada_salida": office,
        "rfc_importador": "" if mexican is None else mexican.tax_id or "",
        "tipo_cambio": _decimal_text(None if rate is None else rate.rate, 5),
        "fletes": _integer_text(increments.freight),
        "seguros": _integer_text(increments.insurance),
        "embalajes": _integer_text(increments.packing),
        "otros_incrementables": _integer_text(increments.other),
        "peso_bruto": _decimal_text(header.gross_weight_kg, 3),
        "medio_salida": header.transport_departure,
        "medio_arribo": header.transport_arrival,
        "medio_entrada_salida": header.transport_entry_exit,
        "destino_origen": header.destination_origin,
        **_party_cells(mexican),
        "entidad": "" if mexican is None else mexican.state,
        "pais": "" if mexican is None else m3_country_code(mexican.country) or "",
        **dict.fromkeys(DEDUCTIONS, "0"),
    }
    writer.add("501", general)
    for seal in pedimento.transport.seals:
        writer.add(
            "516",
            {
                "pedimento": number,
                "transporte": pedimento.transport.identification,
                "candado": seal,
            },
        )
    invoice, foreign = pedimento.invoice, pedimento.supplier_buyer
    writer.add(
        "505",
        {
            "pedimento": number,
            "fecha": _date_text(invoice.date),
            "factura": invoice.number or "",
            "termino": invoice.incoterm or "",
            "moneda": invoice.currency,
            "valor_dolares": _decimal_text(
                None if invoice.value_usd is None else invoice.value_usd.amount, 2
            ),
            "valor_moneda": _decimal_text(invoice.value.amount, 2),
            "pais": "" if foreign is None else m3_country_code(foreign.country) or "",
            "id_fiscal": "" if foreign is None else foreign.tax_id or "",
            **_party_cells(foreign),
        },
    )
    if header.operation == IMPORT and header.entry_date is not None:
        writer.add(
            "506",
            {"pedimento": number, "tipo_fecha": ENTRY_DATE, "fecha": _date_text(header.entry_date)},
        )
    for item in header.contributions:
        if item.declared:
            writer.add(
                "509",
                {
                    "pedimento": number,
                    "contribucion": item.code,
                    "tasa": _decimal_text(item.rate, 10),
                    "tipo_tasa": item.rate_type or "",
                },
            )
    for code, (form, amount) in _declared_totals(pedimento).items():
        writer.add(
            "510",
            {
                "pedimento": number,
                "contribucion": code,
                "forma_pago": form,
                "importe": _integer_text(Money.trusted(amount, MXN)),
            },
        )


def _declared_totals(pedimento: Pedimento) -> dict[str, tuple[str, Decimal]]:
    """Per contribution code, the sum of what the file declares (records 557 and the header's).

    A contribution that is undetermined for some partidas adds up the determined ones only:
    the file's 510 and 557 records agree, and the draft's warnings say what is missing.
    """
    totals: dict[str, tuple[str, Decimal]] = {}
    items = (
        *pedimento.header.contributions,
        *(c for p in pedimento.partidas for c in p.contributions),
    )
    for item in items:
        if item.declared and item.payable is not None:
            form, amount = totals.get(item.code, (item.payment_form, Decimal(0)))
            totals[item.code] = (form, amount + item.payable.amount)
    return totals


def _m3_partida(writer: _Writer, partida: Partida, number: str) -> None:
    key = {"pedimento": number, "fraccion": partida.fraccion, "partida": str(partida.sequence)}
    writer.add(
        "551",
        {
            **key,
            "subdivision": partida.nico,
            "descripcion": partida.description,
            "precio_unitario": _decimal_text(partida.unit_price, 5),
            "valor_aduana": _integer_text(partida.customs_value),
            "precio_pagado": _integer_text(partida.price_paid),
            "valor_dolares": _decimal_text(
                None if partida.value_usd is None else partida.value_usd.amount, 2
            ),
            "cantidad_umc": _decimal_text(partida.umc_quantity, 3),
            "umc": partida.umc or "",
            "cantidad_umt": _decimal_text(partida.umt_quantity, 5),
            "umt": partida.umt or "",
            "vinculacion": partida.related or "",
            "metodo_valoracion": partida.valuation_method,
            "codigo_producto": partida.product_code,
            "marca": partida.brand,
            "modelo": partida.model,
            "pais_origen_destino": partida.country_origin_destination or "",
            "pais_vendedor_comprador": partida.country_seller_buyer or "",
        },
    )
    for identifier in partida.identifiers:
        writer.add(
            "554",
            {
                **key,
                "identificador": identifier.code,
                "complemento_1": identifier.complement_1,
                "complemento_2": identifier.complement_2,
                "complemento_3": identifier.complement_3,
            },
        )
    declared = [c for c in partida.contributions if c.declared]
    for item in declared:
        writer.add(
            "556",
            {
                **key,
                "contribucion": item.code,
                "tasa": _decimal_text(item.rate, 10),
                "tipo_tasa": item.rate_type or "",
            },
        )
    for item in declared:
        writer.add(
            "557",
            {
                **key,
                "contribucion": item.code,
                "forma_pago": item.payment_form,
                "importe": _integer_text(item.payable),
            },
        )


def m3_file(pedimento: Pedimento) -> tuple[str, bytes]:
    """The SAAI M3 validation file of ``pedimento``: its name and its ASCII bytes."""
    number = _number7(pedimento)
    writer = _Writer()
    _m3_header(writer, pedimento, number)
    for partida in pedimento.partidas:
        _m3_partida(writer, partida, number)
    writer.add("800", {"pedimento": number})
    name = _file_name(pedimento)
    writer.add("801", {"archivo": name, "pedimentos": "1", "registros": str(len(writer.lines))})
    return name, ("\n".join(writer.lines) + "\n").encode("ascii")
