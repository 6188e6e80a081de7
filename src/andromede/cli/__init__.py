"""The ``andromede`` command: server-side commands and a client over the HTTP API."""
