"""Which pages each kind of user has, in the order of the menu. A page a role cannot use
is not offered; the service refuses it anyway if reached by hand."""

from dataclasses import dataclass

from andromede.tenancy.scope import Actor, OrgKind, Permission, allowed

__all__ = ["MenuItem", "home_of", "menu"]


@dataclass(frozen=True)
class MenuItem:
    href: str
    label: str  # an English source string, translated where rendered
    current: bool


AREAS: dict[OrgKind, list[tuple[str, str]]] = {
    OrgKind.OPERATOR: [
        ("/operator", "Dashboard"),
        ("/operator/partners", "Partners"),
        ("/operator/prices", "Prices"),
        ("/operator/price-alignment", "Price alignment"),
        ("/operator/infrastructure", "Regions and hosts"),
        ("/operator/audit", "Audit"),
    ],
    OrgKind.PARTNER: [
        ("/partner", "Customers"),
        ("/partner/margins", "Margins"),
        ("/partner/resale", "Resale prices and sales"),
    ],
    OrgKind.CUSTOMER: [
        ("/servers", "Servers"),
        ("/volumes", "Volumes"),
        ("/keypairs", "Key pairs and server groups"),
        ("/projects", "Projects and quotas"),
        ("/users", "Users"),
        ("/costs", "Costs and invoices"),
        ("/reservations", "Reservations"),
        ("/devtest", "Dev & Test"),
        ("/clusters", "Clusters"),
        ("/sovereignty", "Sovereignty"),
        ("/start", "Getting started"),
    ],
}


def home_of(actor: Actor) -> str:
    return AREAS[actor.org_kind][0][0]


ONLY_FOR = {
    "/users": Permission.MANAGE_USERS,
    "/operator/prices": Permission.MANAGE_CATALOG,
    "/operator/price-alignment": Permission.MANAGE_CATALOG,
}  # pages a role without the right never sees


def menu(actor: Actor, path: str) -> list[MenuItem]:
    items = [
        (href, label)
        for href, label in AREAS[actor.org_kind]
        if href not in ONLY_FOR or allowed(actor, ONLY_FOR[href])
    ]
    here = max(
        (href for href, _ in items if path.endswith(href) or f"{href}/" in path),
        key=len,
        default="",
    )
    return [MenuItem(href, label, href == here) for href, label in items]
