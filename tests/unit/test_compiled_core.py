"""The pure core's hottest modules run compiled (``make compiled``, which ``make test``
runs first): the month close's speed depends on it, and nothing else would say that the
build stopped compiling them. And a compiled module older than its source stops the run."""

import importlib
import os
import re
import time
from pathlib import Path

from tests.conftest import stale_compiled

ROOT = Path(__file__).resolve().parents[2]


def compiled_modules() -> list[str]:
    """The modules the Makefile's ``COMPILED`` names."""
    text = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    listed = re.search(r"^COMPILED := (.+)$", text, re.MULTILINE)
    assert listed is not None
    paths = listed.group(1).split()
    return [p.removeprefix("src/").removesuffix(".py").replace("/", ".") for p in paths]


def test_the_modules_the_makefile_compiles_are_imported_compiled() -> None:
    names = compiled_modules()
    assert "andromede.billing.summed_usage" in names
    for name in names:
        module = importlib.import_module(name)
        assert module.__file__ is not None and module.__file__.endswith(".so"), name


def test_a_source_changed_after_its_compilation_is_found(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    source, built = package / "sub/hot.py", package / "sub/hot.cpython-311-x86_64-linux-gnu.so"
    source.write_text("x = 1\n")
    built.write_bytes(b"")
    (package / "sub/cold.py").write_text("y = 2\n")  # no extension: runs as it is
    now = time.time()
    os.utime(source, (now - 60, now - 60))
    assert stale_compiled(package) == []
    os.utime(source, (now, now))
    assert stale_compiled(package) == ["pkg/sub/hot.py"]
