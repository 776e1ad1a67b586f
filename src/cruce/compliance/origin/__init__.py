"""USMCA origin: does one unit of a good qualify, under which criterion, and why (or why not).

The criterion letters are the paragraphs of USMCA Art. 4.2 (and of 19 U.S.C. 4531(c)(1)),
as the certification of origin states them (Annex 5-A, element 7). The decision for one
good, from its bill of materials (values per unit) and the producer's
facts (``GoodsLine.origin``):

- **Criterion A** (USMCA Art. 4.2(a), 4.3; 19 U.S.C. 4531(a)(4)): the producer states the
  good is wholly obtained or produced entirely in the territory; any non-originating
  material contradicts it (a warning) and the other criteria are tried.
- **Criterion B** (Art. 4.2(b), Annex 4-B): the product-specific rule
  (:mod:`cruce.reference.usmca_rules`) is met: each non-originating material makes the
  tariff shift of one alternative and, where the alternative asks for it, the regional
  value content holds (Art. 4.5): ``RVC = (base - VNM) / base x 100``, base the
  transaction value (adjusted to FOB) or the net cost, VNM the value of the
  non-originating materials.
- **Criterion C** (Art. 4.2(c)): every material counted is originating.
- **De minimis** (Art. 4.12; 19 U.S.C. 4531(f)): materials that fail the shift are
  disregarded when worth at most 10 % of the transaction value or of the total cost. The
  textile (by weight) and agricultural exceptions are not implemented: a good that needs
  de minimis in chapters 1-24 or 50-63 is "not determined".
- **Criterion D** (Art. 4.2(d)): parts that fail the shift only because they share the
  good's subheading (or its heading not divided into subheadings), or an unassembled good
  classified as assembled under GRI 2(a): RVC of at least 60 % (TV) or 50 % (NC).

How materials count (``Material.kind``): indirect materials are originating (Art. 4.9);
retail packaging and accessories are not tested for the shift but count in the RVC
(Art. 4.14, 4.15); packing for shipment is disregarded (Art. 4.16). A self-produced
intermediate material with its own bill of materials is decided first (Art. 4.8). Under
accumulation (Art. 4.11) a non-originating material made in the territory adds only its
own non-originating content to VNM. Materials of unknown origin count as non-originating.

Not determined (``qualifies`` None): no HS code, automotive goods (chapter 87, headings
8407-8409: the Appendix to Annex 4-B is not implemented), no bill of materials, amounts in
other currencies, a heading whose rule is not encoded, a rule marked not determinable whose
writable alternatives are not met. Not implemented: GN 11(p) deemed-originating goods,
fungible goods (Art. 4.13), sets (Art. 4.17), the table 2.10.1 goods.
"""

from cruce.compliance.origin.engine import determine
from cruce.compliance.origin.result import MaterialVerdict, OriginResult, RvcResult

__all__ = ["MaterialVerdict", "OriginResult", "RvcResult", "determine"]
