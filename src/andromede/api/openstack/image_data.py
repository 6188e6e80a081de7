"""Image data, streamed: Glance v2's at /image, and the native API's at /v1 (the same
functions, each face rendering its own errors).

An upload is three steps, none holding a transaction across the stream: mark the image
saving (its owner, the quota left), write the bytes to the region's store as they arrive
(hashed on the way, bounded by the quota), then record the size and checksums, or put the
image back to queued when the stream failed. Nothing is held whole in memory.
"""

import asyncio
import re
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool

from andromede.api.context import app_of, run
from andromede.audit.actions import AuditAction
from andromede.catalog.image_bytes import Stored, TooLarge, Upload
from andromede.kernel.errors import Conflict, StorageQuotaExceeded
from andromede.storage.volume_image_service import ImageJob, ImageWanted

router = APIRouter(prefix="/image/v2", tags=["openstack image"])

STREAMED = re.compile(r"(/image/v2|/v1)/images/[^/]+/file")  # the RequestGuard lets it pass
BATCH = 4 * 1024 * 1024  # bytes handed to the writing thread at a time
BYTES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
    },
    204: {"description": "the image has no data yet"},
}


async def _batches(request: Request) -> AsyncIterator[bytes]:
    """The request body in batches of about ``BATCH`` bytes: fewer thread hops than the
    server's own small chunks."""
    pending: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        pending.append(chunk)
        size += len(chunk)
        if size >= BATCH:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


async def _store(request: Request, sink: Upload) -> None:
    """Each batch written (and hashed) in a thread while the next one arrives."""
    writing: asyncio.Future[None] | None = None
    try:
        async for batch in _batches(request):
            if writing is not None:
                await writing
            writing = asyncio.ensure_future(run_in_threadpool(sink.add, batch))
    finally:  # the stream broke: let the write in flight end before the file is closed
        if writing is not None and not writing.done():
            await asyncio.wait([writing])
            writing.exception()
    if writing is not None:
        await writing


def _declared(request: Request) -> int | None:
    value = request.headers.get("content-length")
    return int(value) if value and value.isdigit() else None


@router.put("/images/{image_id}/file", status_code=204, response_class=Response)
async def upload(image_id: str, request: Request) -> Response:
    return await receive_image(request, image_id)


async def receive_image(request: Request, image_id: str) -> Response:
    app = app_of(request)
    ticket = await run_in_threadpool(
        run,
        request,
        lambda s, c: app.images.start_upload(s, c, image_id, _declared(request)),
        write=True,
        action=AuditAction.IMAGE_UPLOAD,
        target_type="image",
        target_id=image_id,
    )
    sink = await run_in_threadpool(app.images.bytes.upload, ticket.region, image_id, ticket.limit)
    stored: Stored | None = None
    try:
        await _store(request, sink)
        stored = await run_in_threadpool(sink.finish)
    except TooLarge:
        pass  # the sink removed its part file
    except BaseException:
        sink.abort()
        await _finish(request, image_id, None)
        raise
    await _finish(request, image_id, stored, ticket.region, ticket.limit)
    return Response(status_code=204)


async def _finish(
    request: Request, image_id: str, stored: Stored | None, region: str = "", limit: int = 0
) -> None:
    await run_in_threadpool(settle, request, image_id, stored, region, limit)


def settle(
    request: Request,
    image_id: str,
    stored: Stored | None,
    region: str,
    limit: int,
    view: Callable[[Any], Any] = lambda image: None,
) -> Any:
    """The upload's last step: the image active (and its ``view``), or — the stream failed
    or another upload of the customer took the quota meanwhile — back to queued, its
    bytes dropped, and the quota error."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> tuple[str, Any]:
        image = app.images.finish_upload(session, caller, image_id, stored)
        return image.status, view(image)

    status, shown = run(request, work, write=True)
    if status != "active" and region:
        if stored is not None:
            app.images.drop_bytes((region, image_id))
        raise StorageQuotaExceeded(
            f"the image is larger than what is left of the customer's image quota ({limit} bytes)"
        )
    return shown


def copy_volume(
    request: Request,
    volume_id: str,
    wanted: ImageWanted,
    view: Callable[[Any], Any],
    check: Callable[[Any, Any, Any], object] = lambda app, session, caller: None,
) -> Any:
    """A volume into a new image of its project, in its region (``os-volume_upload_image``
    and its /v1 twin): the same three steps as an upload, the bytes read from the volume;
    ``check`` runs first in the first transaction (the Cinder face: the token's project)."""
    app = app_of(request)

    def begin(session: Any, caller: Any) -> ImageJob:
        check(app, session, caller)
        return app.volume_images.start(session, caller, volume_id, wanted)

    job = run(
        request,
        begin,
        write=True,
        action=AuditAction.IMAGE_CREATE,
        target_type="volume",
        target_id=volume_id,
    )
    sink = app.images.bytes.upload(job.region, job.image_id, job.limit)
    stored: Stored | None = None
    try:
        for chunk in app.volume_images.content(job.source):
            sink.add(chunk)
        stored = sink.finish()
    except TooLarge:
        pass
    except BaseException:
        sink.abort()
        settle(request, job.image_id, None, "", 0)
        raise
    return settle(request, job.image_id, stored, job.region, job.limit, view)


@router.get("/images/{image_id}/file", response_class=Response, responses=BYTES)
def download(image_id: str, request: Request) -> Any:
    return send_image(request, image_id)


def send_image(request: Request, image_id: str) -> Any:
    """The bytes, streamed from the region's store, with Glance's ``Content-MD5``; an image
    without data yet answers 204."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> tuple[str, str, int | None, str | None, str]:
        image = app.images.readable(session, caller, image_id)
        return image.status, image.region_code or "", image.size_bytes, image.checksum, image.id

    status, region, size, checksum, found = run(request, work)
    if status in ("queued", "saving"):
        return Response(status_code=204)
    if status != "active":
        raise Conflict(f"the image is {status}")
    chunks: Iterator[bytes] = app.images.bytes.read(region, found)
    headers = {"Content-Length": str(size), "Content-MD5": checksum or ""}
    return StreamingResponse(
        iterate_in_threadpool(chunks), media_type="application/octet-stream", headers=headers
    )


def remove_image(request: Request, image_id: str) -> Response:
    """The image deleted, then its bytes once that committed (a delete that rolled back
    keeps them)."""
    app = app_of(request)
    where = run(
        request,
        lambda s, c: app.images.delete(s, c, image_id),
        write=True,
        action=AuditAction.IMAGE_DELETE,
        target_type="image",
        target_id=image_id,
    )
    app.images.drop_bytes(where)
    return Response(status_code=204)
