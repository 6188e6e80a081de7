"""Errors told in French from their facts: every kind the code names as not found has its
French word, every fixed sentence is one the code still says, and the validator's error
types listed are real ones, filled from their real context."""

import ast
import typing
from pathlib import Path

import pydantic_core
import pytest
from pydantic import BaseModel, Field, ValidationError

from andromede.kernel.error_language import (
    FIXED,
    KINDS,
    VALIDATION,
    detail_in,
    validation_message,
)
from andromede.kernel.errors import Conflict, LoginFailed, NotFound, QuotaExceeded

SPELT_ALIKE = {"API", "image", "port", "volume", "document", "maintenance", "supervision"}
SPELT_ALIKE |= {"webhook", "zone"}
SOURCE = Path(__file__).resolve().parents[3] / "src" / "andromede"


def _literals(name: str) -> set[str]:
    """The literal first arguments of every call to ``name`` in the source."""
    found = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = getattr(node, "func", None)
            called = getattr(func, "id", None) or getattr(func, "attr", None)
            if isinstance(node, ast.Call) and called == name and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.add(first.value)
    return found


def test_every_kind_named_not_found_has_its_french_word() -> None:
    named = _literals("NotFound")
    assert len(named) > 30
    assert sorted(named - set(KINDS)) == []
    assert {k for k, v in KINDS.items() if k == v} == SPELT_ALIKE


def test_every_fixed_sentence_is_one_the_code_says() -> None:
    said = set().union(*(_literals(n) for n in ("Unauthorized", "Forbidden", "MfaRequired")))
    said |= {LoginFailed("x").detail}
    assert sorted(set(FIXED) - said) == []


def test_the_validation_types_listed_are_the_validators() -> None:
    real = set(typing.get_args(pydantic_core.core_schema.ErrorType))
    assert sorted(set(VALIDATION) - real) == []


class Sample(BaseModel):
    name: str = Field(min_length=3, max_length=5)
    count: int = Field(gt=0, le=10)
    kind: typing.Literal["a", "b"]
    when: str


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"name": "ab", "count": 1, "kind": "a"}, {"name": "au moins 3 caractère(s)",
                                                   "when": "champ requis"}),
        ({"name": "abcdef", "count": 11, "kind": "c", "when": "x"},
         {"name": "au plus 5 caractères", "count": "doit être inférieur ou égal à 10",
          "kind": "doit valoir 'a' or 'b'"}),
        ({"name": "abc", "count": "x", "kind": "a", "when": 3},
         {"count": "doit être un entier", "when": "doit être une chaîne de caractères"}),
    ],
)  # fmt: skip
def test_real_validation_errors_are_told_in_french(
    data: dict[str, object], expected: dict[str, str]
) -> None:
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate(data)
    told = {
        str(e["loc"][0]): validation_message(e["type"], e["msg"], e.get("ctx"), "fr")
        for e in caught.value.errors()
    }
    assert told == expected
    english = {
        validation_message(e["type"], e["msg"], e.get("ctx"), "en") for e in caught.value.errors()
    }
    assert english == {e["msg"] for e in caught.value.errors()}


def test_details_in_french_from_their_facts() -> None:
    assert detail_in(NotFound("server", "web"), "fr") == "serveur 'web' introuvable"
    assert detail_in(NotFound("galaxy", "x"), "fr") == "« galaxy » 'x' introuvable"
    assert detail_in(NotFound("server", "web"), "en") == "server 'web' not found"
    quota = QuotaExceeded("instances", 10, 9, 2)
    assert detail_in(quota, "fr") == ("quota 'instances' dépassé : limite 10, utilisé 9, demandé 2")
    assert detail_in(LoginFailed("x"), "fr") == "identifiant ou mot de passe invalide"
    assert detail_in(Conflict("a rule's own words"), "fr") == "a rule's own words"
    assert validation_message("value_error", "Value error, bad", None, "fr") == "Value error, bad"
