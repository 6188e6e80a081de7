"""Impersonation is impossible by construction: a token is minted in one place, after
that user's own password (and code) were checked, or the secret of an application
credential the user made for itself, and only the sign-in routes reach it (the API's,
Keystone's, the console's, and the console's signup, which signs the new admin in with
the password it has just chosen). A route added later that mints tokens otherwise fails
this test."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "andromede"


def _calls(name: str) -> set[tuple[str, str]]:
    """(module, enclosing function) of every call to ``name`` (a function or a method)."""
    found: set[tuple[str, str]] = set()
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    callee = node.func
                    called = (
                        callee.attr
                        if isinstance(callee, ast.Attribute)
                        else getattr(callee, "id", None)
                    )
                    if called == name:
                        found.add((str(path.relative_to(SRC)), function.name))
    return found


def test_tokens_are_minted_only_after_the_users_own_credentials() -> None:
    assert _calls("new_token") == {("tenancy/login_service.py", "mint")}
    assert _calls("mint") == {
        ("tenancy/login_service.py", "issue_token"),
        ("tenancy/app_credentials.py", "sign_in"),
    }
    assert {module for module, _ in _calls("sign_in")} == {"api/openstack/identity.py"}
    assert {module for module, _ in _calls("issue_token")} == {
        "api/v1/accounts.py",
        "api/openstack/identity.py",
        "console/auth_pages.py",
        "console/signup_pages.py",
    }


def test_issue_token_checks_the_password_before_minting() -> None:
    source = (SRC / "tenancy" / "login_service.py").read_text(encoding="utf-8")
    body = source[source.index("def issue_token") : source.index("def _second_factor")]
    assert body.index("self.passwords.verify(user.password_hash") < body.index("self.mint(")
    assert body.index("self._second_factor(user, otp)") < body.index("self.mint(")


def test_an_application_credential_checks_its_secret_before_minting() -> None:
    source = (SRC / "tenancy" / "app_credentials.py").read_text(encoding="utf-8")
    body = source[source.index("def sign_in") :]
    minted = body.index("self.login.mint(")
    assert body.index("self.passwords.verify(row.secret_hash, secret)") < minted
    assert body.index("row.expires_at <= self.clock.now()") < minted
