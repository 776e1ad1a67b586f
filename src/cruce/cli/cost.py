"""``cruce cost``: duties, taxes and fees at the destination's border, with and without USMCA."""

from __future__ import annotations

import json
from decimal import Decimal
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
from cruce.compliance.duties import (
    References,
    UnsupportedDestinationError,
    converted_totals,
    landed_cost,
)
from cruce.i18n import _
from cruce.reference import fx

if TYPE_CHECKING:
    from rich.console import Console

    from cruce.compliance.duties import Component, LandedCost
    from cruce.i18n import Locale

USMCA_CHOICES = {"as-claimed": None, "yes": True, "no": False}


def _amount(component: Component | None, locale: Locale) -> str:
    if component is None:
        return "—"
    if component.amount is None:
        return _("not determined").render(locale)
    return f"{component.amount.amount:,.2f} {component.amount.currency}"


def _by_label(quote: LandedCost, locale: Locale) -> dict[str, list[Component]]:
    """Components grouped by what they are called (one action may have several rows)."""
    found: dict[str, list[Component]] = {}
    for component in quote.components():
        found.setdefault(component.label.render(locale), []).append(component)
    return found


def _total(components: list[Component] | None, locale: Locale) -> str:
    if not components:
        return "—"
    if any(c.amount is None for c in components):
        return _("not determined").render(locale)
    amounts = [c.amount for c in components if c.amount is not None]
    total = sum(amounts[1:], amounts[0])
    return f"{total.amount:,.2f} {total.currency}"


def _print(quotes: dict[str, LandedCost], locale: Locale, console: Console) -> None:
    claimed = quotes["as-claimed"]
    say(
        console,
        _(
            "Landed cost of {reference} into {country} on {day}",
            reference=claimed.reference,
            country=claimed.destination,
            day=claimed.on.isoformat(),
        ),
        locale,
        "bold",
    )
    if claimed.tariff_edition:
        say(console, _("Tariff: {edition}", edition=claimed.tariff_edition), locale)
    if claimed.fx is not None:
        rate = claimed.fx
        say(
            console,
            _(
                "Exchange rate: 1 {base} = {rate} {quote} ({source}, {day})",
                base=rate.base,
                rate=rate.rate,
                quote=rate.quote,
                source=rate.source,
                day=rate.as_of.isoformat(),
            ),
            locale,
        )
    table = Table()
    for heading in (
        _("Component"),
        _("As claimed"),
        _("Without USMCA"),
        _("With USMCA"),
        _("Legal source"),
    ):
        table.add_column(heading.render(locale), overflow="fold")
    columns = {name: _by_label(quote, locale) for name, quote in quotes.items()}
    labels = list(dict.fromkeys(label for column in columns.values() for label in column))
    for key in labels:
        components = [c for column in columns.values() for c in column.get(key, [])]
        sources = sorted({c.source.citation for c in components if c.source is not None})
        table.add_row(
            key,
            _total(columns["as-claimed"].get(key), locale),
            _total(columns["no"].get(key), locale),
            _total(columns["yes"].get(key), locale),
            escape("; ".join(sources)),
        )
    totals = [quote.total() for quote in (quotes["as-claimed"], quotes["no"], quotes["yes"])]
    total_label = _("Total").render(locale)
    table.add_row(
        f"[bold]{total_label}[/]",
        *(
            f"[bold]{t.amount:,.2f} {t.currency}[/]"
            if t is not None
            else _("not determined").render(locale)
            for t in totals
        ),
        "",
    )
    console.print(table)
    for problem in claimed.problems:
        where = escape(problem.path) or "—"
        severity = escape(f"[{problem.severity.value}]")
        console.print(f"  • {severity} {where}: {escape(problem.render(locale))}")


def _converted(
    quotes: dict[str, LandedCost], currency: str, tables: References, locale: Locale
) -> dict[str, object]:
    """The three totals in ``currency`` at the FIX published on the quote's date (or before)."""
    wanted = currency.strip().upper()
    quote = quotes["as-claimed"]
    if wanted not in {"USD", "MXN"}:
        say(err_console(), _("--currency is USD or MXN"), locale, "red")
        raise typer.Exit(EXIT_UNUSABLE)
    rate = fx.latest_before(quote.on, table=tables.fx)
    if rate is None:
        say(
            err_console(),
            _(
                "no USD/MXN rate is loaded on or before {day}: import Banxico's rates (cruce "
                "reference import-fx FILE)",
                day=quote.on.isoformat(),
            ),
            locale,
            "red",
        )
        raise typer.Exit(EXIT_BLOCKERS)
    return converted_totals(quotes, wanted, rate)


def _print_converted(converted: dict[str, object], locale: Locale) -> None:
    rate = converted["rate"]
    totals = converted["totals"]
    assert isinstance(rate, dict)  # noqa: S101 - built above
    assert isinstance(totals, dict)  # noqa: S101 - built above
    console = stdout()
    say(
        console,
        _(
            "In {currency}, at 1 {base} = {rate} {quote} ({source}, {day}):",
            currency=converted["currency"],
            base=rate["base"],
            rate=rate["rate"],
            quote=rate["quote"],
            source=rate["source"],
            day=rate["as_of"],
        ),
        locale,
    )
    for name, label in (
        ("as-claimed", _("As claimed")),
        ("no", _("Without USMCA")),
        ("yes", _("With USMCA")),
    ):
        value = totals[name]
        shown = (
            _("not determined").render(locale)
            if value is None
            else f"{Decimal(value):,.2f} {converted['currency']}"
        )
        console.print(f"  {label.render(locale)}: {shown}")


@app.command("cost")
def cost_command(  # noqa: PLR0917 - Typer passes every option positionally
    ctx: typer.Context,
    shipment: ShipmentArgument,
    on: OnOption = None,
    currency: Annotated[
        str | None,
        typer.Option(
            "--currency",
            metavar="USD|MXN",
            help="Also show the totals in this currency, at the Banxico FIX of the date.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the quotes as JSON.")] = False,
    lang: LangOption = None,
) -> None:
    """Duties, taxes and fees at the destination, as claimed, without and with USMCA.

    Exit 0 when every figure is determined, 1 when some are not, 2 for unusable input.
    """
    locale = resolve_locale(ctx, lang)
    record = load(shipment, locale, as_json=as_json)
    day = crossing_day(on, record, locale)
    try:
        tables = References.default()
        quotes = {
            name: landed_cost(record, day, usmca=choice, references=tables)
            for name, choice in USMCA_CHOICES.items()
        }
    except UnsupportedDestinationError:
        say(
            err_console(), _("cruce quotes imports into the US and into Mexico only"), locale, "red"
        )
        raise typer.Exit(EXIT_UNUSABLE) from None
    converted = _converted(quotes, currency, tables, locale) if currency else None
    if as_json:
        document: dict[str, object] = {name: quote.as_dict() for name, quote in quotes.items()}
        if converted is not None:
            document["converted"] = converted
        stdout().print_json(json.dumps(document, ensure_ascii=False))
    else:
        _print(quotes, locale, stdout())
        if converted is not None:
            _print_converted(converted, locale)
    raise typer.Exit(EXIT_READY if quotes["as-claimed"].complete else EXIT_BLOCKERS)
