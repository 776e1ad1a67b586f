"""``cruce origin``: does each good qualify under USMCA / T-MEC, under which criterion, and why."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cruce.cli.common import (
    EXIT_BLOCKERS,
    EXIT_READY,
    EXIT_UNUSABLE,
    LangOption,
    OnOption,
    ShipmentArgument,
    app,
    crossing_day,
    err_console,
    load,
    resolve_locale,
    say,
    stdout,
)
from cruce.compliance.origin import determine
from cruce.i18n import _

if TYPE_CHECKING:
    from datetime import date

    from rich.console import Console

    from cruce.compliance.origin import OriginResult
    from cruce.i18n import Locale, Message
    from cruce.model import GoodsLine, Shipment


def _verdict(result: OriginResult) -> Message:
    if result.qualifies is None:
        return _("not determined")
    if not result.qualifies:
        return _("does not qualify")
    criterion = result.criterion.value if result.criterion is not None else "?"
    return _("qualifies, criterion {criterion}", criterion=criterion)


def _materials(result: OriginResult, locale: Locale) -> Table:
    table = Table(show_edge=False, pad_edge=False)
    for heading in (_("Material"), _("Value"), _("Originating"), _("Shift"), _("Why")):
        table.add_column(heading.render(locale), overflow="fold")
    yes, no = _("yes").render(locale), _("no").render(locale)
    for verdict in result.materials:
        shifted = "—" if verdict.shifts is None else (yes if verdict.shifts else no)
        table.add_row(
            escape(verdict.description.get(locale)),
            f"{verdict.value.amount:,.2f} {verdict.value.currency}",
            yes if verdict.originating else no,
            shifted,
            escape(verdict.reason.render(locale)),
        )
    return table


def _print_line(
    console: Console, number: int, line: GoodsLine, result: OriginResult, locale: Locale
) -> None:
    code = line.hts or line.fraccion or "—"
    style = {True: "green", False: "red", None: "yellow"}[result.qualifies]
    heading = _(
        "Line {line}: {description} ({code}): {verdict}",
        line=number,
        description=line.description,
        code=code,
        verdict=_verdict(result),
    )
    say(console, heading, locale, f"bold {style}")
    for message in result.explanation:
        console.print(f"  {escape(message.render(locale))}")
    if result.materials:
        console.print(_materials(result, locale))
    methods = {"transaction_value": _("transaction value"), "net_cost": _("net cost")}
    for rvc in result.rvc:
        text = _(
            "RVC by {method}: ({base} - {vnm}) / {base} = {percent} % (at least {threshold} %: "
            "{outcome})",
            method=methods[rvc.method],
            base=rvc.base.amount,
            vnm=rvc.vnm.amount,
            percent=rvc.percent,
            threshold=rvc.threshold,
            outcome=_("met") if rvc.passes else _("not met"),
        )
        console.print(f"  {escape(text.render(locale))}")
    for suggestion in result.suggestions:
        console.print(f"  → {escape(suggestion.render(locale))}")
    console.print()


def _exit_code(record: Shipment, results: list[OriginResult]) -> int:
    """1 when a claimed line does not qualify or cannot be decided; 0 otherwise."""
    for line, result in zip(record.goods, results, strict=True):
        if line.usmca.claimed and result.qualifies is not True:
            return EXIT_BLOCKERS
    return EXIT_READY


@app.command("origin")
def origin_command(  # noqa: PLR0917 - Typer passes every option positionally
    ctx: typer.Context,
    shipment: ShipmentArgument,
    on: OnOption = None,
    line: Annotated[
        int | None,
        typer.Option("--line", min=1, help="Decide only this goods line (1 is the first)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decisions as JSON.")] = False,
    lang: LangOption = None,
) -> None:
    """Decide whether each good qualifies under USMCA / T-MEC, and show why.

    Reads each line's bill of materials and origin facts; the rule of origin, each
    material's tariff shift, the regional value content and what would make a good qualify
    are printed in English or Spanish. Exit 0 when every claimed line qualifies, 1 when a
    claimed line does not or cannot be decided, 2 for unusable input.
    """
    locale = resolve_locale(ctx, lang)
    record = load(shipment, locale, as_json=as_json)
    day: date = crossing_day(on, record, locale)
    indexes = list(range(len(record.goods)))
    if line is not None:
        if line > len(record.goods):
            say(
                err_console(),
                _(
                    "the shipment has {count} goods lines; there is no line {line}",
                    count=len(record.goods),
                    line=line,
                ),
                locale,
                "red",
            )
            raise typer.Exit(EXIT_UNUSABLE)
        indexes = [line - 1]
    results = [determine(record.goods[i], day) for i in indexes]
    if as_json:
        document = {
            "shipment": record.reference,
            "on": day.isoformat(),
            "lines": [
                {
                    "line": i + 1,
                    "claimed": record.goods[i].usmca.claimed,
                    "hs_code": record.goods[i].hts or record.goods[i].fraccion,
                    **result.as_dict(),
                }
                for i, result in zip(indexes, results, strict=True)
            ],
        }
        stdout().print_json(json.dumps(document, ensure_ascii=False))
    else:
        console = stdout()
        say(
            console,
            _(
                "USMCA / T-MEC origin of {reference} on {day}",
                reference=record.reference,
                day=day.isoformat(),
            ),
            locale,
            "bold",
        )
        console.print()
        for i, result in zip(indexes, results, strict=True):
            _print_line(console, i + 1, record.goods[i], result, locale)
        say(
            console,
            _(
                "cruce decides from the bill of materials and facts given; the producer or "
                "exporter who certifies origin remains responsible for it (USMCA Art. 5.2)"
            ),
            locale,
            "dim",
        )
    lines = [record.goods[i] for i in indexes]
    selected = record.model_copy(update={"goods": lines})
    raise typer.Exit(_exit_code(selected, results))
