"""Alembic environment: the URL comes from the caller (schema.upgrade) or the settings."""

from alembic import context

import andromede.alignment.store
import andromede.audit.store
import andromede.billing.store
import andromede.catalog.store
import andromede.clusters.store
import andromede.compute.firewall_push_store
import andromede.compute.floating_ip_store
import andromede.compute.host_store
import andromede.compute.maintenance_store
import andromede.compute.router_store
import andromede.compute.run_carry_store
import andromede.compute.security_group_store
import andromede.compute.store
import andromede.compute.subnet_store
import andromede.compute.usage_store
import andromede.documents.store
import andromede.leases
import andromede.metering.store
import andromede.offboarding.store
import andromede.prepaid.store
import andromede.schedules.store
import andromede.sovereignty.key_store
import andromede.sovereignty.legal_store
import andromede.sovereignty.store
import andromede.storage.store
import andromede.storage.volume_store
import andromede.tenancy.store
import andromede.tenancy.webhook_store  # noqa: F401  (tables register on Base.metadata)
from andromede.compute.host_store import RANKING_INDEXES
from andromede.config import load_settings
from andromede.db import Base, make_engine

config = context.config
url = config.attributes.get("url") or load_settings().database_url
connection = config.attributes.get("connection")


UNCOMPARED = {name for names in RANKING_INDEXES.values() for name in names}


def include_object(obj: object, name: str | None, kind: str, reflected: bool, other: object) -> bool:
    """Autogenerate leaves alone the indexes the models cannot describe (per database)."""
    return not (kind == "index" and name in UNCOMPARED)


def run() -> None:
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.connect() as conn:
        context.configure(
            connection=conn,
            target_metadata=Base.metadata,
            render_as_batch=True,
            compare_type=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
        conn.commit()
    engine.dispose()


run()
