"""The operator's price alignment page: where each flavor stands against the
hyperscaler (a chart of the gap per family, the table, a typical customer's mix), and
following their cut — previewed on last month, then applied from a date after the notice,
on the same service as the API and the CLI."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from fastapi import Form, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from andromede.alignment.service import FollowInput
from andromede.api.context import app_of
from andromede.audit.actions import AuditAction
from andromede.console.charts import Series, bar_chart
from andromede.console.forms import submit
from andromede.console.web import area_router, error_text, formats, go, page
from andromede.kernel.errors import NotFound, ValidationFailed
from andromede.tenancy.scope import Caller

router = area_router()


def _context(request: Request, session: Session, caller: Caller, reference: str) -> dict[str, Any]:
    app = app_of(request)
    lists = app.alignment.lists(session, caller)
    context: dict[str, Any] = {
        "lists": lists,
        "settings": app.alignment.settings(session),
        "changes": app.alignment.changes(session, caller),
        "result": None,
        "chart": None,
        "chosen": reference,
    }
    try:
        result = app.alignment.report(session, caller, list_id=reference or None)
    except NotFound:
        return context
    families = result.report.families
    series = Series(
        [f.kind for f in families],
        [f.ours_month for f in families],
        [f.theirs_month for f in families],
    )
    _ = formats(request).gettext
    title = _("Per family, one of each flavor a month: ours (bars), theirs (dashed line)")
    return context | {"result": result, "chart": Markup(bar_chart(series, title))}


@router.get("/operator/price-alignment")
def alignment_page(
    request: Request,
    reference: str = "",
    before: str = "",
    after: str = "",
    wholesale: str = "follow",
    protect: str = "on",
) -> Response:
    """With ``before`` and ``after``: following that cut, replayed on last month."""
    app = app_of(request)
    values = {"before": before, "after": after, "wholesale": wholesale, "protect": protect}

    def fetch(session: Session, caller: Caller) -> Mapping[str, Any]:
        context = _context(request, session, caller, reference)
        context |= {"values": values, "preview": None, "error": None}
        if before and after:
            data = FollowInput(before, after, wholesale, None, protect == "on")
            try:
                context["preview"] = app.alignment.preview(session, caller, data)
            except (ValidationFailed, NotFound) as exc:
                context["error"] = error_text(request, exc)
            context["partners"] = {p.id: p.name for p in app.tenancy.all_partners(session)}
            context["customers"] = {c.id: c.name for c in app.tenancy.all_customers(session)}
        return context

    return page(request, "operator_alignment.html", fetch)


@router.post("/operator/price-alignment")
def apply_alignment(
    request: Request,
    csrf: str = Form(""),
    before: str = Form(""),
    after: str = Form(""),
    wholesale: str = Form("follow"),
    protect: str = Form(""),
    effective_from: str = Form(""),
) -> Response:
    app = app_of(request)
    data = FollowInput(before, after, wholesale, None, protect == "on")

    def change(session: Session, caller: Caller) -> object:
        try:
            day = datetime.strptime(effective_from, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise ValidationFailed.one("effective_from", "must be a date (YYYY-MM-DD)") from None
        return app.alignment.apply(session, caller, data, day)

    values = {"before": before, "after": after, "wholesale": wholesale, "protect": protect}
    return submit(
        request,
        csrf,
        change,
        lambda _: go("/operator/price-alignment?applied=1"),
        action=AuditAction.PRICE_CHANGE,
        target_type="price_alignment",
        again=(
            "operator_alignment.html",
            lambda s, c: {**_context(request, s, c, ""), "preview": None, "values": values},
        ),
        values=values,
    )
