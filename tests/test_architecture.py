"""The core stays pure: only the Telegram adapter imports telegram."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADAPTER_PREFIX = "telegram_"


def imports_telegram(path: Path) -> bool:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        if any(n == "telegram" or n.startswith("telegram.") for n in names):
            return True
    return False


def test_only_the_adapter_imports_telegram() -> None:
    offenders = [p.name for p in sorted((ROOT / "bot").glob("*.py"))
                 if imports_telegram(p) and not p.name.startswith(ADAPTER_PREFIX)]
    assert offenders == []


def test_every_module_has_a_docstring() -> None:
    missing = [p.name for p in sorted((ROOT / "bot").glob("*.py"))
               if ast.get_docstring(ast.parse(p.read_text())) is None]
    assert missing == []
