"""Which lines of a quote claim USMCA / T-MEC preference, decided once for both countries.

``usmca=None`` takes the record's claims as they are; ``False`` claims nothing; ``True``
claims what may be claimed: each line the origin engine finds qualifying
(:func:`cruce.compliance.origin.determine`). A line the engine finds not qualifying is not
claimed; a line it cannot decide (no bill of materials, a rule not encoded) is claimed when
its origin is in the USMCA territory, with a warning that the quote assumes the claim.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cruce.compliance.origin import determine
from cruce.i18n import _
from cruce.model.codes import USMCA_COUNTRIES
from cruce.model.problems import Problem, info, warning

if TYPE_CHECKING:
    from datetime import date

    from cruce.model import Shipment


@dataclass(frozen=True, slots=True)
class Claims:
    """Per goods line, whether the quote claims the preference; and how it was chosen."""

    claimed: tuple[bool, ...]
    label: str
    problems: tuple[Problem, ...] = ()


def claims(shipment: Shipment, on: date, usmca: bool | None) -> Claims:
    """The claims of a quote on ``on``: as recorded, none, or as the origin engine decides."""
    goods = shipment.goods
    if usmca is None:
        return Claims(tuple(line.usmca.claimed for line in goods), "as claimed")
    if not usmca:
        return Claims((False,) * len(goods), "not claimed")
    claimed: list[bool] = []
    problems: list[Problem] = []
    for index, line in enumerate(goods):
        path = f"goods[{index}]"
        if line.origin_country not in USMCA_COUNTRIES:
            claimed.append(False)
            continue
        result = determine(line, on)
        if result.qualifies is True:
            claimed.append(True)
        elif result.qualifies is False:
            claimed.append(False)
            problems.append(
                info(
                    "cost.usmca.not_qualifying",
                    path,
                    _(
                        "line {line} is not claimed: cruce finds it does not qualify under "
                        "USMCA ({why})",
                        line=index + 1,
                        why=result.explanation[0],
                    ),
                )
            )
        else:
            claimed.append(True)
            problems.append(
                warning(
                    "cost.usmca.assumed",
                    path,
                    _(
                        "line {line}: the quote assumes the USMCA claim, but cruce could not "
                        "decide the good's origin ({why})",
                        line=index + 1,
                        why=result.explanation[0],
                    ),
                )
            )
    return Claims(tuple(claimed), "claimed where eligible", tuple(problems))
