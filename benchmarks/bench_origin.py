"""USMCA origin determinations per second: a 200-material good against a 500-rule table.

Run with ``.venv/bin/python benchmarks/bench_origin.py`` (or ``make bench``). The good is a
watertube boiler of subheading 8402.12 (rule: "CTH" or "CTH or from 8402.90 + RVC 60 TV /
50 NC") produced in Mexico from 200 materials of mixed origin (US, MX, CN, JP, DE), 30 %
of them non-originating. Two cases:

- **qualifies**: a German boiler section of 8402.90 fails the first alternative's change
  of heading, so the engine tries both alternatives and computes the RVC by transaction
  value and by net cost before the second one qualifies the good;
- **fails**: a Japanese economiser module of 8402.19 fails the shift of both alternatives
  and is worth more than 10 % of the transaction value, so the engine also tries de
  minimis and writes the culprits and the suggestions.

The rule table holds the shipped rows plus synthetic ones up to 500: each synthetic row
carries the rule lines of a shipped row (parsed again, so each has its own memo) on a
subheading of a heading the shipped table does not cover. The table is built once, as a
running service would hold it, and handed to ``determine(..., rules=table)``. Shift
answers are memoised per rule (``usmca_rules.shifts``): the "first look" rows clear the
memos of the good's rule before each determination, as for a bill of materials never
seen before.

The baseline is ``json.loads`` of the good (its 200 materials) as JSON, measured in the
same run; the machine is shared and noisy, so the ratio is the figure to compare.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import platform
import random
from datetime import date
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from cruce.compliance.origin import determine
from cruce.model.goods import GoodsLine
from cruce.reference import usmca_rules
from cruce.reference.usmca_rules import RuleTable, parse_rule
from timing import best

if TYPE_CHECKING:
    from cruce.reference.usmca_rules import ProductRule

DAY = date(2026, 3, 1)
TABLE_SIZE = 500
MATERIALS = 200
FOREIGN_SHARE = 0.30
GOOD_HTS = "8402.12.0000"
# (description, HS subheading) of what goes into a packaged boiler
CATALOGUE = (
    ("steel plate", "7208.51"),
    ("seamless boiler tube", "7304.31"),
    ("pipe flange", "7307.91"),
    ("hex bolt", "7318.15"),
    ("hex nut", "7318.16"),
    ("spring washer", "7318.21"),
    ("rubber gasket", "4016.93"),
    ("globe valve", "8481.80"),
    ("safety valve", "8481.40"),
    ("feed-water pump", "8413.70"),
    ("burner", "8416.20"),
    ("ball bearing", "8482.10"),
    ("blower motor", "8501.52"),
    ("pressure gauge", "9026.20"),
    ("thermostat", "9032.10"),
    ("level controller", "9032.89"),
    ("relay", "8536.41"),
    ("selector switch", "8536.50"),
    ("control panel", "8537.10"),
    ("insulated wire", "8544.49"),
    ("mineral wool insulation", "6806.10"),
    ("aluminium jacket sheet", "7606.12"),
    ("plastic conduit", "3917.32"),
    ("paint", "3208.10"),
    ("rating plate", "8310.00"),
)
FOREIGN = ("CN", "JP", "DE")
REGIONAL = ("US", "MX")


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01'))} USD"


def bill_of_materials(count: int, seed: int = 2026) -> list[dict[str, Any]]:
    """``count`` materials, 30 % non-originating (1 in 10 of those of unknown origin)."""
    rng = random.Random(seed)
    foreign = round(count * FOREIGN_SHARE)
    rows: list[dict[str, Any]] = []
    for index in range(count):
        description, hs_code = CATALOGUE[index % len(CATALOGUE)]
        imported = index < foreign
        cents = rng.randint(500, 40_000) if imported else rng.randint(500, 30_000)
        row: dict[str, Any] = {
            "description": f"{description} #{index + 1}",
            "hs_code": hs_code,
            "origin_country": rng.choice(FOREIGN if imported else REGIONAL),
            "value": _money(Decimal(cents) / 100),
            "originating": ("unknown" if index % 10 == 0 else "no") if imported else "yes",
        }
        if not imported and index % 3 == 0:
            row["supplier_certification"] = f"USMCA-2026-{index:04d}"
        rows.append(row)
    rng.shuffle(rows)
    return rows


def boiler(culprit: dict[str, Any]) -> GoodsLine:
    """The boiler: ``culprit`` and 199 other materials; its price is 1.45 x their cost."""
    materials = [culprit, *bill_of_materials(MATERIALS - 1)]
    cost = sum(Decimal(m["value"].split()[0]) for m in materials)
    return GoodsLine.model_validate(
        {
            "description": "Packaged watertube boiler, 10 t/h",
            "hts": GOOD_HTS,
            "origin_country": "MX",
            "quantity": "1",
            "unit": "H87",
            "unit_price": _money(cost * Decimal("1.45")),
            "materials": materials,
        }
    )


def five_hundred_rules() -> tuple[RuleTable, tuple[ProductRule, ...]]:
    """The shipped rows plus synthetic rows, 500 in all; also the synthetic rows alone."""
    shipped = tuple(usmca_rules.rules())
    taken = {key[:4] for rule in shipped for key in usmca_rules.expand(rule.scope)}
    headings = (
        f"{chapter}{number:02d}"
        for chapter in ("84", "85", "90", "73", "39", "76", "94")
        for number in range(1, 100)
    )
    scopes = (
        f"{heading}.{sub}"
        for heading in headings
        if heading not in taken
        for sub in ("10", "20", "30", "40", "50", "60", "80", "90")
    )
    synthetic = tuple(
        dataclasses.replace(
            source,
            scope=scope,
            alternatives=tuple(parse_rule(a.text) for a in source.alternatives),
            citation=f"synthetic benchmark row carrying the rule of {source.scope}",
        )
        for scope, source in zip(
            scopes,
            (shipped[i % len(shipped)] for i in range(TABLE_SIZE - len(shipped))),
            strict=False,
        )
    )
    table = RuleTable((*shipped, *synthetic))
    if len(table.rows) != TABLE_SIZE:
        raise SystemExit(f"built {len(table.rows)} rules, not {TABLE_SIZE}")
    return table, synthetic


def main() -> None:
    """Measure and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--number", type=int, default=20)
    args = parser.parse_args()

    table, synthetic = five_hundred_rules()
    section = {
        "description": "boiler drum section",
        "hs_code": "8402.90",
        "origin_country": "DE",
        "value": "900.00 USD",
        "originating": "no",
    }
    module = {**section, "description": "economiser module", "hs_code": "8402.19"}
    module.update({"origin_country": "JP", "value": "6500.00 USD"})
    qualifying, failing = boiler(section), boiler(module)
    as_json = qualifying.model_dump_json()
    nc = qualifying.unit_price * Decimal("0.9")

    run = partial(determine, on=DAY, produced_in="MX", net_cost=nc, rules=table)
    good_result, bad_result = run(qualifying), run(failing)
    if good_result.qualifies is not True or bad_result.qualifies is not False:
        raise SystemExit(f"unexpected: {good_result.qualifies}, {bad_result.qualifies}")
    if not any(good_result.rule is row for row in table.rows):
        raise SystemExit("the engine did not look the rule up in the 500-row table")
    shift_memos = [a.shift for a in good_result.rule.alternatives if a.shift is not None]

    def first_look(line: GoodsLine) -> None:
        for shift in shift_memos:
            shift._memo.clear()  # noqa: SLF001 - as for a bill of materials never seen before
        run(line)

    lookups = [f"{row.scope[:4]}{row.scope[5:7]}0000" for row in synthetic[:100]]

    def hundred_lookups() -> None:
        for code in lookups:
            table.rule_for(code, DAY)

    repeats, n = args.repeats, args.number
    results = {
        "json.loads of the good, 200 materials (baseline)": best(
            lambda: json.loads(as_json), repeats, n
        ),
        "pydantic validation of the good": best(
            lambda: GoodsLine.model_validate_json(as_json), repeats, n
        ),
        "determine, qualifies (B, 2nd alternative)": best(lambda: run(qualifying), repeats, n),
        "determine, fails (shift, de minimis, suggestions)": best(lambda: run(failing), repeats, n),
        "determine, qualifies, first look": best(lambda: first_look(qualifying), repeats, n),
        "determine, fails, first look": best(lambda: first_look(failing), repeats, n),
    }
    lookup = best(hundred_lookups, repeats, n)[0] / len(lookups)

    baseline = results["json.loads of the good, 200 materials (baseline)"][0]
    by_method = {r.method: r.percent for r in good_result.rvc}
    print(
        f"# USMCA origin, {len(qualifying.materials)} materials, {len(table.rows)} rules, on {DAY}"
    )
    print(
        f"qualifies: RVC {by_method.get('transaction_value')} % TV / "
        f"{by_method.get('net_cost')} % NC; fails: de minimis {bad_result.de_minimis} %, "
        f"suggestions: {len(bad_result.suggestions)}"
    )
    print(
        f"Python {platform.python_version()} on {platform.machine()}, best of "
        f"{args.repeats} runs of {args.number}, one process, one core\n"
    )
    print("| step | best µs | median µs | per second | × baseline time |")
    print("|---|---:|---:|---:|---:|")
    for name, (fastest, median) in results.items():
        times = f"{fastest * 1e6:,.0f} | {median * 1e6:,.0f}"
        print(f"| {name} | {times} | {1 / fastest:,.0f} | {fastest / baseline:,.1f} |")
    print(f"\nrule lookup in the {len(table.rows)}-row table: {lookup * 1e9:,.0f} ns")


if __name__ == "__main__":
    main()
