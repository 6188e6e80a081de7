import pytest

from andromede.kernel.errors import ValidationFailed
from andromede.offboarding.restore import check_document, volume_fields

PROJECTS = {"old-p": "new-p"}


def test_a_volume_is_made_again_in_the_project_its_old_one_maps_to() -> None:
    exported = {"id": "v1", "project_id": "old-p", "name": "data", "size_gib": 3,
                "volume_type": "ssd", "region": "fr-par-1", "zone": "fr-par-1a",
                "metadata": {"tier": "gold", "n": 2},
                "content": "/v1/volumes/v1/content"}  # fmt: skip
    assert volume_fields(exported, PROJECTS) == {
        "project_id": "new-p",
        "size_gib": 3,
        "name": "data",
        "description": "",
        "volume_type": "ssd",
        "region": "fr-par-1",
        "zone": "fr-par-1a",
        "metadata": {"tier": "gold", "n": "2"},
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"project_id": "unknown", "size_gib": 3},
        {"project_id": "old-p"},
        {"project_id": "old-p", "size_gib": "3"},
        {"project_id": "old-p", "size_gib": True},
        {"project_id": "old-p", "size_gib": 3, "metadata": ["x"]},
    ],
)
def test_a_volume_without_a_known_project_or_a_size_is_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationFailed):
        volume_fields(bad, PROJECTS)


def test_the_volumes_section_is_a_list_of_objects() -> None:
    with pytest.raises(ValidationFailed):
        check_document({"format": "andromede.customer-export/1", "volumes": "all"})
