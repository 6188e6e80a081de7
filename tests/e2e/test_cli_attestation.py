"""A customer checks a residency attestation offline with the operator's public key:
``andromede attestation verify`` needs no server and no database, and refuses an altered
copy or another key's signature."""

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from andromede.audit.signing import generate_key, load_private, public_bytes, sign
from andromede.sovereignty.attestation import Lifetime, attestation_body, canonical_document
from andromede.sovereignty.policy import Decision, Place
from tests.e2e.conftest import cli_server

PAR = Place("fr-par-1", "fr-par-1a", "FR", "FR-IDF")
OCT = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))


def signed_attestation(key_file: Path, issued_at: datetime) -> dict[str, object]:
    life = Lifetime("s1", "web", "p1", PAR, datetime(2026, 9, 1, tzinfo=UTC), None)
    decision = Decision(True, "allowed", ("operator:operator:v1",))
    body = attestation_body("c1", OCT, [life], [], lambda _l, _t: decision, issued_at)
    key = load_private(key_file)
    return {
        "attestation": body,
        "signature": sign(key, canonical_document(body)).hex(),
        "public_key": public_bytes(key).hex(),
    }


def verify(document: Path, key: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANDROMEDE_")}
    env["ANDROMEDE_LANG"] = "en"  # the messages below are read in English
    return cli_server().run(
        ["attestation", "verify", str(document), "--public-key", key], env, timeout=60
    )


def test_an_attestation_verifies_offline_and_a_tampered_copy_does_not(tmp_path: Path) -> None:
    public = generate_key(tmp_path / "operator.key").hex()
    other = generate_key(tmp_path / "other.key").hex()
    good = tmp_path / "attestation-2026-10.json"
    good.write_text(json.dumps(signed_attestation(tmp_path / "operator.key", OCT[1])))
    done = verify(good, public)
    assert done.returncode == 0, done.stderr
    assert "verified (2026-10, the whole month): complied" in done.stdout
    (tmp_path / "public.hex").write_text(public + "\n")
    assert verify(good, str(tmp_path / "public.hex")).returncode == 0  # a key file

    document = json.loads(good.read_text())
    document["attestation"]["resources"][0]["intervals"][0]["region"] = "us-east-1"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document))
    refused = verify(tampered, public)
    assert refused.returncode == 1 and "NOT verified" in refused.stderr
    assert verify(good, other).returncode == 1  # signed by another key than the one trusted

    partial = tmp_path / "partial.json"
    now = datetime(2026, 10, 12, tzinfo=UTC)
    partial.write_text(json.dumps(signed_attestation(tmp_path / "operator.key", now)))
    shown = verify(partial, public)
    assert shown.returncode == 0 and f"partial, up to {now.isoformat()}" in shown.stdout


def test_bad_input_is_a_one_line_error_with_exit_code_2(tmp_path: Path) -> None:
    public = generate_key(tmp_path / "operator.key").hex()
    good = tmp_path / "a.json"
    good.write_text(json.dumps(signed_attestation(tmp_path / "operator.key", OCT[1])))
    not_json = tmp_path / "b.json"
    not_json.write_text("{ not json")
    for document, key in [
        (good, "abcd"),  # too short a key
        (good, "zz" * 32),  # not hexadecimal
        (not_json, public),
        (tmp_path / "missing.json", public),
    ]:
        done = verify(document, key)
        assert done.returncode == 2, (document, key, done.stdout, done.stderr)
        assert done.stderr.startswith("error: ") and len(done.stderr.strip().splitlines()) == 1
