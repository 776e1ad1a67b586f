# ruff: noqa: INP001 - scripts/ is a folder of scripts, not a package
"""Write the goods sheet of example 03: 250 lines of an MRO distributor's restock order.

Usage::

    .venv/bin/python scripts/make_example_sheet.py [--shared ../shared/data] [--out FILE]

The lines are drawn with a fixed seed from a pool of real classifications: each pool entry
pairs a US HTSUS statistical number with a Mexican fracción arancelaria + NICO of the same
HS-6 subheading. Every pair is checked against the shared data before anything is written
(``usitc_hts/hts_2026_rev_10_lines.csv`` and
``sat_cfdi/catalogs_csv/cce20_c_FraccionArancelaria.csv``); a code that is not found stops
the script. Schedule B numbers are taken equal to the HTSUS number (15 CFR 30.6(a)(12)
accepts the HTSUS number in the EEI for most goods); they were not checked against the
Census Schedule B, which is not available in machine-readable form.

Deterministic: the same seed gives byte-identical output (fixed document dates, fixed zip
entry times, rows in a fixed order). Code columns are written as text so leading zeros and
dots survive; quantities, prices, values and weights as numbers.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import random
import sys
import zipfile
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.writer.excel import ExcelWriter

from cruce.ingest.columns import COLUMNS as SHEET_LAYOUT

if TYPE_CHECKING:
    from collections.abc import Sequence

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "src" / "cruce" / "examples" / "03-goods-sheet-250" / "goods.xlsx"
HTS_CSV = Path("usitc_hts") / "hts_2026_rev_10_lines.csv"
FRACCION_CSV = Path("sat_cfdi") / "catalogs_csv" / "cce20_c_FraccionArancelaria.csv"
SEED = 20261204
LINES = 250
# The workbook's core properties and every zip entry carry this time, so reruns are identical.
FIXED_TIME = dt.datetime(2026, 12, 4, 9, 0, 0)  # noqa: DTZ001 - OOXML core dates are naive UTC

# The goods sheet's columns, in the order cruce documents them (docs/goods-sheet.md).
COLUMNS = tuple(column.key for column in SHEET_LAYOUT)
TEXT_COLUMNS = frozenset(
    {"part_number", "hts", "schedule_b", "fraccion", "nico", "origin_country", "unit"}
    | {"currency", "origin_criterion", "eccn", "marks", "brand", "model", "serial_numbers"}
    | {"package_type", "description_en", "description_es", "usmca_claimed"}
)
USMCA_COUNTRIES = frozenset({"US", "MX", "CA"})
MARKS = "SIT / EL SALTO, JAL. / OC-SIT-2026-1194"
CURRENCY = "USD"
TARE_KG = {
    "CT": Decimal("0.45"),  # carton
    "BX": Decimal("0.25"),  # box
    "CR": Decimal("6.5"),  # crate
    "CL": Decimal("0.4"),  # coil, wrapped
    "RL": Decimal("2.2"),  # reel
}
CENT = Decimal("0.01")
GRAM = Decimal("0.001")


@dataclass(frozen=True)
class Entry:
    """One classification and the goods sold under it, with their variants."""

    sku: str
    hts: str
    fraccion: str
    nico: str
    en: str  # "{v}" is replaced by the variant
    es: str
    unit: str
    price: str  # unit price of a variant with factor 1
    kg: str  # net kg per unit of a variant with factor 1
    quantities: tuple[int, ...]
    origins: tuple[tuple[str, int], ...]  # (country, weight)
    brand: str
    model: str  # "{i}" is replaced by the variant's index
    package_type: str
    per_package: int
    # (text, size factor for price and weight); "english | español" where the languages differ
    variants: tuple[tuple[str, float], ...]
    criterion: str = "B"
    serialised: bool = False


# fmt: off
POOL: tuple[Entry, ...] = (
    Entry(
        "SHCS", "7318.15.80.45", "7318.15.99", "05",
        "Socket head cap screw, alloy steel class 12.9, black oxide, {v}",
        "Tornillo allen de cabeza cilíndrica, acero aleado clase 12.9, pavonado, {v}",
        "H87", "0.24", "0.031", (200, 500, 1000, 2000), (("US", 5), ("TW", 3), ("CN", 2)),
        "Tornado Fasteners", "SHCS-129-{i}", "CT", 500,
        (("M8 × 25 mm", 0.6), ("M8 × 40 mm", 0.75), ("M10 × 30 mm", 1.0),
         ("M10 × 50 mm", 1.3), ("M12 × 40 mm", 1.6), ("M12 × 60 mm", 2.0),
         ("M16 × 50 mm", 3.1), ("M10 × 70 mm", 1.7), ("M16 × 80 mm", 4.2)),
    ),
    Entry(
        "HCSS", "7318.15.80.55", "7318.15.99", "09",
        "Hex cap screw, stainless steel 304, {v}",
        "Tornillo hexagonal de acero inoxidable 304, {v}",
        "H87", "0.72", "0.075", (100, 250, 500), (("US", 4), ("CN", 4), ("IN", 2)),
        "Tornado Fasteners", "HCS-304-{i}", "CT", 250,
        (('1/4"-20 × 1"', 0.3), ('5/16"-18 × 1-1/4"', 0.45), ('3/8"-16 × 1-1/2"', 0.65),
         ('1/2"-13 × 2"', 1.0), ('5/8"-11 × 2-1/2"', 1.7), ('3/4"-10 × 3"', 2.6),
         ('3/8"-16 × 1"', 0.55), ('1/2"-13 × 1-1/2"', 0.85)),
    ),
    Entry(
        "TEKS", "7318.14.10.60", "7318.14.01", "00",
        "Self-drilling screw, hex washer head, zinc plated, {v}",
        "Tornillo autotaladrante cabeza hexagonal con rondana, zincado, {v}",
        "H87", "0.045", "0.0045", (1000, 2500, 5000), (("CN", 6), ("US", 4)),
        "Tornado Fasteners", "SDS-HWH-{i}", "CT", 2500,
        (('#8-18 × 1/2"', 0.7), ('#10-16 × 3/4"', 1.0), ('#10-16 × 1"', 1.15),
         ('#12-14 × 1"', 1.4), ('#12-14 × 1-1/2"', 1.7), ('#8-18 × 3/4"', 0.8)),
    ),
    Entry(
        "DOWL", "7318.29.00.00", "7318.29.99", "99",
        "Hardened steel dowel pin, ground, {v}",
        "Perno guía (pasador) de acero templado, rectificado, {v}",
        "H87", "0.30", "0.016", (100, 200, 500), (("US", 5), ("DE", 2), ("CN", 3)),
        "Tornado Fasteners", "DP-{i}", "CT", 500,
        (("5 mm × 20 mm", 0.45), ("6 mm × 30 mm", 0.65), ("8 mm × 40 mm", 1.0),
         ("10 mm × 50 mm", 1.6), ("12 mm × 60 mm", 2.4)),
    ),
    Entry(
        "RIVT", "7616.10.30.00", "7616.10.01", "00",
        "Aluminium blind rivet, domed head, {v}",
        "Remache ciego de aluminio, cabeza domo, {v}",
        "H87", "0.04", "0.0012", (1000, 2000, 5000), (("US", 5), ("CN", 5)),
        "Saguaro Supply", "BR-AL-{i}", "CT", 2000,
        (('1/8", grip 0.126–0.250" | 1/8", agarre 0.126–0.250"', 0.6),
         ('5/32", grip 0.188–0.250" | 5/32", agarre 0.188–0.250"', 0.8),
         ('3/16", grip 0.251–0.375" | 3/16", agarre 0.251–0.375"', 1.0),
         ('3/16", grip 0.376–0.500" | 3/16", agarre 0.376–0.500"', 1.15),
         ('1/8", grip 0.251–0.375" | 1/8", agarre 0.251–0.375"', 0.7),
         ('5/32", grip 0.251–0.375" | 5/32", agarre 0.251–0.375"', 0.9)),
        criterion="C",
    ),
    Entry(
        "BB62", "8482.10.50.48", "8482.10.99", "99",
        "Deep-groove ball bearing, sealed both sides, {v}",
        "Rodamiento rígido de bolas, sellado por ambos lados, {v}",
        "H87", "4.40", "0.128", (20, 50, 100), (("JP", 3), ("DE", 2), ("US", 2), ("CN", 3)),
        "Rodamax", "62-2RS-{i}", "CT", 50,
        (("6202-2RS, 15 × 35 × 11 mm", 0.5), ("6203-2RS, 17 × 40 × 12 mm", 0.65),
         ("6204-2RS, 20 × 47 × 14 mm", 0.85), ("6205-2RS, 25 × 52 × 15 mm", 1.0),
         ("6302-2RS, 15 × 42 × 13 mm", 0.75), ("6304-2RS, 20 × 52 × 15 mm", 1.1),
         ("6303-2RS, 17 × 47 × 14 mm", 0.9), ("6201-2RS, 12 × 32 × 10 mm", 0.45)),
    ),
    Entry(
        "NU20", "8482.50.00.00", "8482.50.01", "00",
        "Cylindrical roller bearing, single row, {v}",
        "Rodamiento de rodillos cilíndricos de una hilera, {v}",
        "H87", "24.00", "0.20", (10, 20, 40), (("DE", 4), ("SE", 2), ("US", 4)),
        "Rodamax", "NU-{i}", "CT", 10,
        (("NU 204, 20 × 47 × 14 mm", 0.55), ("NU 205, 25 × 52 × 15 mm", 0.75),
         ("NU 206, 30 × 62 × 16 mm", 1.0), ("NU 207, 35 × 72 × 17 mm", 1.4),
         ("NU 208, 40 × 80 × 18 mm", 1.8), ("NU 306, 30 × 72 × 19 mm", 1.5)),
    ),
    Entry(
        "UCPB", "8483.20.80.40", "8483.20.01", "00",
        "Pillow block ball bearing unit, cast-iron housing, set-screw lock, {v}",
        "Chumacera de pie con rodamiento de bolas, caja de hierro fundido, prisionero, {v}",
        "H87", "18.00", "0.80", (10, 20, 30), (("US", 4), ("MX", 2), ("CN", 4)),
        "Rodamax", "UCP2-{i}", "CT", 10,
        (("UCP204, 20 mm bore | UCP204, barreno de 20 mm", 0.8),
         ("UCP205, 25 mm bore | UCP205, barreno de 25 mm", 1.0),
         ("UCP206, 30 mm bore | UCP206, barreno de 30 mm", 1.35),
         ("UCP207, 35 mm bore | UCP207, barreno de 35 mm", 1.7),
         ("UCP208, 40 mm bore | UCP208, barreno de 40 mm", 2.1),
         ('UCP206-20, 1-1/4" bore | UCP206-20, barreno de 1-1/4"', 1.35)),
    ),
    Entry(
        "JAWC", "8483.60.80.00", "8483.60.99", "00",
        "Jaw coupling hub, sintered iron, {v}",
        "Maza de acoplamiento de quijadas, hierro sinterizado, {v}",
        "H87", "8.50", "0.22", (10, 25, 50), (("US", 7), ("MX", 3)),
        "Sonoran Drive", "L-{i}", "CT", 25,
        (('L-070, 1/2" bore | L-070, barreno de 1/2"', 0.7),
         ('L-075, 5/8" bore | L-075, barreno de 5/8"', 0.85),
         ('L-095, 5/8" bore | L-095, barreno de 5/8"', 1.0),
         ('L-095, 3/4" bore | L-095, barreno de 3/4"', 1.0),
         ('L-100, 1" bore | L-100, barreno de 1"', 1.5),
         ('L-110, 1-1/8" bore | L-110, barreno de 1-1/8"', 2.1)),
    ),
    Entry(
        "BVBR", "8481.80.10.85", "8481.80.21", "00",
        "Brass ball valve, full port, 600 WOG, {v}",
        "Válvula de bola de latón, paso completo, 600 WOG, {v}",
        "H87", "14.50", "0.42", (10, 24, 48), (("IT", 3), ("US", 3), ("CN", 4)),
        "Aquila Valve", "BV600-{i}", "CT", 24,
        (('1/4" NPT', 0.4), ('3/8" NPT', 0.45), ('1/2" NPT', 0.55), ('3/4" NPT', 0.75),
         ('1" NPT', 1.0), ('1-1/4" NPT', 1.55), ('1-1/2" NPT', 2.1), ('2" NPT', 3.2)),
    ),
    Entry(
        "BVSS", "8481.80.30.70", "8481.80.18", "00",
        "Stainless steel 316 ball valve, three-piece, 1000 WOG, {v}",
        "Válvula de bola de acero inoxidable 316, tres piezas, 1000 WOG, {v}",
        "H87", "31.00", "0.55", (6, 12, 24), (("US", 4), ("CN", 4), ("IN", 2)),
        "Aquila Valve", "BV3P-316-{i}", "CT", 12,
        (('1/4" NPT', 0.75), ('1/2" NPT', 1.0), ('3/4" NPT', 1.3), ('1" NPT', 1.75),
         ('1-1/2" NPT', 3.0), ('2" NPT', 4.4), ('3/8" NPT', 0.85), ('1-1/4" NPT', 2.4)),
    ),
    Entry(
        "SOLV", "8481.80.90.05", "8481.80.22", "00",
        "Solenoid valve, 2/2-way, normally closed, brass body, {v}",
        "Electroválvula de 2/2 vías, normalmente cerrada, cuerpo de latón, {v}",
        "H87", "52.00", "0.38", (4, 8, 12), (("US", 4), ("MX", 3), ("DE", 3)),
        "Aquila Valve", "SV22-{i}", "CT", 8,
        (('1/4" NPT, 24 V DC | 1/4" NPT, 24 V CC', 0.8),
         ('3/8" NPT, 24 V DC | 3/8" NPT, 24 V CC', 0.9),
         ('1/2" NPT, 24 V DC | 1/2" NPT, 24 V CC', 1.0),
         ('1/2" NPT, 120 V AC | 1/2" NPT, 120 V CA', 1.0),
         ('3/4" NPT, 24 V DC | 3/4" NPT, 24 V CC', 1.35),
         ('1" NPT, 120 V AC | 1" NPT, 120 V CA', 1.8)),
    ),
    Entry(
        "DCV6", "8481.20.00.20", "8481.20.99", "03",
        "Hydraulic directional control valve, solenoid operated, NG6 (CETOP 3), {v}",
        "Válvula hidráulica direccional accionada por solenoide, NG6 (CETOP 3), {v}",
        "H87", "178.00", "1.60", (1, 2, 4), (("US", 5), ("DE", 3), ("IT", 2)),
        "HydraSur", "D03-{i}", "CT", 2,
        (("4/3 closed centre, 24 V DC | 4/3 centro cerrado, 24 V CC", 1.0),
         ("4/3 tandem centre, 24 V DC | 4/3 centro tándem, 24 V CC", 1.0),
         ("4/2 spring return, 24 V DC | 4/2 retorno por resorte, 24 V CC", 0.9),
         ("4/3 closed centre, 120 V AC | 4/3 centro cerrado, 120 V CA", 1.05),
         ("4/3 float centre, 24 V DC | 4/3 centro flotante, 24 V CC", 1.0)),
        serialised=True,
    ),
    Entry(
        "CHKV", "8481.30.10.90", "8481.30.99", "99",
        "Spring check valve, brass, {v}",
        "Válvula de retención con resorte, latón, {v}",
        "H87", "9.40", "0.28", (10, 20, 40), (("US", 5), ("CN", 5)),
        "Aquila Valve", "CV-BR-{i}", "CT", 20,
        (('1/2" NPT', 0.7), ('3/4" NPT', 1.0), ('1" NPT', 1.4), ('1-1/4" NPT', 2.0),
         ('3/8" NPT', 0.6), ('1-1/2" NPT', 2.6)),
    ),
    Entry(
        "PRV1", "8481.40.00.00", "8481.40.99", "99",
        "Pressure relief valve, brass, ASME, {v}",
        "Válvula de alivio de presión, latón, ASME, {v}",
        "H87", "26.00", "0.25", (4, 10, 20), (("US", 6), ("CN", 4)),
        "Aquila Valve", "PRV-{i}", "CT", 10,
        (('1/4" NPT, set 125 psi | 1/4" NPT, calibrada a 125 psi', 0.8),
         ('1/2" NPT, set 150 psi | 1/2" NPT, calibrada a 150 psi', 1.0),
         ('3/4" NPT, set 150 psi | 3/4" NPT, calibrada a 150 psi', 1.4),
         ('1" NPT, set 100 psi | 1" NPT, calibrada a 100 psi', 1.9),
         ('1/2" NPT, set 100 psi | 1/2" NPT, calibrada a 100 psi', 1.0),
         ('3/4" NPT, set 75 psi | 3/4" NPT, calibrada a 75 psi', 1.4)),
    ),
    Entry(
        "NIPS", "7307.29.00.30", "7307.29.99", "00",
        "Stainless steel 316 hex nipple, {v}",
        "Niple hexagonal de acero inoxidable 316, {v}",
        "H87", "4.10", "0.06", (25, 50, 100), (("US", 3), ("CN", 5), ("IN", 2)),
        "Saguaro Supply", "HN-316-{i}", "CT", 50,
        (('1/4" NPT', 0.55), ('3/8" NPT', 0.75), ('1/2" NPT', 1.0), ('3/4" NPT', 1.45),
         ('1" NPT', 2.2), ('1/8" NPT', 0.45)),
    ),
    Entry(
        "HBBR", "7412.20.00.35", "7412.20.01", "00",
        "Brass hose barb fitting, male NPT thread, {v}",
        "Conector espiga de latón para manguera, rosca NPT macho, {v}",
        "H87", "1.45", "0.025", (50, 100, 200), (("US", 5), ("MX", 3), ("CN", 2)),
        "Saguaro Supply", "HB-{i}", "CT", 100,
        (('1/4" barb × 1/4" NPT | espiga de 1/4" × 1/4" NPT', 0.8),
         ('3/8" barb × 1/4" NPT | espiga de 3/8" × 1/4" NPT', 1.0),
         ('3/8" barb × 3/8" NPT | espiga de 3/8" × 3/8" NPT', 1.1),
         ('1/2" barb × 1/2" NPT | espiga de 1/2" × 1/2" NPT', 1.4),
         ('3/4" barb × 3/4" NPT | espiga de 3/4" × 3/4" NPT', 2.1),
         ('1/4" barb × 1/8" NPT | espiga de 1/4" × 1/8" NPT', 0.7),
         ('1/2" barb × 3/8" NPT | espiga de 1/2" × 3/8" NPT', 1.25)),
        criterion="C",
    ),
    Entry(
        "FLWN", "7307.91.50.10", "7307.91.01", "00",
        "Carbon steel weld-neck flange, ASTM A105, class 150, raised face, {v}",
        "Brida de cuello soldable de acero al carbono, ASTM A105, clase 150, cara realzada, {v}",
        "H87", "36.00", "6.80", (2, 4, 8), (("US", 5), ("IT", 2), ("IN", 3)),
        "Forja Norte", "WN150-{i}", "CR", 8,
        (('1"', 0.25), ('2"', 0.45), ('3"', 0.75), ('4"', 1.0), ('6"', 1.6), ('8"', 2.5)),
    ),
    Entry(
        "VBLT", "4010.31.30.00", "4010.31.01", "00",
        "Classical V-belt, A section, wrapped, {v}",
        "Banda en V clásica, sección A, envuelta, {v}",
        "H87", "7.60", "0.16", (10, 20, 50), (("US", 6), ("MX", 4)),
        "Sonoran Drive", "A-{i}", "CT", 25,
        (("A26", 0.7), ("A32", 0.8), ("A42", 1.0), ("A48", 1.1), ("A55", 1.25),
         ("A60", 1.35), ("A68", 1.5)),
    ),
    Entry(
        "AVMT", "4016.99.60.50", "4016.99.01", "00",
        "Rubber anti-vibration mount, cylindrical, {v}",
        "Soporte antivibratorio de hule, cilíndrico, {v}",
        "H87", "3.20", "0.07", (20, 50, 100), (("US", 4), ("CN", 6)),
        "Saguaro Supply", "AVM-{i}", "CT", 50,
        (("20 × 15 mm, M6 studs | 20 × 15 mm, espárragos M6", 0.5),
         ("30 × 20 mm, M8 studs | 30 × 20 mm, espárragos M8", 0.75),
         ("40 × 30 mm, M8 studs | 40 × 30 mm, espárragos M8", 1.0),
         ("50 × 40 mm, M10 studs | 50 × 40 mm, espárragos M10", 1.6),
         ("25 × 20 mm, M6 studs | 25 × 20 mm, espárragos M6", 0.6),
         ("40 × 40 mm, M8 studs | 40 × 40 mm, espárragos M8", 1.15)),
    ),
    Entry(
        "HOSE", "3917.39.00.20", "3917.39.99", "00",
        "PVC suction hose, helix-reinforced, {v}",
        "Manguera de succión de PVC reforzada con espiral, {v}",
        "MTR", "8.20", "0.90", (15, 30, 60), (("US", 7), ("MX", 3)),
        "Saguaro Supply", "SH-PVC-{i}", "CL", 60,
        (('1" ID | diámetro interior de 1"', 0.45),
         ('1-1/2" ID | diámetro interior de 1-1/2"', 0.7), ('2" ID | diámetro interior de 2"', 1.0),
         ('3" ID | diámetro interior de 3"', 1.75),
         ('1-1/4" ID | diámetro interior de 1-1/4"', 0.55),
         ('4" ID | diámetro interior de 4"', 2.6)),
    ),
    Entry(
        "CTIE", "3926.90.99.89", "3926.90.14", "00",
        "Nylon 6/6 cable tie, UL 94V-2, {v}",
        "Cincho sujetacables de nailon 6/6, UL 94V-2, {v}",
        "H87", "0.055", "0.0022", (1000, 2000, 5000), (("US", 4), ("MX", 3), ("CN", 3)),
        "Saguaro Supply", "CT-{i}", "CT", 5000,
        (("100 × 2.5 mm, natural", 0.3), ("200 × 3.6 mm, natural", 0.6),
         ("300 × 4.8 mm, natural", 1.0),
         ("300 × 4.8 mm, black UV | 300 × 4.8 mm, negro resistente a UV", 1.1),
         ("370 × 7.6 mm, black UV | 370 × 7.6 mm, negro resistente a UV", 1.9),
         ("150 × 3.6 mm, natural", 0.45),
         ("200 × 4.8 mm, black UV | 200 × 4.8 mm, negro resistente a UV", 0.8)),
    ),
    Entry(
        "WSET", "8204.11.00.30", "8204.11.99", "00",
        "Combination wrench set, chrome vanadium, {v}",
        "Juego de llaves combinadas, cromo vanadio, {v}",
        "SET", "52.00", "1.90", (2, 4, 6), (("US", 3), ("TW", 4), ("CN", 3)),
        "Rhino Tools", "CW-{i}", "CT", 6,
        (("metric, 8–19 mm, 12 pieces | métricas, 8–19 mm, 12 piezas", 1.0),
         ('SAE, 5/16–3/4", 10 pieces | estándar (SAE), 5/16–3/4", 10 piezas', 0.9),
         ("metric, 6–22 mm, 16 pieces | métricas, 6–22 mm, 16 piezas", 1.4),
         ('SAE, 1/4–1", 14 pieces | estándar (SAE), 1/4–1", 14 piezas', 1.3)),
    ),
    Entry(
        "AWRN", "8204.12.00.00", "8204.12.99", "99",
        "Adjustable wrench, chrome plated, {v}",
        "Llave ajustable (perica), cromada, {v}",
        "H87", "14.50", "0.32", (4, 6, 12), (("US", 3), ("MX", 3), ("CN", 4)),
        "Rhino Tools", "AW-{i}", "CT", 12,
        (('6" (150 mm)', 0.6), ('8" (200 mm)', 0.8), ('10" (250 mm)', 1.0),
         ('12" (300 mm)', 1.35), ('15" (380 mm)', 1.9)),
    ),
    Entry(
        "HAMR", "8205.20.30.00", "8205.20.01", "00",
        "Ball-peen hammer, fibreglass handle, {v}",
        "Martillo de bola, mango de fibra de vidrio, {v}",
        "H87", "12.00", "0.62", (4, 6, 12), (("US", 4), ("MX", 4), ("CN", 2)),
        "Rhino Tools", "BPH-{i}", "CT", 6,
        (("8 oz", 0.7), ("12 oz", 0.85), ("16 oz", 1.0), ("24 oz", 1.3), ("32 oz", 1.6)),
        criterion="C",
    ),
    Entry(
        "SDRV", "8205.40.00.00", "8205.40.99", "00",
        "Screwdriver set, cushion grip, {v}",
        "Juego de desarmadores, mango ergonómico, {v}",
        "SET", "16.00", "0.55", (4, 6, 10), (("US", 2), ("MX", 3), ("CN", 5)),
        "Rhino Tools", "SDS-{i}", "CT", 10,
        (("6 pieces, slotted and Phillips | 6 piezas, planos y de cruz", 1.0),
         ("8 pieces, slotted and Phillips | 8 piezas, planos y de cruz", 1.3),
         ("6 pieces, Torx T10–T30 | 6 piezas, Torx T10–T30", 1.1),
         ("4 pieces, insulated 1000 V | 4 piezas, aislados a 1000 V", 1.6),
         ("10 pieces, slotted, Phillips and Torx | 10 piezas, planos, de cruz y Torx", 1.8)),
    ),
    Entry(
        "TOOL", "8207.80.60.00", "8207.80.01", "00",
        "Turning tool holder for indexable inserts, steel shank, {v}",
        "Portaherramientas para torno para insertos intercambiables, zanco de acero, {v}",
        "H87", "56.00", "0.35", (1, 2, 4), (("US", 4), ("DE", 3), ("JP", 3)),
        "Vulcano Tooling", "TH-{i}", "BX", 1,
        (("MCLNR 2020K12, 20 × 20 mm", 1.0), ("MCLNL 2020K12, 20 × 20 mm", 1.0),
         ("MWLNR 2525M08, 25 × 25 mm", 1.25), ("SVJBR 2020K16, 20 × 20 mm", 1.1),
         ("MDJNR 2020K15, 20 × 20 mm", 1.05)),
    ),
    Entry(
        "INSR", "8209.00.00.30", "8209.00.01", "00",
        "Cemented carbide turning insert, CVD coated, {v}",
        "Inserto de carburo cementado para torneado, recubrimiento CVD, {v}",
        "H87", "7.20", "0.010", (10, 20, 50), (("US", 4), ("SE", 3), ("IL", 3)),
        "Vulcano Tooling", "INS-{i}", "BX", 10,
        (("CNMG 120408", 1.0), ("CNMG 120412", 1.0), ("WNMG 080408", 0.95),
         ("DNMG 150608", 1.1), ("VNMG 160408", 1.15), ("TNMG 160408", 0.9)),
    ),
    Entry(
        "DRIL", "8467.21.00.10", "8467.21.01", "00",
        "Cordless drill/driver, 20 V, without battery, {v}",
        "Taladro/atornillador inalámbrico, 20 V, sin batería, {v}",
        "H87", "109.00", "1.40", (1, 2, 3, 4), (("CN", 6), ("MX", 2), ("US", 2)),
        "Rhino Tools", "RT20-DD{i}", "CT", 4,
        (('1/2" (13 mm) chuck, brushless | broquero de 1/2" (13 mm), motor sin escobillas', 1.15),
         ('1/2" (13 mm) chuck | broquero de 1/2" (13 mm)', 1.0),
         ('3/8" (10 mm) chuck, compact | broquero de 3/8" (10 mm), compacto', 0.8)),
        serialised=True,
    ),
    Entry(
        "GRND", "8467.29.00.10", "8467.29.99", "00",
        "Angle grinder, 120 V, {v}",
        "Esmeriladora angular, 120 V, {v}",
        "H87", "89.00", "2.30", (1, 2, 3), (("MX", 4), ("CN", 4), ("DE", 2)),
        "Rhino Tools", "AG-{i}", "CT", 3,
        (('4-1/2" (115 mm), 11 A, slide switch | 4-1/2" (115 mm), 11 A, con interruptor', 1.0),
         ('5" (125 mm), 13 A, paddle switch | 5" (125 mm), 13 A, interruptor de paleta', 1.25),
         ('7" (180 mm), 15 A', 1.7)),
        serialised=True,
    ),
    Entry(
        "TAPE", "9017.80.00.00", "9017.80.99", "01",
        "Steel measuring tape, {v}",
        "Flexómetro de acero, {v}",
        "H87", "9.50", "0.42", (6, 12, 24), (("US", 3), ("MX", 2), ("CN", 5)),
        "Rhino Tools", "MT-{i}", "CT", 24,
        (("3 m / 10 ft, 16 mm blade | 3 m / 10 pies, cinta de 16 mm", 0.55),
         ("5 m / 16 ft, 19 mm blade | 5 m / 16 pies, cinta de 19 mm", 0.75),
         ("8 m / 26 ft, 25 mm blade | 8 m / 26 pies, cinta de 25 mm", 1.0),
         ("10 m / 33 ft, 25 mm blade | 10 m / 33 pies, cinta de 25 mm", 1.2),
         ("5 m / 16 ft, 25 mm blade | 5 m / 16 pies, cinta de 25 mm", 0.85)),
    ),
    Entry(
        "DIND", "9031.80.80.85", "9031.80.99", "99",
        "Digital indicator, {v}",
        "Indicador digital de carátula, {v}",
        "H87", "118.00", "0.20", (1, 2, 3), (("JP", 5), ("US", 2), ("CN", 3)),
        "Vulcano Tooling", "DI-{i}", "BX", 1,
        (("0–12.7 mm, 0.001 mm resolution | 0–12.7 mm, resolución de 0.001 mm", 1.0),
         ("0–25.4 mm, 0.001 mm resolution | 0–25.4 mm, resolución de 0.001 mm", 1.3),
         ("0–12.7 mm, 0.01 mm resolution | 0–12.7 mm, resolución de 0.01 mm", 0.6),
         ("0–50.8 mm, 0.01 mm resolution | 0–50.8 mm, resolución de 0.01 mm", 1.5),
         ("0–12.7 mm, 0.001 mm, data output | 0–12.7 mm, 0.001 mm, salida de datos", 1.45)),
        serialised=True,
    ),
    Entry(
        "PGAU", "9026.20.80.00", "9026.20.99", "02",
        'Bourdon-tube pressure gauge, glycerine filled, 1/4" NPT bottom, {v}',
        'Manómetro de tubo Bourdon con glicerina, conexión inferior 1/4" NPT, {v}',
        "H87", "12.50", "0.20", (5, 10, 20), (("US", 5), ("CN", 5)),
        "Aquila Valve", "PG25-{i}", "CT", 20,
        (('2-1/2" dial, 0–60 psi | carátula de 2-1/2", 0–60 psi', 1.0),
         ('2-1/2" dial, 0–160 psi | carátula de 2-1/2", 0–160 psi', 1.0),
         ('2-1/2" dial, 0–300 psi | carátula de 2-1/2", 0–300 psi', 1.0),
         ('4" dial, 0–160 psi | carátula de 4", 0–160 psi', 1.6),
         ('4" dial, 0–1000 psi | carátula de 4", 0–1000 psi', 1.7),
         ('2-1/2" dial, 30"Hg vacuum–0 | carátula de 2-1/2", vacío de 30"Hg a 0', 1.05)),
    ),
    Entry(
        "PBOP", "8536.50.90.31", "8536.50.99", "01",
        "Push-button operator, 22 mm, momentary, 1 NO contact block, {v}",
        "Botón pulsador de 22 mm, momentáneo, con bloque de 1 contacto NA, {v}",
        "H87", "11.00", "0.05", (5, 10, 20), (("US", 3), ("MX", 3), ("DE", 2), ("CN", 2)),
        "Tolteca Controls", "PB22-{i}", "CT", 20,
        (("flush, green | rasante, verde", 1.0), ("flush, black | rasante, negro", 1.0),
         ("extended, red | saliente, rojo", 1.05),
         ("mushroom head, red | cabeza de hongo, rojo", 1.4),
         ("illuminated, green, 24 V | iluminado, verde, 24 V", 1.9),
         ("flush, yellow | rasante, amarillo", 1.0),
         ("illuminated, red, 120 V | iluminado, rojo, 120 V", 1.95)),
    ),
    Entry(
        "RELY", "8536.49.00.50", "8536.49.99", "99",
        "Plug-in general-purpose relay, {v}",
        "Relevador enchufable de uso general, {v}",
        "H87", "8.20", "0.035", (10, 20, 40), (("MX", 4), ("CN", 4), ("US", 2)),
        "Tolteca Controls", "GR-{i}", "CT", 40,
        (("SPDT, 24 V DC coil, 7 A | SPDT, bobina de 24 V CC, 7 A", 0.85),
         ("DPDT, 24 V DC coil, 5 A | DPDT, bobina de 24 V CC, 5 A", 1.0),
         ("DPDT, 120 V AC coil, 5 A | DPDT, bobina de 120 V CA, 5 A", 1.0),
         ("4PDT, 24 V DC coil, 5 A | 4PDT, bobina de 24 V CC, 5 A", 1.35),
         ("4PDT, 120 V AC coil, 5 A | 4PDT, bobina de 120 V CA, 5 A", 1.35)),
    ),
    Entry(
        "M12C", "8536.69.40.20", "8536.69.99", "99",
        "Field-wireable M12 connector, A-coded, {v}",
        "Conector M12 armable en campo, codificación A, {v}",
        "H87", "12.80", "0.030", (5, 10, 25), (("DE", 4), ("US", 3), ("MX", 3)),
        "Tolteca Controls", "M12A-{i}", "CT", 25,
        (("4-pin, female, straight | 4 pines, hembra, recto", 1.0),
         ("4-pin, male, straight | 4 pines, macho, recto", 1.0),
         ("4-pin, female, right angle | 4 pines, hembra, en ángulo recto", 1.15),
         ("5-pin, female, straight | 5 pines, hembra, recto", 1.1),
         ("8-pin, female, straight | 8 pines, hembra, recto", 1.5)),
    ),
    Entry(
        "FUSE", "8536.10.00.40", "8536.10.99", "99",
        "Class CC time-delay fuse, 600 V, {v}",
        "Fusible clase CC de acción retardada, 600 V, {v}",
        "H87", "7.00", "0.010", (10, 20, 50), (("US", 6), ("MX", 4)),
        "Tolteca Controls", "CCMR-{i}", "BX", 10,
        (("1 A", 1.0), ("2 A", 1.0), ("5 A", 1.0), ("10 A", 1.0), ("20 A", 1.1),
         ("30 A", 1.2), ("3 A", 1.0), ("15 A", 1.05)),
    ),
    Entry(
        "MCBK", "8536.20.00.40", "8536.20.99", "00",
        "Miniature circuit breaker, DIN rail, C curve, {v}",
        "Interruptor termomagnético miniatura, riel DIN, curva C, {v}",
        "H87", "10.50", "0.11", (6, 12, 24), (("MX", 4), ("FR", 2), ("DE", 2), ("CN", 2)),
        "Tolteca Controls", "MCB-C{i}", "CT", 12,
        (("1 pole, 6 A | 1 polo, 6 A", 1.0), ("1 pole, 16 A | 1 polo, 16 A", 1.0),
         ("2 poles, 20 A | 2 polos, 20 A", 2.0),
         ("3 poles, 32 A | 3 polos, 32 A", 3.1), ("1 pole, 10 A | 1 polo, 10 A", 1.0)),
    ),
    Entry(
        "SCAB", "8544.42.90.90", "8544.42.99", "04",
        "Sensor cable, PUR jacket, M12 A-coded female to flying leads, {v}",
        "Cable para sensor, forro de PUR, M12 codificación A hembra a puntas libres, {v}",
        "H87", "11.50", "0.22", (5, 10, 20), (("MX", 5), ("CN", 3), ("US", 2)),
        "Tolteca Controls", "SC-M12-{i}", "CT", 20,
        (("4-pin, straight, 2 m | 4 pines, recto, 2 m", 0.65),
         ("4-pin, straight, 5 m | 4 pines, recto, 5 m", 1.0),
         ("4-pin, right angle, 5 m | 4 pines, en ángulo recto, 5 m", 1.05),
         ("4-pin, straight, 10 m | 4 pines, recto, 10 m", 1.7),
         ("5-pin, straight, 5 m | 5 pines, recto, 5 m", 1.1)),
    ),
    Entry(
        "CCBL", "8544.49.30.80", "8544.49.99", "04",
        "Control cable, stranded copper, PVC jacket, 600 V, {v}",
        "Cable de control, cobre cableado, forro de PVC, 600 V, {v}",
        "MTR", "1.25", "0.075", (30, 76, 152, 305), (("US", 6), ("MX", 4)),
        "Tolteca Controls", "CC600-{i}", "RL", 305,
        (("3 conductors, 18 AWG | 3 conductores, calibre 18 AWG", 0.8),
         ("4 conductors, 18 AWG | 4 conductores, calibre 18 AWG", 1.0),
         ("6 conductors, 18 AWG | 6 conductores, calibre 18 AWG", 1.45),
         ("4 conductors, 16 AWG | 4 conductores, calibre 16 AWG", 1.35),
         ("4 conductors, 14 AWG | 4 conductores, calibre 14 AWG", 1.9)),
    ),
    Entry(
        "MOTR", "8501.52.40.00", "8501.52.04", "00",
        "Three-phase induction motor, TEFC, 1,800 rpm, 208-230/460 V, {v}",
        "Motor de inducción trifásico, totalmente cerrado con ventilación, 1,800 rpm, "
        "208-230/460 V, {v}",
        "H87", "360.00", "18.50", (1, 2, 3), (("MX", 5), ("US", 3), ("CN", 2)),
        "Sonoran Drive", "TE3-{i}", "CR", 1,
        (("1.5 HP (1.1 kW), 56C frame | 1.5 HP (1.1 kW), armazón 56C", 0.8),
         ("2 HP (1.5 kW), 56C frame | 2 HP (1.5 kW), armazón 56C", 1.0),
         ("3 HP (2.2 kW), 182TC frame | 3 HP (2.2 kW), armazón 182TC", 1.35),
         ("5 HP (3.7 kW), 184TC frame | 5 HP (3.7 kW), armazón 184TC", 1.9),
         ("7.5 HP (5.6 kW), 213TC frame | 7.5 HP (5.6 kW), armazón 213TC", 2.8)),
        serialised=True,
    ),
    Entry(
        "PUMP", "8413.70.20.05", "8413.70.99", "99",
        "Close-coupled centrifugal pump, cast iron, single stage, {v}",
        "Bomba centrífuga monoblock de hierro fundido, un paso, {v}",
        "H87", "470.00", "22.00", (1, 2), (("US", 5), ("MX", 5)),
        "HydraSur", "CC1-{i}", "CR", 1,
        (('1/2 HP, 1-1/4" × 1"', 0.7), ('1 HP, 1-1/4" × 1"', 1.0),
         ('2 HP, 1-1/2" × 1-1/4"', 1.35), ('3 HP, 2" × 1-1/2"', 1.7)),
        serialised=True,
    ),
    Entry(
        "OILF", "8421.23.00.00", "8421.23.01", "00",
        "Spin-on lube oil filter for diesel generator sets, {v}",
        "Filtro de aceite roscable para plantas generadoras diésel, {v}",
        "H87", "8.40", "0.45", (6, 12, 24), (("US", 6), ("MX", 4)),
        "HydraSur", "LF-{i}", "CT", 12,
        (("3/4-16 UNF, 93 mm OD | 3/4-16 UNF, diámetro exterior de 93 mm", 0.8),
         ("1-12 UNF, 118 mm OD | 1-12 UNF, diámetro exterior de 118 mm", 1.0),
         ("1-1/8-16 UN, 118 mm OD | 1-1/8-16 UN, diámetro exterior de 118 mm", 1.1),
         ("1-1/2-16 UN, 136 mm OD | 1-1/2-16 UN, diámetro exterior de 136 mm", 1.6)),
    ),
    Entry(
        "SWGK", "8484.10.00.00", "8484.10.01", "00",
        "Spiral-wound gasket, 304 stainless steel / flexible graphite, class 150, {v}",
        "Empaque espirometálico, acero inoxidable 304 / grafito flexible, clase 150, {v}",
        "H87", "12.00", "0.20", (4, 8, 16), (("US", 5), ("IN", 3), ("CN", 2)),
        "Forja Norte", "SW150-{i}", "CT", 16,
        (('1"', 0.45), ('2"', 0.65), ('3"', 0.85), ('4"', 1.0), ('6"', 1.5), ('8"', 2.2)),
    ),
    Entry(
        "PCLP", "7326.90.86.30", "7326.90.99", "03",
        "Zinc-plated steel pipe clamp with rubber cushion, {v}",
        "Abrazadera para tubo de acero zincado con amortiguador de hule, {v}",
        "H87", "1.70", "0.09", (25, 50, 100), (("US", 4), ("MX", 3), ("CN", 3)),
        "Saguaro Supply", "PC-{i}", "CT", 50,
        (('1/2" pipe | tubo de 1/2"', 0.6), ('3/4" pipe | tubo de 3/4"', 0.7),
         ('1" pipe | tubo de 1"', 0.8), ('1-1/2" pipe | tubo de 1-1/2"', 0.9),
         ('2" pipe | tubo de 2"', 1.0), ('3" pipe | tubo de 3"', 1.4),
         ('4" pipe | tubo de 4"', 1.8)),
    ),
)
# fmt: on


def _digits(code: str) -> str:
    return code.replace(".", "")


def load_codes(shared: Path) -> tuple[set[str], set[str]]:
    """The 10-digit HTSUS numbers and the SAT fracción codes (8 and 10 digits) in the data."""
    with (shared / HTS_CSV).open(encoding="utf-8", newline="") as handle:
        hts = {_digits(row["htsno"]) for row in csv.DictReader(handle) if row["digits"] == "10"}
    with (shared / FRACCION_CSV).open(encoding="utf-8", newline="") as handle:
        fracciones = {row["clave"] for row in csv.DictReader(handle)}
    return hts, fracciones


def check_pool(hts: set[str], fracciones: set[str]) -> None:
    """Stop with the list of every pool code that the shared data does not hold."""
    missing = []
    for entry in POOL:
        hts_number, fraccion = _digits(entry.hts), _digits(entry.fraccion)
        if hts_number not in hts:
            missing.append(f"{entry.sku}: HTS {entry.hts} is not a 10-digit HTSUS line")
        if fraccion not in fracciones:
            missing.append(
                f"{entry.sku}: fracción {entry.fraccion} is not in c_FraccionArancelaria"
            )
        if fraccion + entry.nico not in fracciones:
            missing.append(f"{entry.sku}: fracción + NICO {fraccion}{entry.nico} is not listed")
        if hts_number[:6] != fraccion[:6]:
            missing.append(f"{entry.sku}: HTS {entry.hts} and fracción {entry.fraccion} differ")
    skus = [entry.sku for entry in POOL]
    if len(set(skus)) != len(skus):
        missing.append("duplicate SKU prefixes in the pool")
    if missing:
        raise SystemExit("make_example_sheet: codes not found\n  " + "\n  ".join(missing))


def _pick_origin(rng: random.Random, entry: Entry) -> str:
    countries = [country for country, _ in entry.origins]
    weights = [weight for _, weight in entry.origins]
    return rng.choices(countries, weights=weights)[0]


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _unit_price(rng: random.Random, entry: Entry, factor: float) -> Decimal:
    base = Decimal(entry.price) * Decimal(str(factor))
    jitter = Decimal(rng.randint(92, 108)) / 100
    # Cheap parts are priced to the tenth of a cent, as distributors do; the rest to the cent.
    places = Decimal("0.0001") if base < 1 else CENT
    return (base * jitter).quantize(places, rounding=ROUND_HALF_UP)


def build_rows(seed: int, count: int) -> list[dict[str, object]]:
    """``count`` goods lines, each a distinct (entry, variant), sorted by part number."""
    rng = random.Random(seed)  # noqa: S311 - reproducible example data, not a secret
    choices = [(entry, index) for entry in POOL for index in range(len(entry.variants))]
    if count > len(choices):
        raise SystemExit(f"make_example_sheet: the pool has {len(choices)} variants, not {count}")
    picked = sorted(rng.sample(choices, count), key=lambda pair: (pair[0].sku, pair[1]))
    rows = []
    for number, (entry, index) in enumerate(picked, start=1):
        text, factor = entry.variants[index]
        text_en, _, text_es = text.partition(" | ")
        origin = _pick_origin(rng, entry)
        quantity = rng.choice(entry.quantities)
        unit_price = _unit_price(rng, entry, factor)
        net = (Decimal(entry.kg) * Decimal(str(factor)) * quantity).quantize(GRAM, ROUND_HALF_UP)
        packages = int((Decimal(quantity) / entry.per_package).to_integral_value(ROUND_CEILING))
        gross = net + TARE_KG[entry.package_type] * packages
        claimed = origin in USMCA_COUNTRIES
        model = entry.model.format(i=f"{index + 1:02d}")
        serials = ""
        if entry.serialised:
            serials = "; ".join(
                f"{entry.sku}{rng.randint(10, 99)}{rng.randint(100000, 999999)}"
                for _ in range(quantity)
            )
        rows.append(
            {
                "line": number,
                "part_number": f"DIS-{entry.sku}-{index + 1:02d}",
                "description_en": entry.en.format(v=text_en),
                "description_es": entry.es.format(v=text_es or text_en),
                "hts": entry.hts,
                "schedule_b": entry.hts,
                "fraccion": entry.fraccion,
                "nico": entry.nico,
                "origin_country": origin,
                "quantity": quantity,
                "unit": entry.unit,
                "unit_price": unit_price,
                "currency": CURRENCY,
                "value": _money(unit_price * quantity),
                "net_weight_kg": net,
                "gross_weight_kg": gross,
                "usmca_claimed": "yes" if claimed else "no",
                "origin_criterion": entry.criterion if claimed else "",
                "eccn": "EAR99",
                "hazmat": "no",
                "marks": MARKS,
                "brand": entry.brand,
                "model": model,
                "serial_numbers": serials,
                "packages": packages,
                "package_type": entry.package_type,
            }
        )
    return rows


def _cell(column: str, value: object) -> object:
    if value is None:
        return None  # a column the generator does not fill stays empty
    if column in TEXT_COLUMNS:
        return None if value == "" else str(value)
    if isinstance(value, Decimal):
        return float(value)  # an Excel number; repr() of the float gives the decimal back
    return value


def workbook_bytes(rows: list[dict[str, object]]) -> bytes:
    """The workbook as deterministic .xlsx bytes."""
    book = Workbook()
    sheet = book.active
    sheet.title = "goods"
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(column, row.get(column)) for column in COLUMNS])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if COLUMNS[cell.column - 1] in TEXT_COLUMNS and cell.value is not None:
                cell.number_format = "@"  # text, so Excel keeps leading zeros on edit
    sheet.freeze_panes = "A2"
    book.properties.creator = "cruce scripts/make_example_sheet.py"
    book.properties.title = "Example 03: goods lines"
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    return _fixed_zip_times(raw.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """The same zip with every entry dated FIXED_TIME (zipfile otherwise stamps 'now')."""
    out = io.BytesIO()
    stamp = FIXED_TIME.timetuple()[:6]
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    """Check the pool, write the sheet and print its size and SHA-256."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared", type=Path, default=DEFAULT_SHARED, help="the shared/data folder"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the .xlsx to write")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed")
    parser.add_argument("--lines", type=int, default=LINES, help="number of goods lines")
    args = parser.parse_args(argv)
    check_pool(*load_codes(args.shared))
    rows = build_rows(args.seed, args.lines)
    data = workbook_bytes(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    total = sum((Decimal(str(row["value"])) for row in rows), Decimal(0))
    sys.stdout.write(
        f"{args.out.name}\t{len(rows)} lines\t{total} {CURRENCY}\t{len(data)} bytes\t"
        f"sha256 {digest}\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
