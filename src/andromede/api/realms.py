"""Two administration planes (SecNumCloud 9.6): with ``ANDROMEDE_STAFF_LISTEN`` set,
operator staff are served on their own listener only, and tenants (partners, customers)
on the public one only: a staff token is refused by the public listener, a tenant's by
the staff listener, whatever the route."""

__all__ = ["listener_refusal"]


def listener_refusal(
    staff_address: tuple[str, int] | None, server: tuple[str, int] | None, staff: bool
) -> str | None:
    if staff_address is None:
        return None
    on_staff = (
        server is not None
        and server[1] == staff_address[1]
        and (staff_address[0] in ("0.0.0.0", "::") or server[0] == staff_address[0])
    )
    if staff and not on_staff:
        return "operator staff are served on the staff listener only"
    if not staff and on_staff:
        return "this is the staff listener: tenants use the public one"
    return None
