# ruff: noqa: INP001 - scripts/ is a folder of scripts, not a package
"""Derive the tables shipped in ``src/cruce/reference/data`` from the shared research data.

Usage::

    .venv/bin/python scripts/derive_reference_data.py [--shared ../shared/data] [--out DIR]

Deterministic: the same inputs give byte-identical outputs (rows in a fixed order, LF line
endings, gzip without a timestamp or file name). Every choice that is not a plain copy is
written down here, next to the rows it touches, and repeated in ``data/README.md``.
``rec20_to_unidad_aduana.csv`` is written by hand; this script only checks it.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from defusedxml import ElementTree

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = ROOT.parent / "shared" / "data"
DEFAULT_OUT = ROOT / "src" / "cruce" / "reference" / "data"
MAP_NAME = "rec20_to_unidad_aduana.csv"  # written by hand, checked here

# ------------------------------------------------------------------------------------ ports

PORT_COLUMNS = (
    "cbp_port_code",
    "cbp_port_name",
    "us_state",
    "crossing_name",
    "commercial_trucks",
    "aduana",
    "seccion",
    "aduana_name",
    "mx_city",
    "mx_state",
    "us_unlocode",
    "mx_unlocode",
    "uncertain",
    "notes",
)
CROSSING_COLUMNS = ("cbp_port_code", *PORT_COLUMNS[3:])
_UNCERTAIN_NOTE = "VERIFY: "

# The source abbreviates states; the model writes ISO 3166-2.
MX_STATES = {
    "BC": "MX-BCN",
    "SON": "MX-SON",
    "CHIH": "MX-CHH",
    "COAH": "MX-COA",
    "TAMPS": "MX-TAM",
    "NL": "MX-NLE",
}

# Rows whose source cells hold two values ("24 / 80", "0; 1 (...)", "USHID / USPFX") or no
# sección digit.  Keys replace the primary values; "alternatives" are the port's other
# crossings, each with its own Mexican side.  Anything not named keeps the source value.
PORT_OVERRIDES: dict[str, dict[str, Any]] = {
    "2504": {"crossing_name": "San Ysidro POE (no commercial cargo; POV/pedestrian only)"},
    "2506": {
        "seccion": "0",
        "uncertain": True,
        "notes": _UNCERTAIN_NOTE + "Anexo 22 Ap. 1 (as transcribed) lists a Mesa de Otay "
        "section of aduana 40 by name, without its number; sección 0 (Tijuana) is used until "
        "an agente aduanal confirms the number. ",
    },
    "2402": {
        "crossing_name": "Ysleta–Zaragoza bridge",
        "seccion": "1",
        "alternatives": [
            {
                "crossing_name": "Bridge of the Americas (BOTA)",
                "commercial_trucks": "yes",
                "aduana": "07",
                "seccion": "0",
                "mx_city": "Ciudad Juárez",
                "mx_state": "MX-CHH",
                "us_unlocode": "USELP",
                "mx_unlocode": "MXCJS",
                "notes": "Source: sección '0 (Juárez)' of the El Paso row.",
            }
        ],
    },
    "2304": {
        "crossing_name": "World Trade Bridge",
        "aduana": "24",
        "seccion": "0",
        "mx_city": "Nuevo Laredo",
        "mx_state": "MX-TAM",
        "mx_unlocode": "MXNLD",
        "alternatives": [
            {
                "crossing_name": "Colombia Solidarity Bridge",
                "commercial_trucks": "yes",
                "aduana": "80",
                "seccion": "0",
                "mx_city": "Colombia",
                "mx_state": "MX-NLE",
                "us_unlocode": "USLRD",
                "mx_unlocode": "MX5CL",
                "notes": "Lands in Colombia, Nuevo León (aduana 80).",
            }
        ],
    },
    "2305": {
        # UN/LOCODE 2018-1 names USPFX "Pharr" and USHID "Hidalgo"; trucks cross at Pharr.
        "us_unlocode": "USPFX",
        "seccion": "0",
        "alternatives": [
            {
                "crossing_name": "McAllen–Hidalgo–Reynosa bridge (POV)",
                "commercial_trucks": "no",
                "aduana": "30",
                "seccion": "0",
                "mx_city": "Reynosa",
                "mx_state": "MX-TAM",
                "us_unlocode": "USHID",
                "mx_unlocode": "MXREX",
                "notes": "Source notes: Hidalgo bridge is POV. Its sección (0, Reynosa) is "
                "inferred from the source's '0 (Reynosa)'.",
            },
            {
                "crossing_name": "Anzalduas International Bridge (POV)",
                "commercial_trucks": "no",
                "aduana": "30",
                "seccion": "6",
                "mx_city": "Reynosa (Anzaldúas)",
                "mx_state": "MX-TAM",
                "us_unlocode": "",
                "mx_unlocode": "MXREX",
                "notes": "Source: sección '6 (Anzaldúas, POV)'.",
            },
        ],
    },
    "2309": {
        "seccion": "2",
        "uncertain": True,
        "notes": _UNCERTAIN_NOTE + "the source marks sección 2 (Las Flores, Río Bravo) 'verify'. ",
    },
    "2301": {
        "crossing_name": "Veterans International Bridge (Los Tomates)",
        "seccion": "0",
        "mx_city": "Matamoros",
        "us_unlocode": "USBRO",
        "alternatives": [
            {
                "crossing_name": "Free Trade Bridge (Los Indios)",
                "commercial_trucks": "yes",
                "aduana": "17",
                "seccion": "1",
                "mx_city": "Lucio Blanco (Matamoros)",
                "mx_state": "MX-TAM",
                "us_unlocode": "USLII",
                "mx_unlocode": "",
                "notes": "Source: sección '1 (Lucio Blanco-Los Indios)'; UN/LOCODE USLII.",
            }
        ],
    },
}


def _apendice_1(shared: Path) -> dict[tuple[str, str], str]:
    """(aduana, sección) -> denominación, for the rows whose sección is a digit."""
    rows = json.loads((shared / "mx_anexo22" / "30_apendice_1.json").read_text("utf-8"))
    return {
        (row["Aduana"], row["Sección"]): row["Denominación"]
        for row in rows["Aduana_Sección"]
        if re.fullmatch(r"\d", row["Sección"])
    }


def _unlocodes(shared: Path) -> set[str]:
    path = shared / "un_locode" / "unlocode_2018-1_MX_US.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["unlocode"] for row in csv.DictReader(handle)}


def _check_side(
    side: dict[str, Any], apendice: dict[tuple[str, str], str], locodes: set[str]
) -> None:
    """Raise when a crossing's values would fail cruce.model.Port or name nothing known."""
    code = side.get("cbp_port_code", "?")
    if (side["aduana"], side["seccion"]) not in apendice:
        raise SystemExit(f"{code}: aduana {side['aduana']}-{side['seccion']} not in Ap. 1")
    for field, country in (("us_unlocode", "US"), ("mx_unlocode", "MX")):
        value = side[field]
        if value and (not re.fullmatch(country + r"[A-Z2-9]{3}", value) or value not in locodes):
            raise SystemExit(f"{code}: {field} {value!r} is not a {country} UN/LOCODE")
    if side["commercial_trucks"] not in {"yes", "limited", "no"}:
        raise SystemExit(f"{code}: commercial_trucks {side['commercial_trucks']!r}")


def derive_ports(shared: Path) -> tuple[list[list[str]], list[list[str]]]:
    """The land ports (one row each, primary crossing) and their other crossings."""
    apendice = _apendice_1(shared)
    locodes = _unlocodes(shared)
    with (shared / "us_mx_ports" / "us_mx_land_ports.csv").open(encoding="utf-8") as handle:
        source = list(csv.DictReader(handle))
    ports: list[list[str]] = []
    crossings: list[list[str]] = []
    for row in source:
        override = dict(PORT_OVERRIDES.get(row["cbp_port_code"], {}))
        alternatives = override.pop("alternatives", [])
        note_prefix = override.pop("notes", "")
        port: dict[str, Any] = {
            "cbp_port_code": row["cbp_port_code"],
            "cbp_port_name": row["cbp_port_name"],
            "us_state": "US-" + row["us_state"],
            "crossing_name": row["us_commercial_crossing"],
            "commercial_trucks": row["commercial_trucks"],
            "aduana": row["mx_aduana_clave"],
            "seccion": row["mx_seccion"],
            "mx_city": row["mx_city"],
            "mx_state": MX_STATES.get(row["mx_state"], row["mx_state"]),
            "us_unlocode": row["us_unlocode"],
            "mx_unlocode": row["mx_unlocode"],
            "uncertain": False,
            "notes": (note_prefix + row["notes"]).strip(),
        }
        port.update(override)
        port["aduana_name"] = apendice.get((port["aduana"], port["seccion"]), "")
        _check_side(port, apendice, locodes)
        port["uncertain"] = "yes" if port["uncertain"] else "no"
        ports.append([port[column] for column in PORT_COLUMNS])
        for alternative in alternatives:
            side = {"cbp_port_code": row["cbp_port_code"], "uncertain": "no", **alternative}
            side["aduana_name"] = apendice.get((side["aduana"], side["seccion"]), "")
            _check_side(side, apendice, locodes)
            crossings.append([side[column] for column in CROSSING_COLUMNS])
    crossings.sort(key=lambda r: (r[0], r[1]))
    return ports, crossings


# ------------------------------------------------------------------------------------ units

UNIT_COLUMNS = ("code", "catalog", "status", "name", "in_sat", "sat_name")
_PEPPOL_NS = "{urn:fdc:difi.no:2017:vefa:structure:CodeList-1}"


def _rec21_names(shared: Path) -> dict[str, str]:
    """X-prefixed Rec 21 package codes from the Peppol list (Rec 20 itself has no X?? codes)."""
    tree = ElementTree.parse(shared / "unece_rec20" / "peppol_UNECERec20-11e_with_rec21.xml")
    names: dict[str, str] = {}
    for code in tree.getroot().iter(f"{_PEPPOL_NS}Code"):
        ident = (code.findtext(f"{_PEPPOL_NS}Id") or "").strip()
        if re.fullmatch(r"X[0-9A-Z]{2}", ident):
            names[ident] = " ".join((code.findtext(f"{_PEPPOL_NS}Name") or "").split())
    return names


def derive_units(shared: Path) -> list[list[str]]:
    """Rec 20 Rev 17e (active, deprecated, deleted-but-in-SAT) + Rec 21 X-codes + SAT-only."""
    folder = shared / "unece_rec20"
    with (folder / "sat_c_ClaveUnidad_vs_rec20.csv").open(encoding="utf-8") as handle:
        sat = {row["clave"]: row["nombre_sat"] for row in csv.DictReader(handle)}
    with (folder / "rec20_rev17e_units-of-measure.csv").open(encoding="utf-8") as handle:
        rec20 = list(csv.DictReader(handle))
    all_names = {row["CommonCode"]: row["Name"] for row in rec20}
    units: dict[str, tuple[str, str, str]] = {}
    for row in rec20:
        status = row["Status"]
        if status == "X" and row["CommonCode"] not in sat:
            continue  # deleted, and SAT does not list it either
        # One row (MNJ) carries a broken bar, a change marker outside the legend: active.
        status = "" if status == "\N{BROKEN BAR}" else status
        units[row["CommonCode"]] = ("rec20", status, row["Name"])
    rec21 = _rec21_names(shared)
    all_names.update(rec21)
    for code, name in rec21.items():
        units[code] = ("rec21", "", name)
    for code in sat:
        if code not in units:
            # SAT-only codes; five are mixed-case spellings of Rec 20 codes (Ohm, Gd, ...).
            units[code] = ("sat", "", all_names.get(code.upper(), ""))
    return [
        [code, catalog, status, name, "yes" if code in sat else "no", sat.get(code, "")]
        for code, (catalog, status, name) in sorted(units.items())
    ]


# c_UnidadAduana lists 01-09 and again 1-9 unpadded; the two-digit form is the one used.
_CLAVE_DIGITS = 2


def check_unidad_aduana_map(path: Path, shared: Path, units: Sequence[Sequence[str]]) -> int:
    """Check the hand-written map: known unit codes, known claves, no duplicates."""
    with (shared / "sat_cfdi" / "catalogs_csv" / "cce20_c_UnidadAduana.csv").open(
        encoding="utf-8"
    ) as handle:
        claves = {
            row["clave"] for row in csv.DictReader(handle) if len(row["clave"]) == _CLAVE_DIGITS
        }
    known = {row[0] for row in units}
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    codes = [row["code"] for row in rows]
    for row in rows:
        if row["code"] not in known or row["unidad_aduana"] not in claves:
            raise SystemExit(f"rec20_to_unidad_aduana.csv: bad row {row}")
        if row["match"] not in {"exact", "close"} or not row["why"].strip():
            raise SystemExit(f"rec20_to_unidad_aduana.csv: match/why missing in {row}")
    if len(codes) != len(set(codes)):
        raise SystemExit("rec20_to_unidad_aduana.csv: a code appears twice")
    return len(rows)


# ------------------------------------------------------------------------------- fracciones


def derive_fracciones(shared: Path) -> tuple[bytes, list[str]]:
    """The catalog CSV unchanged, and the codes the CCE 2.0 XSD accepts that it lacks."""
    catalogs = shared / "sat_cfdi" / "catalogs_csv"
    catalog = (catalogs / "cce20_c_FraccionArancelaria.csv").read_bytes()
    listed = {row["clave"] for row in csv.DictReader(io.StringIO(catalog.decode("utf-8")))}
    xsd = (
        (shared / "sat_cfdi" / "www.sat.gob.mx" / "sitio_internet" / "cfd" / "catalogos")
        / "ComExt"
        / "catComExt.xsd"
    )
    simple_type = re.search(
        r'<xs:simpleType name="c_FraccionArancelaria">(.*?)</xs:simpleType>',
        xsd.read_text("utf-8"),
        re.DOTALL,
    )
    if simple_type is None:
        raise SystemExit("catComExt.xsd: no c_FraccionArancelaria")
    enumerated = set(re.findall(r'<xs:enumeration value="(\d+)"/>', simple_type.group(1)))
    if not listed <= enumerated:
        raise SystemExit("catalog CSV has codes the XSD does not enumerate")
    return catalog, sorted(enumerated - listed)


# ----------------------------------------------------------------------------------- output


def _csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _gzip(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as out:
        out.write(data)
    return buffer.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    """Write every derived file and print its name, size and SHA-256."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared", type=Path, default=DEFAULT_SHARED, help="the shared/data folder"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write")
    parser.add_argument(
        "--map", type=Path, default=DEFAULT_OUT / MAP_NAME, help="the hand-written unit map"
    )
    args = parser.parse_args(argv)
    shared: Path = args.shared
    out: Path = args.out
    ports, crossings = derive_ports(shared)
    units = derive_units(shared)
    catalog, xsd_only = derive_fracciones(shared)
    files = {
        "us_mx_land_ports.csv": _csv_bytes(PORT_COLUMNS, ports),
        "us_mx_port_crossings.csv": _csv_bytes(CROSSING_COLUMNS, crossings),
        "units_rec20_sat.csv": _csv_bytes(UNIT_COLUMNS, units),
        "cce20_c_FraccionArancelaria.csv.gz": _gzip(catalog),
        "cce20_fraccion_codes_xsd_only.txt": "".join(f"{c}\n" for c in xsd_only).encode(),
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
    mapped = check_unidad_aduana_map(args.map, shared, units)
    report = [
        (out / "us_mx_land_ports.csv", len(ports)),
        (out / "us_mx_port_crossings.csv", len(crossings)),
        (out / "units_rec20_sat.csv", len(units)),
        (args.map, mapped),
        (out / "cce20_c_FraccionArancelaria.csv.gz", catalog.count(b"\n") - 1),
        (out / "cce20_fraccion_codes_xsd_only.txt", len(xsd_only)),
    ]
    for path, rows in report:
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        sys.stdout.write(f"{path.name}\t{rows} rows\t{len(data)} bytes\tsha256 {digest}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
