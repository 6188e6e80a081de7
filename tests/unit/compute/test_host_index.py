"""The ordered host index answers exactly what the pure placement answers over the same
snapshot, decision after decision, claims and releases included."""

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from andromede.compute.host_index import HostIndex
from andromede.compute.placement import HostState, NoFit, Placement, PlacementRequest, place
from tests.unit.compute.test_placement import host

fleet = st.lists(
    st.builds(
        lambda n, v, r, uv, ur, region, z, en, ssd: host(
            n,
            name=f"host-{n % 7}",  # equal names: ties fall to the id
            vcpus=v,
            ram_mib=r,
            used_vcpus=min(uv, v),
            used_ram_mib=min(ur, r),
            region=region,
            zone=f"{region}{z}",
            enabled=en,
            traits=frozenset({"ssd"}) if ssd else frozenset(),
        ),
        st.integers(0, 999),
        st.integers(1, 16),
        st.sampled_from([2048, 4096, 8192]),  # few sizes: many equal weights
        st.integers(0, 16),
        st.sampled_from([0, 1024, 2048]),
        st.sampled_from(["r1", "r2"]),
        st.sampled_from("ab"),
        st.booleans(),
        st.booleans(),
    ),
    max_size=40,
    unique_by=lambda h: h.id,
)
asks = st.builds(
    PlacementRequest,
    st.integers(1, 4),
    st.sampled_from([512, 1024, 2048]),
    st.integers(0, 10),
    region=st.sampled_from(["r1", "r2", None]),
    zones=st.sampled_from([None, frozenset({"r1a", "r2a"})]),
    required_traits=st.sampled_from([frozenset(), frozenset({"ssd"})]),
    weigher=st.sampled_from(["spread", "pack"]),
    subset_size=st.sampled_from([1, 2, 4]),
    seed=st.integers(0, 2**16),
)


@settings(max_examples=300)
@given(fleet, st.lists(st.tuples(asks, st.booleans()), min_size=1, max_size=60))
def test_the_index_decides_as_the_pure_placement(
    hosts: list[HostState], steps: list[tuple[PlacementRequest, bool]]
) -> None:
    index = HostIndex(hosts)
    state = {h.id: h for h in hosts}
    placed: list[tuple[str, PlacementRequest]] = []
    for request, release in steps:
        if release and placed:  # a server deleted: its host gets the room back
            host_id, old = placed.pop(0)
            index.claim(host_id, -old.vcpus, -old.ram_mib, -old.disk_gib)
            state[host_id] = used(state[host_id], -old.vcpus, -old.ram_mib, -old.disk_gib)
        expected = place(list(state.values()), request)
        assert index.place(request) == expected
        if isinstance(expected, Placement):
            index.claim(expected.host_id, request.vcpus, request.ram_mib, request.disk_gib)
            state[expected.host_id] = used(
                state[expected.host_id], request.vcpus, request.ram_mib, request.disk_gib
            )
            placed.append((expected.host_id, request))
    assert [index.host(i) for i in state] == list(state.values())


def used(h: HostState, vcpus: int, ram_mib: int, disk_gib: int) -> HostState:
    return replace(
        h,
        used_vcpus=h.used_vcpus + vcpus,
        used_ram_mib=h.used_ram_mib + ram_mib,
        used_disk_gib=h.used_disk_gib + disk_gib,
    )


def test_a_full_region_says_what_each_filter_removed() -> None:
    hosts = [host(0, region="r1", used_vcpus=8), host(1, region="r2")]
    refused = HostIndex(hosts).place(PlacementRequest(1, 512, 0, region="r1"))
    assert isinstance(refused, NoFit)
    assert refused.reasons == {
        "region": "1 of 2 hosts not in region r1",
        "vcpu": "1 of 1 hosts fewer than 1 free vCPUs",
    }
    assert HostIndex([]).place(PlacementRequest(1, 512, 0, region="r1")) == NoFit(
        {"hosts": "no hosts known"}
    )
