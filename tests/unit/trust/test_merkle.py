from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cruce.trust import merkle
from cruce.trust.merkle import ProofError

pytestmark = pytest.mark.unit

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"
CT = SHARED / "trust" / "ct-merkle"
needs_vectors = pytest.mark.skipif(
    not CT.is_dir(), reason="shared/data/trust/ct-merkle is not beside this checkout"
)


def _vectors(kind: str) -> list[Path]:
    return sorted((CT / kind).rglob("*.json")) if CT.is_dir() else []


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _b64(values: list[str] | None) -> list[bytes]:
    return [base64.b64decode(v) for v in values or []]


def _check_inclusion(vector: dict) -> None:
    merkle.verify_inclusion(
        base64.b64decode(vector["leafHash"]),
        vector["leafIdx"],
        vector["treeSize"],
        _b64(vector["proof"]),
        base64.b64decode(vector["root"]),
    )


def _check_consistency(vector: dict) -> None:
    merkle.verify_consistency(
        vector["size1"],
        vector["size2"],
        base64.b64decode(vector["root1"]),
        base64.b64decode(vector["root2"]),
        _b64(vector["proof"]),
    )


def _name(path: Path) -> str:
    return str(path.relative_to(CT))


leaves_strategy = st.lists(st.binary(max_size=16), min_size=1, max_size=70)


@needs_vectors
class TestTransparencyDevVectors:
    def test_all_196_vectors_are_there(self):
        assert len(_vectors("inclusion")) == 98
        assert len(_vectors("consistency")) == 98

    @pytest.mark.parametrize("path", _vectors("inclusion"), ids=_name)
    def test_inclusion_vector(self, path):
        vector = _load(path)
        if vector["wantErr"]:
            with pytest.raises(ProofError):
                _check_inclusion(vector)
        else:
            _check_inclusion(vector)

    @pytest.mark.parametrize("path", _vectors("consistency"), ids=_name)
    def test_consistency_vector(self, path):
        vector = _load(path)
        if vector["wantErr"]:
            with pytest.raises(ProofError):
                _check_consistency(vector)
        else:
            _check_consistency(vector)

    def test_an_empty_leaf_hash_does_not_prove_itself_against_an_empty_root(self):
        vector = _load(CT / "inclusion" / "single-entry" / "empty-root-and-leaf.json")
        with pytest.raises(ProofError, match="32 bytes"):
            _check_inclusion(vector)

    @pytest.mark.parametrize(
        "name",
        [
            "sizes-are-equal-zero-and-proof-is-empty.json",
            "consistency-check-on-empty-tree-size1-is-zero-is-useless.json",
            "size1-is-greater-than-size2.json",
        ],
    )
    def test_consistency_needs_a_non_empty_old_tree_no_larger_than_the_new(self, name):
        vector = _load(CT / "consistency" / "additional" / name)
        with pytest.raises(ProofError, match="no consistency proof from size"):
            _check_consistency(vector)

    def test_reference_tree_leaf_hashes_nodes_and_roots(self):
        reference = _load(CT / "reference-tree.json")
        inputs = [bytes.fromhex(x) for x in reference["leaf_inputs_hex"]]
        hashes = [merkle.leaf_hash(x) for x in inputs]
        assert [h.hex() for h in hashes] == reference["leaf_hashes_hex"]
        for size, expected in reference["root_hash_by_tree_size_hex"].items():
            assert merkle.root(hashes[: int(size)]).hex() == expected
        level1 = [merkle.node_hash(hashes[i], hashes[i + 1]).hex() for i in range(0, 8, 2)]
        assert level1 == reference["level1_node_hashes_hex"]
        level2 = [merkle._perfect_hash(hashes, (2, i)).hex() for i in range(2)]
        assert level2 == reference["level2_node_hashes_hex"]

    def test_reference_tree_proofs_verify_at_every_size(self):
        reference = _load(CT / "reference-tree.json")
        hashes = [bytes.fromhex(x) for x in reference["leaf_hashes_hex"]]
        for size in range(1, 9):
            tree = hashes[:size]
            for index in range(size):
                proof = merkle.inclusion_proof(tree, index)
                merkle.verify_inclusion(hashes[index], index, size, proof, merkle.root(tree))
            for old in range(1, size + 1):
                proof = merkle.consistency_proof(tree, old)
                root_old, root_new = merkle.root(hashes[:old]), merkle.root(tree)
                merkle.verify_consistency(old, size, root_old, root_new, proof)


class TestTreeHash:
    def test_the_empty_tree_hashes_to_sha256_of_nothing(self):
        assert merkle.root([]).hex() == (
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        )

    def test_a_single_leaf_is_its_own_root(self):
        leaf = merkle.leaf_hash(b"a")
        assert merkle.root([leaf]) == leaf

    def test_fold_is_a_right_fold_of_node_hashes(self):
        a, b, c = (merkle.leaf_hash(bytes([i])) for i in range(3))
        assert merkle.fold([a, b, c]) == merkle.node_hash(a, merkle.node_hash(b, c))
        assert merkle.fold([]) == merkle.EMPTY_ROOT

    def test_range_nodes_split_at_powers_of_two(self):
        assert merkle.root_nodes(0) == []
        assert merkle.root_nodes(7) == [(2, 0), (1, 2), (0, 6)]
        assert merkle.range_nodes(8, 13) == [(2, 2), (0, 12)]

    def test_negative_sizes_are_refused(self):
        with pytest.raises(ValueError, match="negative"):
            merkle.root_nodes(-1)

    def test_extend_yields_every_hash_at_its_append_position(self):
        hashes = [merkle.leaf_hash(bytes([i])) for i in range(37)]
        frontier: list[bytes] = []
        produced = list(merkle.extend(frontier, 0, hashes[:20]))
        produced += list(merkle.extend(frontier, 20, hashes[20:]))
        assert [position for position, _ in produced] == list(range(len(produced)))
        assert len(produced) == 2 * 37 - (37).bit_count()
        assert merkle.fold(frontier) == merkle.root(hashes)
        by_position = dict(produced)
        for level in range(6):
            for index in range(37 >> level):
                node = merkle._perfect_hash(hashes, (level, index))
                assert by_position[merkle.append_position(level, index)] == node

    @given(leaves_strategy, st.integers(min_value=0))
    def test_root_is_the_recursive_definition(self, data, seed):
        hashes = [merkle.leaf_hash(d) for d in data]
        size = seed % len(hashes) + 1

        def mth(items: list[bytes]) -> bytes:
            if len(items) == 1:
                return items[0]
            split = 1 << ((len(items) - 1).bit_length() - 1)
            return merkle.node_hash(mth(items[:split]), mth(items[split:]))

        assert merkle.root(hashes[:size]) == mth(hashes[:size])


class TestProofs:
    @given(leaves_strategy)
    def test_every_inclusion_proof_of_a_random_tree_verifies(self, data):
        hashes = [merkle.leaf_hash(d) for d in data]
        root = merkle.root(hashes)
        for index, leaf in enumerate(hashes):
            proof = merkle.inclusion_proof(hashes, index)
            merkle.verify_inclusion(leaf, index, len(hashes), proof, root)
            assert merkle.root_from_inclusion(leaf, index, len(hashes), proof) == root

    @given(leaves_strategy, st.data())
    def test_every_consistency_proof_between_random_sizes_verifies(self, data, draw):
        hashes = [merkle.leaf_hash(d) for d in data]
        new = draw.draw(st.integers(min_value=1, max_value=len(hashes)))
        old = draw.draw(st.integers(min_value=1, max_value=new))
        proof = merkle.consistency_proof(hashes[:new], old)
        root_old, root_new = merkle.root(hashes[:old]), merkle.root(hashes[:new])
        merkle.verify_consistency(old, new, root_old, root_new, proof)

    @given(leaves_strategy, st.data())
    def test_a_flipped_bit_fails_the_inclusion_proof(self, data, draw):
        hashes = [merkle.leaf_hash(d) for d in data]
        index = draw.draw(st.integers(min_value=0, max_value=len(hashes) - 1))
        values = [hashes[index], merkle.root(hashes), *merkle.inclusion_proof(hashes, index)]
        which = draw.draw(st.integers(min_value=0, max_value=len(values) - 1))
        bit = draw.draw(st.integers(min_value=0, max_value=255))
        flipped = bytearray(values[which])
        flipped[bit // 8] ^= 1 << (bit % 8)
        values[which] = bytes(flipped)
        leaf, root, *proof = values
        with pytest.raises(ProofError):
            merkle.verify_inclusion(leaf, index, len(hashes), proof, root)

    @given(leaves_strategy, st.data())
    def test_a_flipped_bit_fails_the_consistency_proof(self, data, draw):
        hashes = [merkle.leaf_hash(d) for d in data]
        if len(hashes) < 2:
            hashes.append(merkle.leaf_hash(b"second"))
        new = draw.draw(st.integers(min_value=2, max_value=len(hashes)))
        old = draw.draw(st.integers(min_value=1, max_value=new - 1))
        proof = merkle.consistency_proof(hashes[:new], old)
        values = [merkle.root(hashes[:old]), merkle.root(hashes[:new]), *proof]
        which = draw.draw(st.integers(min_value=0, max_value=len(values) - 1))
        bit = draw.draw(st.integers(min_value=0, max_value=255))
        flipped = bytearray(values[which])
        flipped[bit // 8] ^= 1 << (bit % 8)
        values[which] = bytes(flipped)
        root_old, root_new, *proof = values
        with pytest.raises(ProofError):
            merkle.verify_consistency(old, new, root_old, root_new, proof)

    @given(leaves_strategy, st.data())
    def test_batch_proofs_equal_one_by_one_proofs(self, data, draw):
        hashes = [merkle.leaf_hash(d) for d in data]
        first = draw.draw(st.integers(min_value=0, max_value=len(hashes)))
        end = draw.draw(st.integers(min_value=first, max_value=len(hashes)))
        lookup = merkle._from_list(hashes)
        batch = merkle.inclusion_proofs(first, end, len(hashes), lookup)
        assert batch == [merkle.inclusion_proof(hashes, i) for i in range(first, end)]

    def test_batch_proofs_need_leaves_of_the_tree(self):
        with pytest.raises(ValueError, match="not all in a tree"):
            merkle.inclusion_proofs(2, 5, 4, merkle._from_list([]))

    def test_a_proof_for_another_index_or_size_fails(self):
        hashes = [merkle.leaf_hash(bytes([i])) for i in range(11)]
        root = merkle.root(hashes)
        proof = merkle.inclusion_proof(hashes, 4)
        with pytest.raises(ProofError):
            merkle.verify_inclusion(hashes[4], 5, 11, proof, root)
        with pytest.raises(ProofError):
            merkle.verify_inclusion(hashes[4], 4, 17, proof, root)
        with pytest.raises(ProofError, match="longer"):
            merkle.verify_inclusion(hashes[4], 4, 11, [*proof, proof[0]], root)
        with pytest.raises(ProofError, match="shorter"):
            merkle.verify_inclusion(hashes[4], 4, 11, proof[:-1], root)
        with pytest.raises(ProofError, match="not in a tree"):
            merkle.verify_inclusion(hashes[4], 11, 11, proof, root)

    def test_equal_sizes_are_consistent_only_with_an_empty_proof_and_equal_roots(self):
        root = merkle.root([merkle.leaf_hash(b"x")])
        merkle.verify_consistency(1, 1, root, root, [])
        with pytest.raises(ProofError, match="empty consistency proof"):
            merkle.verify_consistency(1, 1, root, root, [root])
        with pytest.raises(ProofError, match="different roots"):
            merkle.verify_consistency(1, 1, root, merkle.EMPTY_ROOT, [])

    def test_proofs_are_only_made_for_leaves_and_sizes_of_the_tree(self):
        hashes = [merkle.leaf_hash(bytes([i])) for i in range(3)]
        with pytest.raises(ValueError, match="not in a tree"):
            merkle.inclusion_proof(hashes, 3)
        with pytest.raises(ValueError, match="no consistency proof"):
            merkle.consistency_proof(hashes, 0)
        assert merkle.consistency_proof(hashes, 3) == []

    def test_resolve_names_the_nodes_a_store_lacks(self):
        with pytest.raises(LookupError, match="missing"):
            merkle.resolve(merkle.inclusion_plan(0, 2), lambda _nodes: {})
