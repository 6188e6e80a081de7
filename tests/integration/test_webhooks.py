"""Notifications posted to a tenant's webhook (SecNumCloud 12.2): each once and in order,
signed with the operator's key, retried when the receiver fails; a webhook is an outbound
sink, so its host is on this machine or declared in the EU."""

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import StreamRequestHandler, ThreadingTCPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient

from andromede.audit.signing import generate_key, verify
from andromede.bootstrap import App, build
from andromede.kernel.clock import FrozenClock
from andromede.worker.jobs import deliver_webhooks
from tests.integration.builders import World, auth, create_server, ok


class Receiver(ThreadingHTTPServer):
    """A tenant's endpoint on this machine: keeps what it is sent, answers ``status``."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.received: list[tuple[bytes, str]] = []
        self.status = 204


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.server.status < 300:
            self.server.received.append((body, self.headers.get("X-Andromede-Signature", "")))
        self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def announce(client: TestClient, token: str, clock: FrozenClock) -> None:
    start = clock.now() + timedelta(days=2)
    body = {"region": "fr-par-1", "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(), "nature": "power",
            "impact": "none", "contact": "noc@andromede.example"}  # fmt: skip
    ok(client.post("/v1/maintenances", headers=auth(token), json=body), 201)


def test_notifications_reach_the_webhook_once_signed_and_retried(
    client: TestClient,
    container: App,
    world: World,
    receiver: Receiver,
    tmp_path: Path,
    clock: FrozenClock,
) -> None:
    key = tmp_path / "audit.key"
    public = generate_key(key)
    signer = build(replace(container.settings, audit_key_file=str(key)), clock=clock)
    try:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/hooks/andromede"
        admin_c = auth(world.a.tokens["customer-admin"])
        made = ok(client.put("/v1/notification-webhook", headers=admin_c, json={"url": url}))
        assert (made["url"], made["customer_id"]) == (url, world.a.customer_id)
        assert ok(client.get("/v1/notification-webhook", headers=admin_c))["id"] == made["id"]
        ok(create_server(client, world.a.tokens["customer-member"], world.a.project_id), 202)
        receiver.status = 503  # the receiver is down: nothing is marked delivered
        announce(client, world.admin, clock)
        assert deliver_webhooks(signer) == 0 and receiver.received == []
        receiver.status = 204
        assert deliver_webhooks(signer) == 1
        assert deliver_webhooks(signer) == 0  # once
        ((body, signature),) = receiver.received
        notice = json.loads(body)
        assert (notice["kind"], notice["customer_id"]) == ("maintenance", world.a.customer_id)
        assert verify(public, body, bytes.fromhex(signature))
        announce(client, world.admin, clock)  # the next one, in order
        assert deliver_webhooks(signer) == 1 and len(receiver.received) == 2
    finally:
        signer.engine.dispose()


def test_a_webhook_is_an_outbound_sink_in_the_eu(
    client: TestClient, container: App, world: World
) -> None:
    admin_c = auth(world.a.tokens["customer-admin"])
    for url, reason in (
        ("https://hooks.example.com/x", "of no declared country"),
        ("http://hooks.example.com/x", "https"),
        ("ftp://127.0.0.1/x", "http(s) URL"),
        ("not a url", "http(s) URL"),
        ("mailto:ops@brasserie.fr", "mails nothing"),  # no relay configured
        ("mailto:ops@brasserie.fr,boss@elsewhere.com", "mailto: address"),
        ("mailto:ops@brasserie.fr\r\nBcc: spy@x.com", "mailto: address"),
        ("mailto:nobody", "mailto: address"),
    ):
        refused = client.put("/v1/notification-webhook", headers=admin_c, json={"url": url})
        assert refused.status_code == 400 and reason in refused.json()["detail"], url
    member = auth(world.a.tokens["customer-member"])
    denied = client.put("/v1/notification-webhook", headers=member, json={"url": "https://x.fr"})
    assert denied.status_code == 403
    assert client.get("/v1/notification-webhook", headers=admin_c).status_code == 404


def test_a_webhook_declared_in_the_eu_is_taken(
    container: App, world: World, clock: FrozenClock
) -> None:
    declared = replace(container.settings, sink_countries="hooks.example.fr=FR")
    app = build(declared, clock=clock)
    try:
        from andromede.api.app import create_app

        api = TestClient(create_app(app))
        partner = auth(world.a.tokens["partner-admin"])
        url = "https://hooks.example.fr/andromede"
        made = ok(api.put("/v1/notification-webhook", headers=partner, json={"url": url}))
        assert (made["partner_id"], made["customer_id"]) == (world.a.partner_id, None)
        moved = ok(api.put("/v1/notification-webhook", headers=partner, json={"url": url + "2"}))
        assert moved["id"] == made["id"] and moved["url"] == url + "2"  # one per organisation
    finally:
        app.engine.dispose()


class Relay(ThreadingTCPServer):
    """A mail relay on this machine, the few SMTP verbs smtplib uses: keeps each message;
    ``down`` refuses them (a relay that is out)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), SmtpHandler)
        self.mails: list[Message] = []
        self.down = False


class SmtpHandler(StreamRequestHandler):
    server: Relay

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("421 out of service" if self.server.down else "220 relay")
        while not self.server.down and (line := self.rfile.readline()):
            verb = line[:4].upper()
            if verb == b"DATA":
                self.reply("354 go on")
                data = b"".join(iter(self.rfile.readline, b".\r\n"))
                self.server.mails.append(message_from_bytes(data, policy=policy.default))
                self.reply("250 queued")
            elif verb == b"QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


def test_notifications_are_mailed_through_the_relay_signed_and_retried(
    client: TestClient, container: App, world: World, tmp_path: Path, clock: FrozenClock
) -> None:
    relay = Relay()
    threading.Thread(target=relay.serve_forever, daemon=True).start()
    key = tmp_path / "audit.key"
    public = generate_key(key)
    smtp = f"smtp://127.0.0.1:{relay.server_address[1]}"
    settings = replace(container.settings, audit_key_file=str(key), smtp_url=smtp)
    app = build(settings, clock=clock)
    try:
        from andromede.api.app import create_app

        api = TestClient(create_app(app))
        admin_c = auth(world.a.tokens["customer-admin"])
        to = {"url": "mailto:ops@customer-a.fr"}
        assert ok(api.put("/v1/notification-webhook", headers=admin_c, json=to))["url"] == to["url"]
        ok(create_server(api, world.a.tokens["customer-member"], world.a.project_id), 202)
        relay.down = True
        announce(api, world.admin, clock)
        assert deliver_webhooks(app) == 0 and relay.mails == []  # tried again next run
        relay.down = False
        assert deliver_webhooks(app) == 1 and deliver_webhooks(app) == 0  # once
        (mail,) = relay.mails
        assert (mail["To"], mail["Subject"]) == ("ops@customer-a.fr", "Andromède: maintenance")
        (attached,) = [p for p in mail.walk() if p.get_content_type() == "application/json"]
        body = attached.get_payload(decode=True)
        assert isinstance(body, bytes) and json.loads(body)["customer_id"] == world.a.customer_id
        assert verify(public, body, bytes.fromhex(mail["X-Andromede-Signature"]))
        text = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
        assert "fr-par-1" in bytes(text.get_payload(decode=True)).decode()
    finally:
        app.engine.dispose()
        relay.shutdown()
        relay.server_close()
