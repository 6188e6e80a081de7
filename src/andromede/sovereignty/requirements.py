"""SecNumCloud's control-plane requirements R1–R22, as this build meets them: for each,
the controls in place with the tests that prove them, and the gaps still open.

Kept by hand, checked by tests: every test named here must exist (a unit test reads the
files), so a renamed or deleted test cannot leave a control without its evidence. A gap
is removed only in the change that closes it, with the test that proves it."""

from andromede.sovereignty.compliance import Control, Requirement

__all__ = ["REQUIREMENTS"]

UNIT = "tests/unit/"
INT = "tests/integration/"
E2E = "tests/e2e/"
COMPLIANCE = INT + "test_compliance.py::"
LEGAL = INT + "test_legal_registers.py::"

REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(
        "R1",
        "Documented data location",
        "SNC 19.2.a, 8.1.a",
        (
            Control(
                "Every region records its country, territory, legal entity and jurisdiction; "
                "the offer document and the data-location report name them",
                (COMPLIANCE + "test_regions_state_their_legal_entity_and_jurisdiction",),
            ),
            Control(
                "A per-customer data-location report lists every server, volume, snapshot, "
                "backup, network and image with its region, zone and country, and the "
                "technical data (keypairs, records) with the control-plane database's country",
                (
                    COMPLIANCE + "test_the_data_location_report_covers_every_kind_of_resource",
                    INT + "test_policies.py::test_data_location_report",
                    INT + "test_volumes.py::"
                    "test_the_data_location_report_and_attestation_show_stored_data",
                ),
            ),
            Control(
                "A signed residency attestation per customer and month, verifiable offline",
                (
                    INT + "test_policies.py::test_signed_residency_attestation",
                    E2E + "test_cli_attestation.py::"
                    "test_an_attestation_verifies_offline_and_a_tampered_copy_does_not",
                ),
            ),
        ),
    ),
    Requirement(
        "R2",
        "Storage and processing in the EU",
        "SNC 19.2.b",
        (
            Control(
                "A narrow-only residency policy chain is checked on every placement; "
                "a property test holds it to a reference evaluator",
                (
                    UNIT + "sovereignty/test_policy.py::test_evaluation_agrees_with_the_reference",
                    UNIT + "sovereignty/test_policy.py::test_a_child_never_widens",
                    INT + "test_policies.py::test_customer_keeps_its_data_in_brittany",
                ),
            ),
            Control(
                "Without an operator policy the root is in:eu, and the operator's own policy "
                "cannot allow a place outside the EU",
                (
                    COMPLIANCE + "test_without_an_operator_policy_data_stays_in_the_eu",
                    COMPLIANCE + "test_the_operators_root_policy_cannot_leave_the_eu",
                ),
            ),
            Control(
                "A region outside the EU is refused unless flagged non-sovereign",
                (COMPLIANCE + "test_a_region_outside_the_eu_must_be_flagged_non_sovereign",),
            ),
        ),
    ),
    Requirement(
        "R3",
        "Backups follow the same location rules",
        "SNC 12.5.d",
        (
            Control(
                "Volumes and backups are placed under the same policy check as servers",
                (INT + "test_volumes.py::test_residency_places_volumes_and_backups",),
            ),
            Control(
                "A volume snapshot and a server's image are placements too; a policy change "
                "reports every volume, snapshot and backup it leaves outside, and the "
                "customer is notified",
                (
                    COMPLIANCE + "test_stored_data_left_outside_a_new_policy_is_reported_and_not_"
                    "copied_again",
                    INT + "test_snapshots.py::test_no_snapshot_where_the_policy_now_refuses",
                ),
            ),
        ),
    ),
    Requirement(
        "R4",
        "Technical data in the EU",
        "SNC 19.2.d, 19.6.c",
        (
            Control(
                "Every outbound sink (database, OpenStack clouds, e-invoice platforms, audit "
                "witness) is listed with its country; serve and worker refuse one outside "
                "the EU or of no declared country unless waived, and a waiver is a finding",
                (
                    COMPLIANCE + "test_sinks_outside_the_eu_stop_the_service_unless_waived",
                    UNIT + "sovereignty/test_sinks.py::test_what_leaves_this_machine",
                    UNIT + "sovereignty/test_sinks.py::"
                    "test_each_sink_gets_one_verdict_and_only_two_refuse",
                ),
            ),
            Control(
                "With ANDROMEDE_EGRESS_GUARD, serve and worker refuse every outbound "
                "connection but to this machine and the registry's hosts (configured sinks, "
                "declared hosts): an allow-list inside the process",
                (
                    COMPLIANCE + "test_the_egress_guard_lets_out_only_the_registrys_hosts",
                    UNIT + "sovereignty/test_egress.py::"
                    "test_only_this_machine_and_the_registrys_hosts_are_reached",
                    E2E + "test_cli_compliance.py::test_staff_have_their_own_listener",
                ),
            ),
        ),
        (
            "the egress guard is inside the process and off by default: connections a C "
            "library opens itself (libpq) pass it, and no host firewall is generated",
        ),
    ),
    Requirement(
        "R5",
        "Administration from the EU, restricted non-EU support",
        "SNC 19.2.c, 19.2.e, 9.7.d",
        (
            Control(
                "Staff reach customer data only from an office in the EU (recorded with "
                "their vetting) and from a network declared in the EU "
                "(ANDROMEDE_STAFF_NETWORKS): elsewhere they keep the support operations "
                "that touch no customer data and lose every grant",
                (
                    INT + "test_staff_access.py::test_customer_data_is_reached_from_the_eu_only",
                    UNIT + "sovereignty/test_staff_origin.py::test_data_access_from_the_eu_only",
                ),
            ),
            Control(
                "From outside the EU a staff member is served only while a vetted EU staff "
                "member supervises them live (POST /v1/supervisions, at most 480 minutes, "
                "ended at once on demand, both ends logged), and then for support "
                "operations only",
                (
                    INT + "test_staff_access.py::"
                    "test_staff_outside_the_eu_act_only_under_live_supervision",
                    UNIT + "sovereignty/test_staff_origin.py::"
                    "test_supervision_is_needed_from_outside_the_eu_only",
                    E2E + "test_cli_compliance.py::test_a_maintenance_and_a_vetting_from_the_cli",
                ),
            ),
        ),
    ),
    Requirement(
        "R6",
        "Separate administration planes",
        "SNC 9.6.a-d, f, h",
        (
            Control(
                "MFA is required for staff and available to customer administrators",
                (
                    INT + "test_login.py::"
                    "test_staff_without_mfa_cannot_sign_in_when_mfa_is_required",
                    INT + "test_login.py::test_customer_admin_enrols_totp_and_then_needs_it",
                ),
            ),
            Control(
                "With ANDROMEDE_STAFF_LISTEN, staff sign in and are served on their own "
                "listener only and tenants on the public one only, whatever the route or "
                "face; every audit entry names the realm that acted",
                (
                    COMPLIANCE + "test_staff_and_tenants_are_served_on_separate_listeners",
                    E2E + "test_cli_compliance.py::test_staff_have_their_own_listener",
                    UNIT + "api/test_realms.py::test_each_plane_serves_its_own_realm",
                    COMPLIANCE + "test_audit_entries_name_the_realm_and_the_source",
                ),
            ),
        ),
    ),
    Requirement(
        "R7",
        "Account hygiene",
        "SNC 9.2.b, 9.5.b, 9.5.d",
        (
            Control(
                "An account locks after five failures; unknown users get the same answer",
                (
                    INT + "test_login.py::test_five_failures_lock_the_account_for_fifteen_minutes",
                    INT
                    + "test_login_limits.py::"
                    + "test_unknown_users_get_the_same_answer_the_same_work_and_the_same_lockout",
                ),
            ),
            Control(
                "Staff accounts are named for one person: a name that is a role or a team "
                "(admin, support, ops…) is refused, the first administrator included "
                "(`init` asks for a person's name), and this report names any such account "
                "an upgraded deployment still holds",
                (
                    INT + "test_staff_access.py::"
                    "test_staff_accounts_name_a_person_and_administrators_are_vetted",
                    E2E + "test_cli_compliance.py::"
                    "test_init_names_the_first_administrator_for_a_person",
                    COMPLIANCE + "test_the_compliance_report_is_signed_and_states_its_evidence",
                    UNIT + "tenancy/test_usernames.py::test_names_of_roles_and_teams_look_shared",
                ),
            ),
        ),
    ),
    Requirement(
        "R8",
        "Access-rights inventory and separation of duties",
        "SNC 9.3.c-f",
        (
            Control(
                "'Who can access' a customer's or a project's resources and 'every right of' "
                "an account, computed from the rules that guard each request",
                (
                    COMPLIANCE
                    + "test_who_can_access_a_customers_resources_and_every_right_of_one_account",
                    UNIT + "tenancy/test_rights.py::test_access_follows_the_guards",
                    E2E
                    + "test_cli_compliance.py::test_the_report_is_fetched_then_verified_offline",
                ),
            ),
            Control(
                "A table of incompatible role pairs (operator staff hold no partner's or "
                "customer's account) is checked whenever an account names its person: an "
                "incompatible one is refused (409) and nothing is written. Every account of "
                "the operator's staff, and every account its staff make, names its person "
                "(400 otherwise), so none of the operator's people holds a tenant's account "
                "unseen; the accounts a tenant makes for itself are matched when they name "
                "theirs. A staff account naming none (an upgraded deployment's) is a "
                "finding until it is named, once, by another administrator",
                (
                    INT + "test_staff_access.py::test_one_person_holds_no_incompatible_roles",
                    UNIT + "tenancy/test_duties.py::"
                    "test_staff_hold_no_tenant_account_and_tenants_combine_freely",
                    UNIT + "tenancy/test_duties.py::"
                    "test_the_operators_people_name_the_person_of_what_they_hold_and_make",
                    COMPLIANCE + "test_the_compliance_report_is_signed_and_states_its_evidence",
                ),
            ),
        ),
    ),
    Requirement(
        "R9",
        "Customer-approved access to customer data",
        "SNC 9.7.d, 12.13",
        (
            Control(
                "Staff reach a customer's resources only under its approved, expiring, "
                "revocable grant, and every action carries the grant id",
                (
                    INT + "test_lockbox.py::test_staff_reach_a_customer_only_through_its_grant",
                    INT + "test_lockbox.py::test_the_reported_side_door_is_closed",
                    INT + "test_staff_access.py::"
                    "test_operate_grant_acts_with_the_grant_id_then_expires",
                    INT + "test_staff_access.py::test_revocation_is_immediate",
                    UNIT + "sovereignty/test_access.py::"
                    "test_access_is_open_only_between_approval_and_its_end",
                ),
            ),
        ),
    ),
    Requirement(
        "R10",
        "Vetted staff for privileged roles",
        "SNC 7.1.b",
        (
            Control(
                "Staff carry a vetting level with an end date, recorded by an operator "
                "administrator (never their own); a read grant needs basic, an operate "
                "grant enhanced, and an expired vetting drops every grant at once",
                (
                    INT + "test_staff_access.py::"
                    "test_staff_use_a_grant_only_while_their_vetting_holds",
                    UNIT + "tenancy/test_vetting.py::"
                    "test_a_grant_is_usable_only_while_the_vetting_holds",
                    E2E + "test_cli_compliance.py::test_a_maintenance_and_a_vetting_from_the_cli",
                ),
            ),
            Control(
                "An operator administrator is created only with an enhanced vetting on "
                "record, by another administrator; once it lapses the account acts as "
                "support (no administration) until a vetting is recorded again",
                (
                    INT + "test_staff_access.py::"
                    "test_staff_accounts_name_a_person_and_administrators_are_vetted",
                ),
            ),
        ),
    ),
    Requirement(
        "R11",
        "Tenant isolation",
        "SNC 9.7.a, 13.2",
        (
            Control(
                "Another tenant's object is a 404 on every route, and changes nothing",
                (
                    INT + "test_isolation.py::"
                    "test_other_tenants_get_404_everywhere_and_change_nothing",
                    INT + "test_isolation.py::test_partners_see_no_other_partner",
                    UNIT + "tenancy/test_scope.py::test_partner_sees_exactly_its_own_customers",
                ),
            ),
            Control(
                "The default security group admits ingress only from the same group",
                (
                    INT + "test_neutron_security_groups.py::"
                    "test_the_default_group_as_neutron_makes_it",
                ),
            ),
            Control(
                "A server booted without a network is on its project's own network, which no "
                "other tenant is on; the shared provider network only when the customer names "
                "it; a floating IP reaches the project's network without a router of its own",
                (
                    INT + "test_floating_ips.py::"
                    "test_a_server_booted_without_a_network_is_on_its_projects_own_and_reachable",
                ),
            ),
        ),
    ),
    Requirement(
        "R12",
        "A key per customer, held in a security container",
        "SNC 10.1.a, 10.5.c-d",
        (
            Control(
                "A key-encryption key per customer in the KMS (a file KMS apart from the "
                "database, 0600), a data key per volume stored only wrapped by it; the "
                "database holds no data key in any form",
                (INT + "test_keys.py::test_keys_per_customer_wrapped_data_keys_and_crypto_erase",),
            ),
            Control(
                "With ANDROMEDE_KMS=pkcs11 the customers' keys are generated in an HSM's "
                "token (PKCS#11; SoftHSM in the tests), sensitive and not extractable; the "
                "token seals each data key under the key's own id and destroys the key on "
                "erasure",
                (INT + "test_keys.py::test_keys_held_in_a_pkcs11_token",),
            ),
            Control(
                "A customer's image is sealed at rest in the region's store with a data key "
                "of its own (AES-256-GCM per chunk, bound to the image and the chunk's "
                "place), wrapped by the customer's key: no plain byte on disk, another "
                "image's bytes do not open, a destroyed key opens nothing",
                (
                    INT + "test_keys.py::"
                    "test_a_customers_image_is_sealed_at_rest_with_its_own_data_key",
                ),
            ),
        ),
        (
            "volumes' data keys seal nothing yet: the simulated data plane holds no volume "
            "bytes (a hypervisor driver would be handed the unwrapped key at attach)",
        ),
    ),
    Requirement(
        "R13",
        "EU roots of trust",
        "SNC 10.6.a",
        (
            Control(
                "A certificate inventory (ANDROMEDE_CERTIFICATES and the OpenStack clouds' CA "
                "bundles) names each certificate's issuer and its country, and the root its "
                "chain leads to by signature (through the configured certificates and the "
                "system's trust store); a non-EU root (an EU intermediate under it "
                "included), a non-EU or countryless issuer, an expired or unreadable "
                "certificate is a finding of this report",
                (
                    COMPLIANCE + "test_the_certificate_inventory_names_each_issuer_and_its_country",
                    UNIT + "sovereignty/test_certificates.py::"
                    "test_each_certificate_is_judged_by_its_issuers_country",
                    UNIT + "sovereignty/test_certificates.py::"
                    "test_a_chain_is_judged_by_the_root_it_leads_to",
                ),
            ),
        ),
    ),
    Requirement(
        "R14",
        "Logging content and retention",
        "SNC 12.6.a-d, 12.9",
        (
            Control(
                "Every mutating request writes exactly one audit entry in its transaction",
                (
                    INT + "test_audit.py::"
                    "test_every_kind_of_mutating_request_writes_exactly_one_entry",
                ),
            ),
            Control(
                "Nothing younger than the retention minimum can be purged",
                (INT + "test_audit_retention.py::test_young_events_cannot_be_purged",),
            ),
            Control(
                "A customer exports its own events with their proofs",
                (INT + "test_audit_tamper.py::test_customer_export_verifies_offline",),
            ),
            Control(
                "Every entry names the realm that acted (staff, partner, customer, system) "
                "and the client's address; entries from before keep their leaf hashes",
                (
                    COMPLIANCE + "test_audit_entries_name_the_realm_and_the_source",
                    UNIT + "audit/test_chain.py::"
                    "test_an_entry_written_before_realm_and_source_keeps_its_bytes",
                ),
            ),
        ),
    ),
    Requirement(
        "R15",
        "Log integrity and separation",
        "SNC 12.7",
        (
            Control(
                "A Merkle log with signed checkpoints detects modification, deletion, "
                "truncation, reordering and forged checkpoints",
                (
                    INT + "test_audit_tamper.py::test_tampering_is_detected",
                    INT + "test_audit_tamper.py::test_a_replaced_key_is_detected",
                    INT + "test_audit_tamper.py::test_append_only_where_the_engine_can_hold_it",
                    INT + "test_audit_tamper.py::test_checkpoints_are_published",
                ),
            ),
            Control(
                "Every checkpoint copies the entries it covers, once, to the witness folder "
                "outside the database; audit verify --witness catches an insider who "
                "rewrote entries and re-signed the checkpoints with the key",
                (
                    INT
                    + "test_audit_tamper.py::test_an_insider_who_re_signs_is_caught_by_the_witness",
                    INT + "test_audit_tamper.py::"
                    "test_each_checkpoint_copies_only_the_entries_not_copied_yet",
                    E2E + "test_cli.py::test_audit_keygen_checkpoint_verify",
                ),
            ),
            Control(
                "On PostgreSQL, `andromede db app-role` gives serve and worker a role that "
                "may only append to the audit log, by grant; the report says when the "
                "application connects as a role that could rewrite it",
                (
                    INT
                    + "test_app_role.py::test_the_application_role_only_appends_to_the_audit_log",
                ),
            ),
        ),
    ),
    Requirement(
        "R16",
        "Time",
        "SNC 12.8",
        (
            Control(
                "serve and worker refuse to start, and health answers 503, when this host's "
                "clock is off the database server's by more than the allowed skew",
                (
                    COMPLIANCE + "test_a_clock_off_the_databases_is_refused",
                    UNIT + "kernel/test_clock_skew.py::test_the_round_trip_is_not_skew",
                ),
            ),
            Control(
                "The log's order never goes back in time, whatever process or thread appends: "
                "an entry takes the log's latest time when its own is earlier, read under the "
                "log's append lock (PostgreSQL: an advisory lock held to the commit; SQLite: "
                "the writer's lock); this report names any entry out of order that got in "
                "otherwise (an older version, a restored backup)",
                (
                    COMPLIANCE + "test_the_log_keeps_time_order_and_the_report_names_any_break",
                    COMPLIANCE + "test_audit_time_never_goes_back_across_processes",
                ),
            ),
            Control(
                "A process's time never goes back: when the host's clock steps back it holds "
                "at the latest instant until the clock catches up, and serve and worker start "
                "from the audit log's latest entry",
                (
                    COMPLIANCE + "test_audit_time_never_goes_back_in_a_process",
                    UNIT + "kernel/test_clock_skew.py::test_the_business_clock_never_goes_back",
                ),
            ),
        ),
    ),
    Requirement(
        "R17",
        "Change notices",
        "SNC 12.2.b-d",
        (
            Control(
                "A maintenance window on a region or a zone (start, end, nature, impact, "
                "contact) reaches every customer with servers or stored data there, and "
                "each of their partners, exactly once in their notification feed",
                (
                    INT + "test_maintenance.py::test_each_affected_customer_and_partner_hears_once",
                    INT + "test_maintenance.py::"
                    "test_bad_windows_and_other_roles_are_refused_and_notify_nobody",
                    UNIT + "compute/test_maintenance.py::test_each_customer_and_each_partner_once",
                    E2E + "test_cli_compliance.py::test_a_maintenance_and_a_vetting_from_the_cli",
                ),
            ),
            Control(
                "Notices are also posted to the webhook a partner or customer registered "
                "(an outbound sink in the EU), each once and in order, signed with the "
                "operator's key, retried while the receiver fails",
                (
                    INT + "test_webhooks.py::"
                    "test_notifications_reach_the_webhook_once_signed_and_retried",
                    INT + "test_webhooks.py::test_a_webhook_is_an_outbound_sink_in_the_eu",
                ),
            ),
            Control(
                "Or mailed to the mailto: address a tenant gave, through the operator's "
                "relay (ANDROMEDE_SMTP_URL, an outbound sink judged at start): the message "
                "as text, the signed notice attached, once, retried while the relay is out",
                (
                    INT + "test_webhooks.py::"
                    "test_notifications_are_mailed_through_the_relay_signed_and_retried",
                    COMPLIANCE + "test_sinks_outside_the_eu_stop_the_service_unless_waived",
                ),
            ),
        ),
    ),
    Requirement(
        "R18",
        "Exposure to non-EU law",
        "SNC 19.6.c-f, 5.3.e",
        (
            Control(
                "A subprocessor registry (country, jurisdiction, data reached, technical "
                "access) that refuses a subprocessor under non-EU law with access to customer "
                "or technical data",
                (
                    LEGAL + "test_the_registry_refuses_non_eu_access_and_feeds_the_offer",
                    UNIT
                    + "sovereignty/test_legal.py::test_no_non_eu_subprocessor_reaches_the_data",
                ),
            ),
            Control(
                "A legal change is announced at least a month ahead to every partner and customer",
                (
                    LEGAL + "test_a_legal_change_reaches_every_partner_and_customer_once",
                    UNIT
                    + "sovereignty/test_legal.py::test_a_legal_change_is_announced_a_month_ahead",
                ),
            ),
            Control(
                "A register of government requests: each is told to the customer, or the "
                "legal bar on telling it is recorded",
                (
                    LEGAL + "test_a_government_request_is_told_to_the_customer_or_barred",
                    UNIT + "sovereignty/test_legal.py::"
                    "test_a_government_request_is_told_or_its_bar_recorded",
                ),
            ),
        ),
    ),
    Requirement(
        "R19",
        "End-of-contract erasure",
        "SNC 19.4",
        (
            Control(
                "Erasure only after the 21-day notice, with a signed certificate; the "
                "customer's stored data goes with it",
                (
                    UNIT + "offboarding/test_lifecycle.py::"
                    "test_erasure_is_allowed_exactly_when_the_21_day_notice_has_ended",
                    INT + "test_offboarding.py::"
                    "test_termination_notice_reinstatement_and_erasure_with_certificate",
                    INT + "test_volumes.py::test_erasing_a_customer_erases_its_stored_data",
                ),
            ),
            Control(
                "Erasure destroys the customer's key-encryption key (crypto-erase): its "
                "volumes' data keys are unreadable, another customer's are not",
                (
                    INT + "test_keys.py::test_keys_per_customer_wrapped_data_keys_and_crypto_erase",
                    INT + "test_keys.py::test_keys_held_in_a_pkcs11_token",
                ),
            ),
            Control(
                "After erasure no row names the customer but those kept by law or as proof "
                "(invoices, usage with its keys stripped of names, metadata and quotas, the "
                "audit log, placement decisions and the policy versions they cite): a scan "
                "of every table checks it; notifications, webhooks and uncited policy "
                "versions are deleted",
                (
                    INT + "test_offboarding.py::"
                    "test_termination_notice_reinstatement_and_erasure_with_certificate",
                ),
            ),
        ),
    ),
    Requirement(
        "R20",
        "Reversibility and portability",
        "SNC 19.1.h-i",
        (
            Control(
                "An export of the customer's whole inventory, holding no secret, with a "
                "link to each volume's contents, downloaded raw",
                (
                    INT + "test_offboarding.py::"
                    "test_the_export_is_the_whole_inventory_and_holds_no_secret",
                    INT + "test_offboarding.py::"
                    "test_an_export_restored_into_a_fresh_customer_gives_the_same_configuration",
                ),
            ),
            Control(
                "An export restored into a fresh customer gives the same configuration "
                "(projects, keypairs, server groups, security groups and rules, networks and "
                "subnets, volumes, residency policies), in one transaction",
                (
                    INT + "test_offboarding.py::"
                    "test_an_export_restored_into_a_fresh_customer_gives_the_same_configuration",
                    E2E + "test_cli.py::test_partner_admin_runs_a_server_through_its_life",
                ),
            ),
        ),
        (
            "an import makes the volumes again blank (their contents are the export's "
            "downloads, written back by the customer), and servers and images are the "
            "customer's to start and upload again",
        ),
    ),
    Requirement(
        "R21",
        "Contract facts exposed",
        "SNC 19.1.b-c, 19.1.n",
        (
            Control(
                "A public machine-readable offer document: sites with their legal entity and "
                "jurisdiction, governing law, remote administration, certifications, "
                "subprocessors",
                (
                    COMPLIANCE + "test_the_offer_document_follows_the_live_catalog",
                    LEGAL + "test_the_registry_refuses_non_eu_access_and_feeds_the_offer",
                ),
            ),
        ),
    ),
    Requirement(
        "R22",
        "French interface and support",
        "SNC 19.3",
        (
            Control(
                "Every string the console shows has a French translation, French by default",
                (
                    UNIT + "console/test_i18n.py::"
                    "test_every_string_the_console_shows_has_a_french_translation",
                    UNIT + "console/test_i18n.py::"
                    "test_french_is_the_default_and_english_the_switch",
                ),
            ),
            Control(
                "Every API problem title exists in French, sent when the client ranks French "
                "first (Accept-Language), before the application too",
                (
                    UNIT
                    + "api/test_problem_language.py::test_no_problem_title_is_missing_in_french",
                    COMPLIANCE + "test_problems_are_titled_in_french_when_asked",
                ),
            ),
            Control(
                "Every message the CLI prints exists in French with the same fields, and every "
                "help text; the CLI speaks French when the user's locale is French, problem "
                "titles included",
                (
                    UNIT + "cli/test_cli_french.py::"
                    "test_every_message_printed_goes_through_the_catalogue",
                    UNIT + "cli/test_cli_french.py::"
                    "test_every_template_has_a_french_entry_with_the_same_fields",
                    UNIT + "cli/test_cli_french.py::test_every_help_text_has_a_french_version",
                    E2E + "test_cli_french.py::"
                    "test_a_french_locale_gets_french_messages_and_problem_titles",
                ),
            ),
            Control(
                "A problem's detail is in French where its facts are known (an object not "
                "found, a quota, a malformed request's fields, the sentences of signing in, "
                "sessions and approvals), on the API and in the console",
                (
                    UNIT + "kernel/test_error_language.py::"
                    "test_every_kind_named_not_found_has_its_french_word",
                    UNIT + "kernel/test_error_language.py::"
                    "test_real_validation_errors_are_told_in_french",
                    COMPLIANCE + "test_problems_are_explained_in_french_where_the_facts_are_known",
                    INT + "test_console.py::"
                    "test_a_wrong_password_shows_the_form_again_with_the_reason",
                ),
            ),
        ),
        (
            "the other details business rules write (a conflict's, a state's, a rule's own "
            "sentence) are in English, and so are the few words the CLI's parser library "
            "prints itself (Usage:, --help's line)",
        ),
    ),
)
