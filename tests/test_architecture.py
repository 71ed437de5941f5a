"""The engine and the FAQ are pure logic: no HTTP, no platforms, no databases, no clock."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE_PACKAGES = ("flows", "faq")
FORBIDDEN_MODULES = {
    "fastapi", "starlette", "httpx", "requests", "aiohttp", "urllib", "http", "socket",
    "telegram", "uvicorn", "sqlite3", "aiosqlite", "redis", "asyncpg", "psycopg",
    "sqlalchemy", "subprocess", "bot", "time", "asyncio", "threading",
}  # fmt: skip
FORBIDDEN_CALLS = {("os", "environ"), ("os", "getenv"), ("datetime", "now"), ("date", "today")}


def pure_sources() -> list[Path]:
    return sorted(p for pkg in PURE_PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def imported_modules(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def attribute_uses(tree: ast.AST) -> set[tuple[str, str]]:
    return {
        (node.value.id, node.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
    }


@pytest.mark.parametrize("path", pure_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_packages_do_no_io(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not imported_modules(tree) & FORBIDDEN_MODULES
    assert not attribute_uses(tree) & FORBIDDEN_CALLS


def test_the_check_sees_the_packages() -> None:
    names = {p.name for p in pure_sources()}
    assert {"router.py", "faq.py", "handoff.py", "matcher.py", "loader.py"} <= names
