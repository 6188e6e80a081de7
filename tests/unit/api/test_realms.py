import pytest

from andromede.api.realms import listener_refusal

STAFF = ("127.0.0.1", 9443)


@pytest.mark.parametrize(
    ("staff_address", "server", "staff", "refused"),
    [
        (None, ("127.0.0.1", 8080), True, False),  # one plane: nothing to separate
        (STAFF, ("127.0.0.1", 9443), True, False),
        (STAFF, ("127.0.0.1", 8080), True, True),  # staff on the public listener
        (STAFF, ("127.0.0.1", 9443), False, True),  # a tenant on the staff listener
        (STAFF, ("127.0.0.1", 8080), False, False),
        (("0.0.0.0", 9443), ("10.1.2.3", 9443), True, False),  # bound to every address
        (STAFF, None, True, True),  # no socket known: never taken for the staff one
    ],
)
def test_each_plane_serves_its_own_realm(
    staff_address: tuple[str, int] | None,
    server: tuple[str, int] | None,
    staff: bool,
    refused: bool,
) -> None:
    assert (listener_refusal(staff_address, server, staff) is not None) is refused
