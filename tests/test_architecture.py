"""The layout tells the architecture: a pure core, and only bot/telegram/ imports telegram."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
SHELL = BOT / "telegram"


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add(node.module or "")
    return found


def imports_telegram(path: Path) -> bool:
    return any(n == "telegram" or n.startswith("telegram.") for n in imports(path))


def modules() -> list[Path]:
    return sorted(BOT.rglob("*.py"))


def test_only_the_telegram_package_imports_telegram() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in modules()
                 if imports_telegram(p) and SHELL not in p.parents]
    assert offenders == []


def test_the_core_never_imports_the_telegram_package() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in modules() if SHELL not in p.parents
                 and any(n.startswith("bot.telegram") for n in imports(p))
                 and p.name != "cli.py"]
    assert offenders == []


def test_every_module_has_a_docstring() -> None:
    missing = [str(p.relative_to(ROOT)) for p in modules()
               if ast.get_docstring(ast.parse(p.read_text())) is None]
    assert missing == []


def test_tests_cannot_reach_the_network() -> None:
    import socket

    from conftest import NetworkForbidden

    try:
        socket.create_connection(("api.telegram.org", 443), timeout=1)
    except NetworkForbidden:
        return
    raise AssertionError("a test reached past loopback")
