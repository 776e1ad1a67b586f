"""USMCA product-specific rules of origin (Annex 4-B, HTSUS General Note 11) as data.

The rows ship in ``data/usmca_psr.yaml``; ``data/USMCA_RULES.md`` documents the rule language
(one line per alternative: ``CTH except 8481.90``, ``CTSH or from 8402.90 + RVC 60 TV / 50
NC``, ``NCTC + RVC 60 TV / 50 NC``), the sources and what is not encoded.

- :mod:`~cruce.reference.usmca_rules.language`: the rule language (:func:`parse_rule`,
  :class:`TariffShift`, :class:`Rvc`, :class:`Alternative`) and :func:`shifts`, whether
  one material undergoes the change of classification an alternative asks for.
- :mod:`~cruce.reference.usmca_rules.table`: the rows (:class:`ProductRule`), their loading
  and :func:`rule_for`, the rule of a good (a dictionary probe per prefix length).
- :mod:`~cruce.reference.usmca_rules.general`: the dated general provisions,
  :func:`de_minimis`, :func:`criterion_d` and :func:`certification_waiver`.

Everything is pure; the shipped table is read once.
"""

from cruce.reference.usmca_rules.general import (
    CertificationWaiver,
    CriterionD,
    DeMinimis,
    YearsRule,
    certification_validity,
    certification_waiver,
    criterion_d,
    de_minimis,
    record_retention,
)
from cruce.reference.usmca_rules.language import (
    Alternative,
    Level,
    RuleSyntaxError,
    Rvc,
    TariffShift,
    expand,
    parse_rule,
    shifts,
)
from cruce.reference.usmca_rules.table import (
    DATA_FILE,
    CodeTooShortError,
    ProductRule,
    RuleTable,
    default_table,
    parse_table,
    rule_for,
    rules,
)

__all__ = [
    "DATA_FILE",
    "Alternative",
    "CertificationWaiver",
    "CodeTooShortError",
    "CriterionD",
    "DeMinimis",
    "Level",
    "ProductRule",
    "RuleSyntaxError",
    "RuleTable",
    "Rvc",
    "TariffShift",
    "YearsRule",
    "certification_validity",
    "certification_waiver",
    "criterion_d",
    "de_minimis",
    "default_table",
    "expand",
    "parse_rule",
    "parse_table",
    "record_retention",
    "rule_for",
    "rules",
    "shifts",
]
