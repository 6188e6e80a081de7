"""Every action the audit log names, declared once. Services record them; entry points
name them for the refusals they log; auditors and tests search the log by them. Pure."""

from enum import StrEnum

__all__ = ["AuditAction"]


class AuditAction(StrEnum):
    ACCESS_REQUEST_APPROVE = "access_request.approve"
    ACCESS_REQUEST_CREATE = "access_request.create"
    ACCESS_REQUEST_DENY = "access_request.deny"
    ACCESS_REQUEST_END = "access_request.end"
    ACCESS_REQUEST_EXPIRE = "access_request.expire"
    ACCESS_REQUEST_REVOKE = "access_request.revoke"
    AUDIT_PURGE = "audit.purge"
    COMMITMENT_BUY = "commitment.buy"
    CREDIT_NOTE_CREATE = "credit_note.create"
    CUSTOMER_CREATE = "customer.create"
    CUSTOMER_DELETE = "customer.delete"
    CUSTOMER_ERASE = "customer.erase"
    CUSTOMER_REINSTATE = "customer.reinstate"
    CUSTOMER_TERMINATE = "customer.terminate"
    CUSTOMER_UPDATE = "customer.update"
    ENVIRONMENT_CREATE = "environment.create"
    ENVIRONMENT_DELETE = "environment.delete"
    ENVIRONMENT_EXTEND = "environment.extend"
    ENVIRONMENT_RETRY = "environment.retry"
    ENVIRONMENT_START = "environment.start"
    ENVIRONMENT_STOP = "environment.stop"
    FLAVOR_CREATE = "flavor.create"
    HOST_CREATE = "host.create"
    HOST_UPDATE = "host.update"
    IMAGE_CREATE = "image.create"
    KEYPAIR_CREATE = "keypair.create"
    KEYPAIR_DELETE = "keypair.delete"
    INVOICE_HOLD = "invoice.hold"
    PARTNER_CREATE = "partner.create"
    PARTNER_MANDATE = "partner.mandate"
    PARTNER_UPDATE = "partner.update"
    POLICY_SET = "policy.set"
    PAYMENT_RECORD = "payment.record"
    PLAN_SET = "plan.set"
    PRICE_CHANGE = "price.change"
    PRICE_SET = "price.set"
    PROJECT_CREATE = "project.create"
    PROJECT_DELETE = "project.delete"
    PROJECT_UPDATE = "project.update"
    REGION_CREATE = "region.create"
    RESERVATION_BUY = "reservation.buy"
    SCHEDULE_CREATE = "schedule.create"
    SCHEDULE_DELETE = "schedule.delete"
    SCHEDULE_PROJECT = "schedule.project"  # a project opted in or out as a whole
    SCHEDULE_UPDATE = "schedule.update"
    SERVER_ACTION = "server.action"  # a refused action on a server that names no known verb
    SERVER_CREATE = "server.create"
    SERVER_DELETE = "server.delete"
    SERVER_OBSERVED_ACTIVE = "server.observed.ACTIVE"
    SERVER_OBSERVED_BUILD = "server.observed.BUILD"
    SERVER_OBSERVED_DELETED = "server.observed.DELETED"
    SERVER_OBSERVED_ERROR = "server.observed.ERROR"
    SERVER_OBSERVED_SHUTOFF = "server.observed.SHUTOFF"
    SERVER_REBOOT = "server.reboot"
    SERVER_RESIZE = "server.resize"
    SERVER_START = "server.start"
    SERVER_STOP = "server.stop"
    SERVER_TAG = "server.tag"
    SERVER_UPDATE = "server.update"
    SERVER_GROUP_CREATE = "server_group.create"
    SERVER_GROUP_DELETE = "server_group.delete"
    SIGNUP = "signup"
    STAFF_READ = "staff.read"
    TOKEN_ISSUE = "token.issue"
    TOKEN_REVOKE = "token.revoke"
    USER_CREATE = "user.create"
    USER_CREDENTIALS_RESET = "user.credentials_reset"
    USER_DELETE = "user.delete"
    USER_LOCK = "user.lock"
    USER_MFA_BEGIN = "user.mfa_begin"
    USER_MFA_ENABLE = "user.mfa_enable"
    USER_PASSWORD_CHANGE = "user.password_change"
    USER_UPDATE = "user.update"
    ZONE_CREATE = "zone.create"

    @classmethod
    def named(cls, value: str) -> "AuditAction | None":
        """The declared action of that name, or None: names built from input stay inside
        the declared set."""
        try:
            return cls(value)
        except ValueError:
            return None
