"""Writing requests are admitted a few at a time per process (``ANDROMEDE_WRITE_CONCURRENCY``):
past that, they wait before their transaction begins, holding no row and no lock."""

import threading
from dataclasses import replace
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from andromede.bootstrap import App, build
from andromede.compute.store import Keypair
from andromede.console.site import create_site
from andromede.kernel.clock import FrozenClock
from tests.integration.builders import SSH_KEY, World, auth

THREADS, EACH = 6, 4


def open_transactions(app: App) -> list[int]:
    """[open now, most open at once] over the app's engine, counted at its connections'
    begin, commit and rollback."""
    counts, lock = [0, 0], threading.Lock()

    def began(_conn: Any) -> None:
        with lock:
            counts[0] += 1
            counts[1] = max(counts[1], counts[0])

    def ended(_conn: Any) -> None:
        with lock:
            counts[0] -= 1

    event.listen(app.engine, "begin", began)
    event.listen(app.engine, "commit", ended)
    event.listen(app.engine, "rollback", ended)
    return counts


def test_one_writing_transaction_at_a_time_when_one_is_admitted(
    container: App, world: World, clock: FrozenClock
) -> None:
    app = build(replace(container.settings, write_concurrency=1), clock=clock)
    counts = open_transactions(app)
    token = world.a.tokens["customer-member"]
    failures: list[str] = []
    start = threading.Barrier(THREADS)

    def client_loop(n: int, client: TestClient) -> None:
        start.wait()
        for i in range(EACH):
            body = {"project_id": world.a.project_id, "name": f"k{n}-{i}", "public_key": SSH_KEY}
            made = client.post("/v1/keypairs", headers=auth(token), json=body)
            if made.status_code != 201:
                failures.append(made.text)

    site = create_site(app)  # built once: building FastAPI's schemas is not thread-safe
    clients = [TestClient(site) for _ in range(THREADS)]  # each its own event loop
    threads = [threading.Thread(target=client_loop, args=(n, c)) for n, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clients:
        c.close()
    assert failures == []
    with app.uow(readonly=True) as s:
        made = s.scalar(select(func.count()).select_from(Keypair).where(Keypair.name.like("k%-%")))
    assert made == THREADS * EACH  # every request ran, each in its turn
    assert counts == [0, 1]
    app.engine.dispose()
