"""The decoy hash an unknown name is checked against: made once, on first use, and never
the hash of anything someone could type."""

import threading

from andromede.tenancy.passwords import Passwords


class Counting(Passwords):
    """The real hasher, counting the hashes it makes."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_kib=1024)
        self.hashes = 0

    def hash(self, password: str) -> str:
        self.hashes += 1
        return super().hash(password)


def test_the_decoy_is_made_on_first_use_and_once() -> None:
    passwords = Counting()
    assert passwords.hashes == 0  # building costs no hash: commands start without one
    decoy = passwords.decoy()
    assert passwords.decoy() == decoy and passwords.hashes == 1
    assert not passwords.verify(decoy, "") and not passwords.verify(decoy, "decoy:")


def test_threads_asking_at_once_share_one_decoy() -> None:
    passwords = Counting()
    start = threading.Barrier(8)
    seen: list[str] = []

    def ask() -> None:
        start.wait()
        seen.append(passwords.decoy())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert passwords.hashes == 1 and len(set(seen)) == 1 and len(seen) == 8
