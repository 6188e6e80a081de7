"""Settings: environment variables over an optional TOML file over defaults.

Read once by the composition root and passed down; nothing else reads the environment.
"""

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

__all__ = ["Settings", "load_settings"]


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///andromede.db"
    listen: str = "127.0.0.1:8080"
    staff_listen: str = ""  # host:port: operator staff's own listener (then only theirs)
    api_workers: int = 1
    # writing requests one API process runs at once; the rest wait their turn before
    # their transaction begins (see ``App.writes``)
    write_concurrency: int = 4
    admin_username: str = ""  # the first operator administrator: a person (init asks)
    admin_password: str = "andromede-admin"
    token_ttl_hours: int = 12
    staff_mfa: str = "required"  # required | optional (demo)
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    sim_boot_seconds: float = 2.0
    sim_failure_rate: float = 0.0
    sim_seed: int = 0
    sim_answer_seconds: float = 0.0  # hypervisor latency after each verb (tests, demos)
    sim_state_path: str = ""
    cluster_runtime: str = "none"  # none | local-spark (the sim's clusters run real Spark)
    cluster_runtime_path: str = ""  # local-spark's folder; default beside the database
    reconcile_interval: float = 0.5
    reconciler_in_serve: bool = True
    max_clock_skew_seconds: float = 5.0  # serve, worker and health refuse a clock further off
    job_lease_seconds: float = 300.0  # a worker that died holding a job loses it after this
    close_parts: int = 0  # a month close's partners planned in this many parts; 0: 1 on
    # SQLite (one process closes), 2 on PostgreSQL (workers close together)
    operator_name: str = "Andromède Cloud SAS"
    operator_country: str = "FR"
    operator_siren: str = "901234567"
    operator_vat_number: str = "FR15901234567"
    operator_address: str = "12 rue de la Souveraineté, 75002 Paris, France"
    operator_legal_details: str = "SAS au capital de 1 000 000 EUR, RCS Paris 901 234 567"
    operator_vat_on_debits: bool = False  # opted to pay VAT on debits (BT-8, the mention)
    einvoice_platform: str = ""  # "dir:PATH" (the platform connector's folder), "simulated"
    einvoice_chorus: str = ""  # the same, for public buyers' invoices (Chorus Pro)
    audit_key_file: str = ""
    audit_witness_dir: str = ""
    test_results_file: str = "var/test-results.xml"  # make test's JUnit report: the evidence
    sink_countries: str = ""  # "db.example.fr=FR,…": where each remote sink is
    sink_waivers: str = ""  # "host,…": remote sinks allowed outside the EU (reported)
    certificates: str = ""  # PEM files the deployment trusts or serves, comma-separated
    staff_networks: str = ""  # "10.0.0.0/8=FR,…": where staff connect from, by country
    certification_order: str = "iso27001,hds,secnumcloud"
    openstack_clouds_file: str = ""  # clouds.yaml of the OpenStack clouds behind regions
    openstack_regions: str = ""  # "fr-rns-1=cloud-name,…": regions driven by openstack
    quota_instances: int = 20
    quota_cores: int = 40
    quota_ram_mib: int = 102400
    quota_storage_gib: int = 2048
    max_volume_gib: int = 16384
    image_quota_bytes: int = 100 * 1024**3  # what a customer's own images may hold
    image_store_path: str = ""  # the sim regions' image store; default beside the database
    max_body_bytes: int = 1024 * 1024
    # their price list file, uploaded whole (a region's EC2 offer file is hundreds of MB)
    max_price_list_bytes: int = 1024 * 1024 * 1024
    public_url: str = ""  # where clients reach the API; default http://<listen>
    secrets_key_file: str = ""  # seals TOTP seeds; default beside the SQLite database
    kms_dir: str = ""  # customers' key-encryption keys (file KMS); default beside the database
    egress_guard: bool = False  # serve and worker connect only to the registry's hosts
    smtp_url: str = ""  # smtp://host:port: the relay notices are mailed through (a sink)
    mail_from: str = "notifications@andromede.invalid"
    trust_store: str = "/etc/ssl/certs/ca-certificates.crt"  # roots chains may lead to
    kms: str = "file"  # file | pkcs11 (the customers' keys in an HSM's token)
    pkcs11_module: str = ""  # the token's PKCS#11 library (/usr/lib/softhsm/libsofthsm2.so…)
    pkcs11_token: str = ""  # the token's label
    pkcs11_pin_file: str = ""  # a file holding the user PIN (never in the environment)
    limit_logins_per_source: int = 60  # sign-in tries per client address per minute
    limit_logins_per_account: int = 20  # sign-in tries per account per minute
    limit_signups_per_source: int = 10  # signups per client address per hour
    limit_codes_per_account: int = 10  # MFA activation codes per account per 5 minutes

    def __post_init__(self) -> None:
        if self.staff_mfa not in ("required", "optional"):
            raise ValueError("staff_mfa must be required or optional")
        if self.cluster_runtime not in ("none", "local-spark"):
            raise ValueError("cluster_runtime must be none or local-spark")
        if self.kms not in ("file", "pkcs11"):
            raise ValueError("kms must be file or pkcs11")
        if self.kms == "pkcs11" and not (
            self.pkcs11_module and self.pkcs11_token and self.pkcs11_pin_file
        ):
            raise ValueError("kms pkcs11 needs pkcs11_module, pkcs11_token and pkcs11_pin_file")
        if self.write_concurrency < 1:
            raise ValueError("write_concurrency must be at least 1")

    @property
    def openstack_region_clouds(self) -> dict[str, str]:
        pairs = [p.strip() for p in self.openstack_regions.split(",") if p.strip()]
        found = dict(p.split("=", 1) for p in pairs if "=" in p)
        if len(found) != len(pairs):
            raise ValueError("openstack_regions: expected region=cloud pairs, comma-separated")
        return {k.strip(): v.strip() for k, v in found.items()}

    @property
    def base_url(self) -> str:
        """Links and the service catalog use this, never a request's Host header (which
        a client chooses, and could point elsewhere)."""
        return (self.public_url or f"http://{self.listen}").rstrip("/")

    @property
    def host(self) -> str:
        return self.listen.rsplit(":", 1)[0]

    @property
    def port(self) -> int:
        return int(self.listen.rsplit(":", 1)[1])

    @property
    def staff_address(self) -> tuple[str, int] | None:
        """Where staff are served apart from tenants (SecNumCloud 9.6), if anywhere."""
        if not self.staff_listen:
            return None
        host, _, port = self.staff_listen.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError("staff_listen: expected host:port")
        return host, int(port)


def _coerce(kind: Any, raw: str) -> Any:
    if kind in (bool, "bool"):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if kind in (int, "int"):
        return int(raw)
    if kind in (float, "float"):
        return float(raw)
    return raw


def load_settings(env: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Merge defaults, the file named by ANDROMEDE_CONFIG, ANDROMEDE_* variables, overrides."""
    env = dict(os.environ) if env is None else env
    values: dict[str, Any] = {}
    config_file = env.get("ANDROMEDE_CONFIG")
    if config_file:
        values.update(tomllib.loads(Path(config_file).read_text(encoding="utf-8")))
    for f in fields(Settings):
        raw = env.get(f"ANDROMEDE_{f.name.upper()}")
        if raw is not None:
            values[f.name] = _coerce(f.type, raw)
    known = {f.name for f in fields(Settings)}
    unknown = set(values) - known
    if unknown:
        raise ValueError(f"unknown settings: {', '.join(sorted(unknown))}")
    return replace(Settings(**values), **overrides)
