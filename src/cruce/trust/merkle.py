"""The RFC 9162 §2.1 Merkle tree: hashes, inclusion and consistency proofs, their checks.

SHA-256 throughout; a leaf hashes as ``H(0x00 ‖ data)`` and an interior node as
``H(0x01 ‖ left ‖ right)``, so no interior node can pose as a leaf. The tree over ``n``
leaves splits at ``k``, the largest power of two below ``n`` (§2.1.1).

Every subtree the RFC's recursion touches is either *perfect* (``2**level`` leaves starting
at a multiple of ``2**level``, named ``(level, index)``: leaves ``index << level`` up to
``(index + 1) << level``) or a right edge made of a few perfect ones. So a proof is a list of
*plans*, each the perfect nodes whose right fold (:func:`fold`) gives one proof hash;
:func:`inclusion_plan` and :func:`consistency_plan` compute them and a store answers them
with ``O(log n)`` lookups of stored nodes (``cruce.trust.log`` does). :func:`inclusion_proof`
and :func:`consistency_proof` answer them from a list of leaf hashes.

Input rules of the checks, decided against the transparency-dev/merkle vectors
(``shared/data/trust/ct-merkle``; 196 of 196 pass):

- A leaf hash and every proof hash must be exactly 32 bytes. The RFC text does not say so;
  without the rule, an empty leaf hash "proves" itself against an empty root with an empty
  proof (``inclusion/single-entry/empty-root-and-leaf.json``).
- A consistency proof needs ``0 < old_size <= new_size``. Nothing is proven about the empty
  tree (every tree extends it), and a shrinking log is never consistent (three vectors in
  ``consistency/additional``).
- Equal sizes are consistent exactly when the proof is empty and the two roots are equal.
  Roots are compared, never parsed, so a root of the wrong length simply fails to match.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

HASH_SIZE = 32
"""Bytes in a SHA-256 hash, the only hash size this tree accepts."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root of the empty tree: SHA-256 of nothing (§2.1.1)."""

_LEAF = b"\x00"
_NODE = b"\x01"

Node: TypeAlias = tuple[int, int]
"""A perfect subtree ``(level, index)``: leaves ``index << level`` to ``(index + 1) << level``."""


class ProofError(ValueError):
    """A proof does not verify, or its inputs break the rules above."""


def leaf_hash(data: bytes) -> bytes:
    """The hash of a leaf whose input is ``data``: ``H(0x00 ‖ data)``."""
    return hashlib.sha256(_LEAF + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node: ``H(0x01 ‖ left ‖ right)``."""
    return hashlib.sha256(_NODE + left + right).digest()


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of adjacent subtrees given left to right, largest first (a right fold).

    ``fold([a, b, c])`` is ``node_hash(a, node_hash(b, c))``: how §2.1.1 hashes a range whose
    size is not a power of two. An empty sequence folds to :data:`EMPTY_ROOT`.
    """
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = hashlib.sha256(_NODE + left + result).digest()
    return result


def _split(size: int) -> int:
    """The largest power of two strictly below ``size`` (``size`` >= 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def range_nodes(start: int, end: int) -> list[Node]:
    """The perfect subtrees, left to right, whose :func:`fold` is the hash of leaves ``start:end``.

    ``start`` must be aligned as the RFC recursion aligns it (a multiple of the largest power
    of two not above ``end - start``); every range in the plans below is.
    """
    nodes: list[Node] = []
    while start < end:
        level = (end - start).bit_length() - 1
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def root_nodes(size: int) -> list[Node]:
    """The perfect subtrees whose fold is the root of a tree of ``size`` leaves."""
    if size < 0:
        raise ValueError(f"a tree size cannot be negative ({size})")
    return range_nodes(0, size)


def inclusion_plan(index: int, size: int) -> list[list[Node]]:
    """The nodes of each hash of the inclusion proof of leaf ``index`` in a tree of ``size``.

    §2.1.3.1 PATH, leaf end first: each entry lists the perfect subtrees that fold into one
    proof hash.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    plan: list[list[Node]] = []
    start, end = 0, size
    while end - start > 1:
        middle = start + _split(end - start)
        if index < middle:
            plan.append(range_nodes(middle, end))
            end = middle
        else:
            plan.append(range_nodes(start, middle))
            start = middle
    plan.reverse()
    return plan


def consistency_plan(old_size: int, new_size: int) -> list[list[Node]]:
    """The nodes of each hash of the consistency proof from ``old_size`` to ``new_size``.

    §2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true), innermost hash first.
    """
    if not 0 < old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    plan: list[list[Node]] = []
    start, end, old, whole = 0, new_size, old_size, True
    while old != end - start:
        split = _split(end - start)
        if old <= split:
            plan.append(range_nodes(start + split, end))
            end = start + split
        else:
            plan.append(range_nodes(start, start + split))
            start += split
            old -= split
            whole = False
    if not whole:
        plan.append(range_nodes(start, end))
    plan.reverse()
    return plan


def inclusion_proofs(
    first: int, end: int, size: int, lookup: Callable[[list[Node]], Mapping[Node, bytes]]
) -> list[list[bytes]]:
    """The inclusion proofs of leaves ``first`` to ``end - 1`` in a tree of ``size``, at once.

    Equal to calling :func:`inclusion_plan` and :func:`resolve` for each leaf, but every
    subtree shared by several proofs is planned, read and hashed once: a batch of ``b``
    consecutive leaves costs ``O(b + log n)`` hashes instead of ``O(b log n)``.
    """
    if not 0 <= first <= end <= size:
        raise ValueError(f"leaves {first} to {end - 1} are not all in a tree of {size} leaves")
    paths: list[list[tuple[int, int]]] = []

    def descend(start: int, stop: int, path: list[tuple[int, int]]) -> None:
        if stop - start == 1:
            paths.append(path[::-1])
            return
        middle = start + _split(stop - start)
        if first < middle:
            descend(start, middle, [*path, (middle, stop)])
        if end > middle:
            descend(middle, stop, [*path, (start, middle)])

    if first < end:
        descend(0, size, [])
    ranges = {span for path in paths for span in path}
    plan = [range_nodes(*span) for span in ranges]
    hashes = dict(zip(ranges, resolve(plan, lookup), strict=True))
    return [[hashes[span] for span in path] for path in paths]


def resolve(
    plan: Sequence[Sequence[Node]], lookup: Callable[[list[Node]], Mapping[Node, bytes]]
) -> list[bytes]:
    """The proof hashes of ``plan``, reading every node it needs in one ``lookup`` call."""
    needed = sorted({node for nodes in plan for node in nodes})
    found = lookup(needed)
    missing = [node for node in needed if node not in found]
    if missing:
        raise LookupError(f"nodes missing from the tree's store: {missing[:4]}")
    return [fold([found[node] for node in nodes]) for nodes in plan]


def _perfect_hash(leaf_hashes: Sequence[bytes], node: Node) -> bytes:
    level, index = node
    row = list(leaf_hashes[index << level : (index + 1) << level])
    for _ in range(level):
        row = [node_hash(row[i], row[i + 1]) for i in range(0, len(row), 2)]
    return row[0]


def _from_list(leaf_hashes: Sequence[bytes]) -> Callable[[list[Node]], Mapping[Node, bytes]]:
    def lookup(nodes: list[Node]) -> Mapping[Node, bytes]:
        return {node: _perfect_hash(leaf_hashes, node) for node in nodes}

    return lookup


def append_position(level: int, index: int) -> int:
    """The place of perfect subtree ``(level, index)`` in append order, counting from 0.

    In append order each leaf's hash comes first, then the nodes it completes, lowest first.
    Leaf ``m``'s hash follows ``m + m//2 + m//4 + …`` = ``2m - popcount(m)`` hashes, and the
    node leaf ``m`` completes at ``level`` comes ``level`` places after it.
    """
    last = ((index + 1) << level) - 1
    return 2 * last - last.bit_count() + level


def extend(
    frontier: list[bytes], size: int, leaf_hashes: Iterable[bytes]
) -> Iterator[tuple[int, bytes]]:
    """Append leaves to a tree of ``size`` leaves; yield each new hash with its append position.

    ``frontier`` holds the hashes of :func:`root_nodes` of ``size`` and is updated in place,
    so ``fold(frontier)`` is the root after every leaf. Every leaf hash and every perfect
    subtree the leaves complete is yielded, in append order (:func:`append_position`).
    """
    position = 2 * size - size.bit_count()
    for leaf in leaf_hashes:
        value = leaf
        yield position, value
        position += 1
        carry = size
        while carry & 1:
            value = node_hash(frontier.pop(), value)
            yield position, value
            position += 1
            carry >>= 1
        frontier.append(value)
        size += 1


def root(leaf_hashes: Iterable[bytes]) -> bytes:
    """The Merkle tree hash (§2.1.1) of the given leaf hashes, in one pass, O(log n) memory."""
    frontier: list[bytes] = []
    for _ in extend(frontier, 0, leaf_hashes):
        pass
    return fold(frontier)


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """The inclusion proof (§2.1.3.1) of leaf ``index`` in the tree of all ``leaf_hashes``."""
    return resolve(inclusion_plan(index, len(leaf_hashes)), _from_list(leaf_hashes))


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """The consistency proof (§2.1.4.1) from the first ``old_size`` leaves to all of them."""
    return resolve(consistency_plan(old_size, len(leaf_hashes)), _from_list(leaf_hashes))


def _check_sizes(hashes: Iterable[bytes], what: str) -> None:
    for value in hashes:
        if len(value) != HASH_SIZE:
            raise ProofError(f"{what} must be {HASH_SIZE} bytes, not {len(value)}")


def root_from_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root that ``proof`` leads to from ``leaf`` (a leaf hash), by §2.1.3.2 steps 1-3.

    Raises :class:`ProofError` when the proof cannot belong to such a tree at all (an index
    out of range, a proof too long or too short for the size, a hash of the wrong length).
    """
    _check_sizes([leaf], "a leaf hash")
    _check_sizes(proof, "a proof hash")
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    position, last = index, size - 1
    result = leaf
    for sibling in proof:
        if last == 0:
            raise ProofError("the inclusion proof is longer than the tree is deep")
        if position & 1 or position == last:
            result = node_hash(sibling, result)
            while not position & 1 and position:
                position >>= 1
                last >>= 1
        else:
            result = node_hash(result, sibling)
        position >>= 1
        last >>= 1
    if last != 0:
        raise ProofError("the inclusion proof is shorter than the tree is deep")
    return result


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that leaf hash ``leaf`` is leaf ``index`` of the tree of ``size`` with ``root``.

    §2.1.3.2; raises :class:`ProofError` when it is not.
    """
    if root_from_inclusion(leaf, index, size, proof) != root:
        raise ProofError(f"the inclusion proof of leaf {index} does not lead to the root")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of ``new_size`` with ``new_root`` extends the one of ``old_size``.

    §2.1.4.2 with the input rules of the module docstring; raises :class:`ProofError`.
    """
    if not 0 < old_size <= new_size:
        raise ProofError(f"no consistency proof from size {old_size} to size {new_size}")
    _check_sizes(proof, "a proof hash")
    if old_size == new_size:
        if proof:
            raise ProofError("trees of equal size need an empty consistency proof")
        if old_root != new_root:
            raise ProofError("trees of equal size have different roots")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    old_result, new_result = _roots_from_consistency(old_size, new_size, old_root, proof)
    if old_result != old_root:
        raise ProofError("the consistency proof does not lead to the old root")
    if new_result != new_root:
        raise ProofError("the consistency proof does not lead to the new root")


def _roots_from_consistency(
    old_size: int, new_size: int, old_root: bytes, proof: Sequence[bytes]
) -> tuple[bytes, bytes]:
    """§2.1.4.2 steps 2-6: the old and new roots the proof leads to (``old_size < new_size``)."""
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old tree is itself a node
        path.insert(0, old_root)
    first, last = old_size - 1, new_size - 1
    while first & 1:
        first >>= 1
        last >>= 1
    old_result = new_result = path[0]
    for sibling in path[1:]:
        if last == 0:
            raise ProofError("the consistency proof is longer than the tree is deep")
        if first & 1 or first == last:
            old_result = node_hash(sibling, old_result)
            new_result = node_hash(sibling, new_result)
            while not first & 1 and first:
                first >>= 1
                last >>= 1
        else:
            new_result = node_hash(new_result, sibling)
        first >>= 1
        last >>= 1
    if last != 0:
        raise ProofError("the consistency proof is shorter than the tree is deep")
    return old_result, new_result
