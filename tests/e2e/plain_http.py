"""One HTTP client for the e2e tests' own requests to a local service. httpx's module
functions (``httpx.get`` ...) each build a client, which loads the certificate authorities:
25 ms of CPU a request, for plain HTTP that never uses them. No connection is kept open
between requests: these tests kill and restart the services they talk to."""

import httpx

from andromede.cli.client import tls_for

__all__ = ["delete", "get", "post", "put"]

_client = httpx.Client(verify=tls_for("http://"), limits=httpx.Limits(max_keepalive_connections=0))
get, post, put, delete = _client.get, _client.post, _client.put, _client.delete
