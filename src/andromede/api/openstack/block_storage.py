"""Cinder v3 at /block-storage (catalog types ``block-storage`` and ``volumev3``): the
version documents, volumes with their actions and metadata. Snapshots, backups, types,
quotas, limits and zones are in ``cinder_resources``. Everything is the token's project's
and goes through the same services as /v1 (no rule written twice); another project's
volume is not found. The URLs carry no project id (Cinder 3.67)."""

import ast
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import JSONResponse

from andromede.api.context import app_of, run
from andromede.api.openstack.cinder_metadata import add_metadata_routes
from andromede.api.openstack.cinder_views import cinder_time, type_view, version_doc, volume_view
from andromede.api.openstack.compute import project_of
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.identity import base_url
from andromede.api.openstack.image_data import copy_volume
from andromede.api.openstack.microversion import volume_version
from andromede.audit.actions import AuditAction
from andromede.kernel.errors import NotFound, ValidationFailed
from andromede.storage.volume_image_service import ImageWanted
from andromede.storage.volume_service import VolumeInput

router = APIRouter(tags=["openstack block storage"])
V3 = "/block-storage/v3"
MAX_LIMIT = 1000
WRITABLE = ("name", "description", "metadata")  # what a PUT may change


@router.get("/block-storage", status_code=300, **declares("Versions", 300))
@router.get("/block-storage/", status_code=300, include_in_schema=False)
def versions(request: Request) -> JSONResponse:
    """The service's root lists its versions with 300 Multiple Choices, as Cinder's."""
    return JSONResponse({"versions": [version_doc(base_url(request))]}, status_code=300)


@router.get(V3, **declares("Versions"))
@router.get(V3 + "/", include_in_schema=False)
def version_v3(request: Request) -> dict[str, Any]:
    return {"versions": [version_doc(base_url(request))]}


def wrapped(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    if not isinstance(value, dict):
        raise ValidationFailed.one(key, f"the body must be {{{key!r}: {{...}}}}")
    return value


def text_field(value: Any, field: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValidationFailed.one(field, "must be text")
    return value


def page_params(request: Request) -> tuple[int, str | None]:
    raw = request.query_params.get("limit", str(MAX_LIMIT))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ValidationFailed.one("limit", f"a whole number from 1 to {MAX_LIMIT}")
    return int(raw), request.query_params.get("marker")


def metadata_filter(text: str | None) -> dict[str, str]:
    """Cinder's ``metadata`` query parameter: a dict written as Python or JSON text
    (``{'key': 'value'}``), as clients send it."""
    if not text:
        return {}
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        raise ValidationFailed.one("metadata", "a dict such as {'key': 'value'}") from None
    if not isinstance(value, dict):
        raise ValidationFailed.one("metadata", "a dict such as {'key': 'value'}")
    return {str(k): str(v) for k, v in value.items()}


def own_volume(app: Any, session: Any, caller: Any, volume_id: str) -> Any:
    volume = app.volumes.get_volume(session, caller, volume_id)
    if volume.project_id != project_of(caller):
        raise NotFound("volume", volume_id)
    return volume


def _shown(
    request: Request, app: Any, session: Any, volume: Any, *, full: bool = True
) -> dict[str, Any]:
    attached = app.volumes.attachments(session, [volume.id])[volume.id]
    version = volume_version(request)
    view = volume_view(base_url(request), volume, attached, version=version, full=full)
    return {"volume": view}


def _write(
    request: Request, work: Callable[[Any, Any], Any], action: AuditAction, target: str
) -> Any:
    return run(request, work, write=True, action=action, target_type="volume", target_id=target)


# -- volumes ---------------------------------------------------------------------
@router.post(V3 + "/volumes", status_code=202, **declares("Volume", 202))
def create_volume(request: Request, body: dict[str, Any] = Body(...)) -> Any:
    wanted = wrapped(body, "volume")
    size = wanted.get("size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int)):
        if not (isinstance(size, str) and size.isdigit()):
            raise ValidationFailed.one("size", "a whole number of GiB")
        size = int(size)
    metadata = wanted.get("metadata") or {}
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        kind = text_field(wanted.get("volume_type"), "volume_type")
        if kind and kind not in {t.name for t in app.storage.distinct_types(session)}:
            if app.storage.type_name(session, kind) == kind:
                raise NotFound("volume type", kind)  # Cinder: an unknown type is a 404
        data = VolumeInput(
            project_id=project_of(caller),
            size_gib=size,
            name=text_field(wanted.get("name"), "name") or "",
            description=text_field(wanted.get("description"), "description") or "",
            volume_type=text_field(wanted.get("volume_type"), "volume_type"),
            zone=text_field(wanted.get("availability_zone"), "availability_zone"),
            image=text_field(wanted.get("imageRef"), "imageRef"),
            snapshot_id=text_field(wanted.get("snapshot_id"), "snapshot_id"),
            source_volume_id=text_field(wanted.get("source_volid"), "source_volid"),
            backup_id=text_field(wanted.get("backup_id"), "backup_id"),
            metadata=metadata,
        )
        made = app.volumes.create_volume(session, caller, data)
        return _shown(request, app, session, made, full=False)

    return run(request, work, write=True, action=AuditAction.VOLUME_CREATE, target_type="volume")


SORTABLE = {"id", "name", "created_at", "updated_at", "size", "status"}


def sort_order(params: Any) -> list[tuple[str, bool]] | None:
    """Cinder's ``sort=key:dir,...`` or ``sort_key``/``sort_dir``: (key, descending)
    pairs, or None for the default order (by id, a keyset page)."""
    if params.get("sort"):
        pairs = [item.partition(":") for item in params["sort"].split(",")]
        wanted = [(key.strip(), (how or "desc").strip()) for key, _, how in pairs]
    elif params.get("sort_key"):
        wanted = [(params["sort_key"], params.get("sort_dir", "desc"))]
    else:
        return None
    for key, how in wanted:
        if key not in SORTABLE or how not in ("asc", "desc"):
            raise ValidationFailed.one("sort", f"keys of {sorted(SORTABLE)}, asc or desc")
    return [(key, how == "desc") for key, how in wanted]


def sorted_page(
    rows: list[Any], order: list[tuple[str, bool]], marker: str | None, limit: int
) -> list[Any]:
    """The rows in ``order`` (stable, applied last key first), from after ``marker``."""
    column = {"size": "size_gib"}
    for key, descending in reversed(order):
        rows = sorted(rows, key=lambda r: getattr(r, column.get(key, key)), reverse=descending)
    if marker:
        ids = [r.id for r in rows]
        rows = rows[ids.index(marker) + 1 :] if marker in ids else []
    return rows[:limit]


def next_link(request: Request, key: str, views: list[Any], limit: int) -> dict[str, Any]:
    """Cinder's ``<key>_links`` when the page is full: the same path, the last id."""
    if len(views) < limit:
        return {}
    href = f"{base_url(request)}{request.url.path}?limit={limit}&marker={views[-1]['id']}"
    return {f"{key}_links": [{"rel": "next", "href": href}]}


def _list(request: Request, brief: bool) -> dict[str, Any]:
    limit, marker = page_params(request)
    params = request.query_params
    order = sort_order(params)
    app = app_of(request)

    def work(session: Any, caller: Any) -> list[Any]:
        found = app.volumes.list_volumes(
            session,
            caller,
            limit=MAX_LIMIT if order else limit,
            marker=None if order else marker,
            project_id=project_of(caller),
            status=params.get("status"),
            name=params.get("name"),
            zone=params.get("availability_zone"),
        )
        wanted = metadata_filter(params.get("metadata"))
        found = [v for v in found if wanted.items() <= (v.metadata_ or {}).items()]
        if order:
            found = sorted_page(found, order, marker, limit)
        attached = app.volumes.attachments(session, [v.id for v in found])
        base = base_url(request)
        version = volume_version(request)
        return [volume_view(base, v, attached[v.id], brief=brief, version=version) for v in found]

    views = run(request, work)
    answer: dict[str, Any] = {"volumes": views, **next_link(request, "volumes", views, limit)}
    if params.get("with_count"):
        answer["count"] = len(views)
    return answer


@router.get(V3 + "/volumes", **declares("Volumes"))
def list_volumes(request: Request) -> dict[str, Any]:
    return _list(request, brief=True)


@router.get(V3 + "/volumes/detail", **declares("Volumes"))
def list_volumes_detail(request: Request) -> dict[str, Any]:
    return _list(request, brief=False)


@router.get(V3 + "/volumes/", include_in_schema=False)
@router.put(V3 + "/volumes/", include_in_schema=False)
@router.delete(V3 + "/volumes/", include_in_schema=False)
def no_volume() -> None:
    """A volume id left empty is a volume not found, as in Cinder (not the list)."""
    raise NotFound("volume", "")


@router.get(V3 + "/volumes/{volume_id}", **declares("Volume"))
def show_volume(volume_id: str, request: Request) -> Any:
    app = app_of(request)
    return run(request, lambda s, c: _shown(request, app, s, own_volume(app, s, c, volume_id)))


@router.put(V3 + "/volumes/{volume_id}", **declares("Volume"))
def update_volume(volume_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
    wanted = wrapped(body, "volume")
    changes: dict[str, Any] = {k: v for k, v in wanted.items() if k in WRITABLE}
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        own_volume(app, session, caller, volume_id)
        changed = app.volumes.update_volume(session, caller, volume_id, changes)
        return _shown(request, app, session, changed, full=False)

    return _write(request, work, AuditAction.VOLUME_UPDATE, volume_id)


@router.delete(V3 + "/volumes/{volume_id}", status_code=202, response_class=Response)
def delete_volume(volume_id: str, request: Request) -> Response:
    """``cascade=true`` deletes the volume's snapshots first, as Cinder does."""
    cascade = request.query_params.get("cascade", "").lower() in ("true", "1", "yes")
    app = app_of(request)

    def work(session: Any, caller: Any) -> None:
        own_volume(app, session, caller, volume_id)
        if cascade:
            page = app.snapshots.list_snapshots(
                session, caller, limit=MAX_LIMIT, marker=None, volume_id=volume_id
            )
            for snap in page:
                app.snapshots.delete_snapshot(session, caller, snap.id)
        app.volumes.delete_volume(session, caller, volume_id)

    _write(request, work, AuditAction.VOLUME_DELETE, volume_id)
    return Response(status_code=202)


# -- volume actions --------------------------------------------------------------
ACTIONS: dict[str, tuple[AuditAction, int]] = {
    "os-extend": (AuditAction.VOLUME_EXTEND, 202),
    "os-retype": (AuditAction.VOLUME_RETYPE, 202),
    "os-set_bootable": (AuditAction.VOLUME_UPDATE, 200),
    "os-update_readonly_flag": (AuditAction.VOLUME_UPDATE, 202),
    "os-attach": (AuditAction.VOLUME_ATTACH, 202),
    "os-detach": (AuditAction.VOLUME_DETACH, 202),
    "os-reserve": (AuditAction.VOLUME_UPDATE, 202),
    "os-unreserve": (AuditAction.VOLUME_UPDATE, 202),
    "os-begin_detaching": (AuditAction.VOLUME_UPDATE, 202),
    "os-roll_detaching": (AuditAction.VOLUME_UPDATE, 202),
    "os-volume_upload_image": (AuditAction.IMAGE_CREATE, 202),
}


@router.post(V3 + "/volumes/{volume_id}/action", status_code=202, response_class=Response)
def volume_action(volume_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Response:
    if len(body) != 1 or next(iter(body)) not in ACTIONS:
        raise ValidationFailed.one("action", f"one of {', '.join(sorted(ACTIONS))}")
    name, args = next(iter(body.items()))
    args = args if isinstance(args, dict) else {}
    action, status = ACTIONS[name]
    if name == "os-volume_upload_image":
        return _upload_image(request, volume_id, args)
    app = app_of(request)

    def work(session: Any, caller: Any) -> None:
        volume = own_volume(app, session, caller, volume_id)
        _act(app, session, caller, volume, name, args)

    _write(request, work, action, volume_id)
    return Response(status_code=status)


def _act(app: Any, session: Any, caller: Any, volume: Any, name: str, args: dict[str, Any]) -> None:
    if name == "os-extend":
        size = args.get("new_size")
        if isinstance(size, str) and size.isdigit():
            size = int(size)
        app.volumes.extend_volume(session, caller, volume.id, size)
    elif name == "os-retype":
        new_type = args.get("new_type")
        if not isinstance(new_type, str):
            raise ValidationFailed.one("new_type", "a volume type's name or id")
        name_of = app.storage.type_name(session, new_type)
        app.volumes.retype_volume(session, caller, volume.id, name_of)
    elif name == "os-set_bootable":
        app.volumes.update_volume(session, caller, volume.id, {"bootable": _flag(args, "bootable")})
    elif name == "os-update_readonly_flag":
        readonly = _flag(args, "readonly")
        metadata = {**volume.metadata_, "readonly": "True" if readonly else "False"}
        app.volumes.update_volume(session, caller, volume.id, {"metadata": metadata})
    elif name == "os-attach":
        server = args.get("instance_uuid")
        if not isinstance(server, str):
            raise ValidationFailed.one("instance_uuid", "the server's id")
        device = text_field(args.get("mountpoint"), "mountpoint")
        app.attachments.attach(session, caller, server, volume.id, device=device)
    elif name == "os-detach":
        for attachment in app.volumes.attachments(session, [volume.id])[volume.id]:
            wanted = args.get("attachment_id")
            if wanted in (None, attachment.id):
                app.attachments.detach(session, caller, attachment.server_id, volume.id)
    # os-reserve, os-unreserve, os-begin_detaching, os-roll_detaching: the embedded
    # backend attaches and detaches at once; there is no window to hold


def _upload_image(request: Request, volume_id: str, args: dict[str, Any]) -> Response:
    """The volume copied into a new image of the token's project (the openstack CLI's
    ``image create --volume``); answered once the image is active."""
    name = args.get("image_name")
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed.one("image_name", "the new image's name")
    wanted = ImageWanted(
        name=name,
        disk_format=str(args.get("disk_format") or "raw"),
        container_format=str(args.get("container_format") or "bare"),
        visibility=str(args.get("visibility") or "private"),
        protected=_flag(args, "protected") if "protected" in args else False,
        force=_flag(args, "force") if "force" in args else False,
    )
    seen: dict[str, Any] = {}

    def check(app: Any, session: Any, caller: Any) -> None:
        volume = own_volume(app, session, caller, volume_id)
        kind = app.storage.find_type(session, volume.region_code, volume.volume_type)
        seen.update(
            id=volume.id,
            updated_at=cinder_time(volume.updated_at),
            status="uploading",
            display_description=volume.description or None,
            size=volume.size_gib,
            volume_type=type_view(kind) if kind else None,
        )

    def view(image: Any) -> dict[str, Any]:
        return {
            "image_id": image.id,
            "image_name": image.name,
            "container_format": image.container_format,
            "disk_format": image.disk_format,
            "visibility": image.visibility,
            "protected": image.protected,
        }

    shown = copy_volume(request, volume_id, wanted, view, check)
    return JSONResponse({"os-volume_upload_image": {**seen, **shown}}, status_code=202)


def _flag(args: dict[str, Any], key: str) -> bool:
    value = args.get(key)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if not isinstance(value, bool):
        raise ValidationFailed.one(key, "true or false")
    return value


# -- volume metadata -------------------------------------------------------------
add_metadata_routes(
    router,
    V3 + "/volumes/{obj_id}/metadata",
    own_volume,
    lambda app, s, c, row, meta: app.volumes.update_volume(s, c, row.id, {"metadata": meta}),
    AuditAction.VOLUME_UPDATE,
)
