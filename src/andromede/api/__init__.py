"""HTTP faces: native /v1 and (later) the OpenStack-compatible face, sharing services."""
