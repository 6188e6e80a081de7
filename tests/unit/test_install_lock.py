"""The lock that `make` and CI install from pins, with hashes, every dependency that
pyproject.toml names: a fresh clone next year installs what was tested today."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _name(requirement: str) -> str:
    return re.split(r"[<>=\[; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_declared_dependency_is_pinned_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    declared = {_name(r) for r in wanted}
    lock = (ROOT / "requirements.lock").read_text()
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", lock, flags=re.M))
    pinned = {n.lower().replace("_", "-") for n in pins}
    assert declared <= pinned, declared - pinned
    blocks = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", lock.split("\n\n", 1)[-1])
    assert all("--hash=sha256:" in b for b in blocks if "==" in b)


def test_the_makefile_installs_from_the_lock_only() -> None:
    makefile = (ROOT / "Makefile").read_text()
    # --no-deps: nothing is resolved, so a dependency's extra (weasyprint's
    # fonttools[woff]) cannot pull the index's newest release past the lock's pin
    assert "--require-hashes --no-deps -r requirements.lock" in makefile
    assert "--no-deps -e ." in makefile
    assert "pip check" in makefile  # the lock is then proved a whole, consistent closure
