"""What the CLI's HTTP client trusts: nothing over plain HTTP (no certificate authorities
loaded for an address that never uses them), the default trust over https."""

import ssl

from andromede.cli.client import Client, tls_for


def test_plain_http_loads_no_authority_and_fails_closed() -> None:
    context = tls_for("http://127.0.0.1:8080")
    assert isinstance(context, ssl.SSLContext)
    assert context.get_ca_certs() == []  # nothing loaded, nothing to trust
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_https_keeps_the_default_trust() -> None:
    assert tls_for("https://cloud.example.fr") is True


def test_a_command_makes_one_http_client() -> None:
    client = Client(url="http://127.0.0.1:9", token="t")
    assert client.http is client.http
