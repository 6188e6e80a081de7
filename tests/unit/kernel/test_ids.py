import os
import time
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from andromede.kernel.ids import ordered_ids


@given(st.integers(min_value=0, max_value=200))
def test_ordered_ids_are_version_7_uuids_in_their_usual_form(count: int) -> None:
    made = ordered_ids(count)
    assert len(made) == count == len(set(made))
    for text in made:
        parsed = uuid.UUID(text)
        assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
        assert str(parsed) == text  # lower case, dashed: as new_id() writes them


@given(st.lists(st.integers(min_value=1, max_value=50), min_size=2, max_size=20))
def test_each_id_sorts_after_every_id_made_before_it_in_the_process(counts: list[int]) -> None:
    """Within one millisecond too: batches follow each other faster than the clock
    moves, and each must still land at the right end of an index."""
    made = [text for count in counts for text in ordered_ids(count)]
    assert made == sorted(made) and len(set(made)) == len(made)


def test_the_time_in_an_id_is_when_it_was_made() -> None:
    time.sleep(0.005)  # past any millisecond the ids made before ran ahead into
    before = time.time_ns() // 1_000_000
    (text,) = ordered_ids(1)
    after = time.time_ns() // 1_000_000
    assert before <= uuid.UUID(text).int >> 80 <= after + 1


@pytest.mark.parametrize(
    ("byte", "tail"), [(b"\xff", "bfff-ffffffffffff"), (b"\x00", "8000-000000000000")]
)
def test_the_variant_bits_are_set_whatever_the_random_bytes(
    monkeypatch: pytest.MonkeyPatch, byte: bytes, tail: str
) -> None:
    monkeypatch.setattr(os, "urandom", lambda n: byte * n)
    made = ordered_ids(3)
    assert [text[-17:] for text in made] == [tail] * 3
    assert all(uuid.UUID(text).version == 7 for text in made)
