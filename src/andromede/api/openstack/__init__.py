"""The OpenStack-compatible face: Keystone v3 at /identity, Nova v2.1 at /compute,
Glance v2 at /image, Neutron v2.0 at /network, over the same services as /v1."""
