"""Cross-border payments: bank accounts, creditor references, payment instructions.

cruce never holds money: it prepares, validates and reconciles what banks exchange. This
package is the core of it (no I/O): :mod:`accounts` checks and masks bank details,
:mod:`references` makes the ISO 11649 creditor reference an invoice is paid against.
"""
