"""Who each area of the console is for. A page of another area answers 403 with the
reason (the menus never offer it); the services behind still apply their own walls."""

from andromede.kernel.errors import Forbidden
from andromede.tenancy.scope import Caller, OrgKind

__all__ = ["customer_of", "partner_of", "staff_only"]


def customer_of(caller: Caller) -> str:
    if caller.actor.org_kind is not OrgKind.CUSTOMER or not caller.actor.customer_id:
        raise Forbidden("this page is a customer's")
    return caller.actor.customer_id


def partner_of(caller: Caller) -> str:
    if caller.actor.org_kind is not OrgKind.PARTNER or not caller.actor.partner_id:
        raise Forbidden("this page is a partner's")
    return caller.actor.partner_id


def staff_only(caller: Caller) -> None:
    if caller.actor.org_kind is not OrgKind.OPERATOR:
        raise Forbidden("this page is the operator's")
