"""Merkle maths against the recursive definition of RFC 6962, and tampering detected."""

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from andromede.audit.chain import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    levels,
    node_hash,
    path,
    root,
    verify_consistency,
    verify_inclusion,
)


def mth(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1, word for word."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def tree(n: int) -> list[bytes]:
    return [leaf_hash(f"entry {i}".encode()) for i in range(n)]


def test_known_shapes() -> None:
    a, b, c = tree(3)
    assert root([a]) == a
    assert root([a, b]) == node_hash(a, b)
    assert root([a, b, c]) == node_hash(node_hash(a, b), c)
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()


@given(st.integers(1, 130))
def test_root_matches_the_recursive_definition(n: int) -> None:
    leaves = tree(n)
    assert root(leaves) == mth(leaves)


@given(st.integers(1, 70), st.data())
def test_every_inclusion_proof_verifies_and_a_changed_leaf_does_not(
    n: int, data: st.DataObject
) -> None:
    leaves = tree(n)
    head = root(leaves)
    index = data.draw(st.integers(0, n - 1))
    proof = inclusion_proof(index, leaves)
    assert verify_inclusion(leaves[index], index, n, proof, head)
    assert not verify_inclusion(leaf_hash(b"forged"), index, n, proof, head)
    if n > 1:
        assert not verify_inclusion(leaves[index], (index + 1) % n, n, proof, head)


@given(st.integers(1, 70), st.data())
def test_consistency_between_any_two_sizes(n: int, data: st.DataObject) -> None:
    leaves = tree(n)
    m = data.draw(st.integers(1, n))
    proof = consistency_proof(m, leaves)
    assert verify_consistency(m, n, root(leaves[:m]), root(leaves), proof)
    if m < n:
        rewritten = [*leaves[: m - 1], leaf_hash(b"rewritten"), *leaves[m:]]
        assert not verify_consistency(
            m, n, root(leaves[:m]), root(rewritten), consistency_proof(m, rewritten)
        )


def test_tampering_changes_the_root() -> None:
    leaves = tree(9)
    head = root(leaves)
    changed = [*leaves[:4], leaf_hash(b"changed"), *leaves[5:]]
    deleted = [*leaves[:4], *leaves[5:]]
    reordered = [leaves[1], leaves[0], *leaves[2:]]
    truncated = leaves[:-1]
    for variant in (changed, deleted, reordered, truncated):
        assert root(variant) != head


@given(st.integers(1, 150))
def test_proofs_read_from_levels_equal_the_recursive_ones(n: int) -> None:
    leaves = tree(n)
    built = levels(leaves)
    assert built[-1] == [root(leaves)]
    assert all(path(built, i) == inclusion_proof(i, leaves) for i in range(n))


@given(
    st.dictionaries(
        st.sampled_from(
            ["id", "actor", "action", "outcome", "target_id", "grant_id", "realm", "source"]
        ),
        st.one_of(st.none(), st.text()),
    )
)
def test_canonical_bytes_are_sorted_compact_json(values: dict[str, object]) -> None:
    import json
    from datetime import UTC, datetime

    from andromede.audit.entries import FIELDS, OPTIONAL_FIELDS, canonical

    values = {**values, "at": datetime(2026, 10, 1, 12, 30, 15, 123, tzinfo=UTC)}
    expected = {name: values.get(name) for name in FIELDS}
    expected["at"] = "2026-10-01T12:30:15.000123+00:00"
    for name in OPTIONAL_FIELDS:  # added later: present only when set
        if values.get(name) is not None:
            expected[name] = values[name]
    assert (
        canonical(values)
        == json.dumps(expected, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )


@given(st.integers(0, 70), st.lists(st.integers(0, 80), max_size=8))
def test_roots_of_prefixes_in_one_pass_equal_the_tree_hash(n: int, sizes: list[int]) -> None:
    from andromede.audit.chain import roots_at

    leaves = tree(n)
    found = roots_at(leaves, sizes)
    assert set(found) == {s for s in sizes if s <= n}
    for size, head in found.items():
        assert head == root(leaves[:size])


def test_an_entry_written_before_realm_and_source_keeps_its_bytes() -> None:
    """The leaf of an entry from before 0039 (no realm, no source) is what it was: the
    bytes as the earlier code wrote them, spelled out."""
    from datetime import UTC, datetime

    from andromede.audit.entries import canonical

    old = {"id": "e1", "at": datetime(2026, 1, 2, tzinfo=UTC), "actor": "a", "action": "x.y"}
    assert canonical(old) == (
        b'{"action":"x.y","actor":"a","actor_id":null,"at":"2026-01-02T00:00:00+00:00",'
        b'"id":"e1","on_behalf_of":null,"outcome":null,"request_id":null,'
        b'"target_id":null,"target_type":null,"tenant_path":null}'
    )
