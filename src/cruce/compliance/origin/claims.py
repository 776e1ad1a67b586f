"""The readiness checks of each line's USMCA claim against the origin engine's decision."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cruce.compliance.origin.engine import determine
from cruce.i18n import _
from cruce.model.problems import blocker, info, warning

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import date

    from cruce.model import GoodsLine, Problem


def claim_problems(index: int, line: GoodsLine, on: date) -> Iterator[Problem]:
    """What the origin decision says about line ``index``'s claim (or its absence).

    A claim the engine finds not qualifying blocks; a claimed criterion other than the one
    found warns; a claim the engine cannot decide from the bill of materials given, and an
    unclaimed line that qualifies, are noted. Lines without a claim or a bill of materials
    are not decided (nothing to check).
    """
    if not line.usmca.claimed and not line.materials:
        return
    path = f"goods[{index}]"
    number = index + 1
    result = determine(line, on)
    why = result.explanation[0] if result.explanation else None
    if not line.usmca.claimed:
        if result.qualifies is True and result.criterion is not None:
            yield info(
                "goods.usmca.unclaimed",
                f"{path}.usmca.claimed",
                _(
                    "line {line} qualifies under USMCA (criterion {criterion}) but does not "
                    "claim it: a claim may lower the duties (see cruce cost)",
                    line=number,
                    criterion=result.criterion.value,
                ),
            )
        return
    if result.qualifies is False and why is not None:
        suggestion = result.suggestions[0] if result.suggestions else _("none found")
        yield blocker(
            "goods.usmca.not_qualifying",
            f"{path}.usmca.claimed",
            _(
                "line {line} claims USMCA but its bill of materials does not qualify: {why}; "
                "what would: {suggestion} (cruce origin explains)",
                line=number,
                why=why,
                suggestion=suggestion,
            ),
        )
    elif result.qualifies is None and line.materials and why is not None:
        yield info(
            "goods.usmca.not_determined",
            f"{path}.usmca",
            _(
                "line {line}: cruce could not check the USMCA claim ({why}); keep the "
                "evidence of origin",
                line=number,
                why=why,
            ),
        )
    claimed = line.usmca.criterion
    if result.qualifies is True and claimed is not None and claimed != result.criterion:
        found = result.criterion.value if result.criterion is not None else "?"
        yield warning(
            "goods.usmca.criterion_differs",
            f"{path}.usmca.criterion",
            _(
                "line {line} claims origin criterion {claimed}; from its bill of materials "
                "cruce finds criterion {found}",
                line=number,
                claimed=claimed.value,
                found=found,
            ),
        )
