"""Where a field of the shipment record is edited: the wizard's step and the input's id.

The readiness checklist names each problem's field by its path in the record
(``goods[2].hs_code``, ``parties.seller.tax_id``); a page links the problem to the input
that fixes it, ``/shipments/{id}/edit/{step}#f-{anchor}``.
"""

from __future__ import annotations

import re
import uuid
from typing import Final

STEPS: Final = ("parties", "goods", "transport", "terms")
"""The wizard's steps, in order."""
_STEP_OF: Final = {
    "parties": "parties",
    "goods": "goods",
    "transport": "transport",
    "crossing": "transport",
    "route": "transport",
    "terms": "terms",
    "invoice": "terms",
}
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]+")


def step_of(path: str) -> str:
    """The wizard step where the field at ``path`` is entered (the terms when unknown).

    The producers are chosen with the certification of origin, on the terms step.
    """
    if path.startswith("parties.producers"):
        return "terms"
    head = re.split(r"[.\[]", path, maxsplit=1)[0]
    return _STEP_OF.get(head, "terms")


def anchor(path: str) -> str:
    """The id of the input of ``path``: ``goods[2].hs_code`` -> ``f-goods-2-hs_code``."""
    return "f-" + _NOT_ID.sub("-", path).strip("-")


def edit_link(shipment_id: uuid.UUID | str, path: str) -> str:
    """The URL of the input that edits ``path`` in a stored shipment."""
    return f"/shipments/{shipment_id}/edit/{step_of(path)}#{anchor(path)}"
