import os
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from andromede.kernel.ids import new_ids


@given(st.integers(min_value=0, max_value=200))
def test_ids_made_together_are_version_4_uuids_in_their_usual_form(count: int) -> None:
    made = new_ids(count)
    assert len(made) == count == len(set(made))
    for text in made:
        parsed = uuid.UUID(text)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
        assert str(parsed) == text  # lower case, dashed: as new_id() writes them


@pytest.mark.parametrize(
    ("byte", "expected"),
    [
        (b"\xff", "ffffffff-ffff-4fff-bfff-ffffffffffff"),
        (b"\x00", "00000000-0000-4000-8000-000000000000"),
    ],
)
def test_the_version_and_variant_bits_are_set_whatever_the_random_bytes(
    monkeypatch: pytest.MonkeyPatch, byte: bytes, expected: str
) -> None:
    monkeypatch.setattr(os, "urandom", lambda n: byte * n)
    assert new_ids(3) == [expected] * 3
