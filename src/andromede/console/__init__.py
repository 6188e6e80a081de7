"""The web console: server-rendered pages per area on the same services as /v1."""
