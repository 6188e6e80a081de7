"""Each audit action is written once, in ``audit/actions.py``: services record members of
``AuditAction`` and entry points name the same members, so a rename cannot leave the log
and the refusals speaking of two different actions."""

import ast
from pathlib import Path

from andromede.audit.actions import AuditAction

SRC = Path(__file__).resolve().parents[3] / "src" / "andromede"
DECLARED = {a.value for a in AuditAction}
# calls that name an action, and where a positional action sits
KEYWORD_CALLS = {"run", "run_anonymous", "run_login", "record", "_audit_failure", "audit"}
POSITIONAL = {"audit": 2, "manage": 2, "_audit_failure": 3}


def _action_arguments(tree: ast.AST) -> list[ast.expr]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        found += [k.value for k in node.keywords if k.arg == "action" and name in KEYWORD_CALLS]
        if name in POSITIONAL and len(node.args) > POSITIONAL[name]:
            found.append(node.args[POSITIONAL[name]])
    return found


def _modules() -> list[tuple[Path, ast.AST]]:
    return [(p, ast.parse(p.read_text())) for p in sorted(SRC.rglob("*.py"))]


def test_no_action_is_named_by_a_string_where_it_is_recorded_or_refused() -> None:
    written = [
        f"{path.relative_to(SRC)}:{arg.lineno} {ast.unparse(arg)}"
        for path, tree in _modules()
        for arg in _action_arguments(tree)
        if isinstance(arg, ast.Constant | ast.JoinedStr)
    ]
    assert written == []


def test_no_declared_action_name_is_spelled_out_elsewhere() -> None:
    spelled = [
        f"{path.relative_to(SRC)}:{node.lineno} {node.value}"
        for path, tree in _modules()
        if path.name != "actions.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and node.value in DECLARED and "." in node.value
    ]
    assert spelled == []


def test_the_scan_sees_the_call_sites() -> None:
    """The scan is not vacuous: it finds the actions the services record."""
    arguments = [arg for _, tree in _modules() for arg in _action_arguments(tree)]
    assert len(arguments) > 60
    assert all(isinstance(a, ast.Attribute | ast.Name | ast.Call | ast.BoolOp) for a in arguments)
