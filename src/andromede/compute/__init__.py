"""Compute: servers, their placement and claims on hosts, networks and ports, keypairs
and server groups, and the reconciler that drives hypervisors toward the desired state.

Pure modules: ``lifecycle`` (states, actions, next step), ``placement`` (filters and
weighers), ``addressing``, ``keys``. Use cases, one service per job: ``server_service``,
``claim_service``, ``network_service``, ``keypair_service``, ``host_service`` (the
operator's hosts), all built on ``resource_access`` (tenant walls). Tables: ``store``
(servers, events, ports, networks, keypairs, groups) and ``host_store`` (hosts: inventory
and usage in one row, so a claim is one guarded UPDATE). ``reconciler`` and
``drivers/`` (a protocol of a few idempotent verbs; sim, openstack).
"""
