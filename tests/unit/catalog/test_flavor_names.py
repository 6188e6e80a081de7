from decimal import Decimal

import pytest

from andromede.catalog.flavor_names import (
    STANDARD_FLAVORS,
    catalog_entry,
    family_of,
    parse_scs_name,
)

MANDATORY = {  # scs-0103 v1: name -> (vcpus, RAM GiB, disk GB)
    "SCS-1V-4": (1, 4, 0),
    "SCS-2V-8": (2, 8, 0),
    "SCS-4V-16": (4, 16, 0),
    "SCS-8V-32": (8, 32, 0),
    "SCS-1V-2": (1, 2, 0),
    "SCS-2V-4": (2, 4, 0),
    "SCS-4V-8": (4, 8, 0),
    "SCS-8V-16": (8, 16, 0),
    "SCS-16V-32": (16, 32, 0),
    "SCS-1V-8": (1, 8, 0),
    "SCS-2V-16": (2, 16, 0),
    "SCS-4V-32": (4, 32, 0),
    "SCS-1L-1": (1, 1, 0),
    "SCS-2V-4-20s": (2, 4, 20),
    "SCS-4V-16-100s": (4, 16, 100),
}


@pytest.mark.parametrize(("name", "expected"), MANDATORY.items())
def test_mandatory_flavors_deliver_exactly_what_they_promise(
    name: str, expected: tuple[int, int, int]
) -> None:
    entry = catalog_entry(name)
    assert (entry["vcpus"], entry["ram_mib"], entry["disk_gib"]) == (
        expected[0],
        expected[1] * 1024,
        expected[2],
    )
    specs = entry["extra_specs"]
    assert isinstance(specs, dict)
    assert specs["scs:name-v2"] == name
    assert specs["scs:cpu-type"] == ("crowded-core" if "L" in name.split("-")[1] else "shared-core")
    assert ("scs:disk0-type" in specs) == bool(expected[2])


def test_demo_catalog_contains_every_mandatory_flavor() -> None:
    assert set(MANDATORY) <= set(STANDARD_FLAVORS)


def test_name_v1_replaces_every_dash_after_the_first() -> None:
    specs = catalog_entry("SCS-2V-4-20s")["extra_specs"]
    assert isinstance(specs, dict) and specs["scs:name-v1"] == "SCS-2V:4:20s"


def test_parse_handles_fractional_ram_and_disk_types() -> None:
    parsed = parse_scs_name("SCS-1L-1.5u-10n")
    assert parsed.ram_gib == Decimal("1.5") and parsed.disk_type == "network"
    assert parsed.ram_mib == 1536


@pytest.mark.parametrize("bad", ["SCS-", "SCS-0V-4", "SCS-2X-4", "SCS-2V", "SCS-2V-4-20q"])
def test_bad_scs_names_do_not_parse(bad: str) -> None:
    with pytest.raises(ValueError, match="not a valid SCS flavor name"):
        parse_scs_name(bad)


def test_families_group_by_cpu_type_and_ram_per_vcpu() -> None:
    assert family_of("shared-core", 2, 4096) == family_of("shared-core", 16, 32768)
    assert family_of("shared-core", 2, 4096) == "shared-core-1:2"
    assert family_of("shared-core", 4, 16384) == "shared-core-1:4"
    assert family_of("shared-core", 1, 8192) == "shared-core-1:8"
    assert catalog_entry("SCS-16V-64")["size_units"] == 16
