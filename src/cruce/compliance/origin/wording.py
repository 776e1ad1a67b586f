"""How origin decisions name goods, materials and levels of change, in both languages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cruce.i18n import Country, Message, _

if TYPE_CHECKING:
    from cruce.model.goods import Material
    from cruce.reference.usmca_rules import Level


def hs_text(code: str) -> str:
    """``853400`` -> ``8534.00``, ``8534001000`` -> ``8534.00.1000``."""
    return ".".join(part for part in (code[:4], code[4:6], code[6:]) if part)


def material_name(material: Material) -> Message:
    """``PCB from China (HS 8534.00)`` / ``PCB de China (SA 8534.00)``."""
    description = material.description
    country = material.origin_country
    if material.hs_code and country:
        return _(
            "{description} from {country} (HS {code})",
            description=description,
            country=Country(country),
            code=hs_text(material.hs_code),
        )
    if country:
        return _("{description} from {country}", description=description, country=Country(country))
    if material.hs_code:
        return _(
            "{description} of unknown origin (HS {code})",
            description=description,
            code=hs_text(material.hs_code),
        )
    return _("{description} of unknown origin", description=description)


def level_name(level: Level) -> Message:
    """The level of a change of classification as a word."""
    names = {"chapter": _("chapter"), "heading": _("heading"), "subheading": _("subheading")}
    return names[level]


def method_name(method: str) -> Message:
    """An RVC method as words."""
    return _("transaction value") if method == "transaction_value" else _("net cost")
