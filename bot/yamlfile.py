"""Read curated YAML files and check their shape: file, entry, line and problem; reads files.

The loader is PyYAML's safe loader with two changes: a key given twice in one mapping is an error
(PyYAML keeps the last one silently, so an edited copy of an entry would hide the original), and
every mapping remembers the line it starts on and the line of each key, so that a problem found
later (a missing field, a wrong type) can still say where it is.
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable, Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from bot.errors import KnowledgeError


class Located(dict[Any, Any]):
    """A YAML mapping that knows its line and the line of each of its keys (1-based)."""

    line: int | None = None
    key_lines: dict[Any, int]


# libyaml's parser where it is installed (the wheels ship it): a third of the start-up time
# went into parsing intents/ in Python. Both build plain data only.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):  # type: ignore[valid-type,misc]
    """The safe loader, refusing duplicate keys and recording lines."""

    def construct_located(self, node: yaml.MappingNode) -> Iterator[Located]:
        data = Located()
        data.line = node.start_mark.line + 1
        data.key_lines = {}
        yield data
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark, "a key must be a plain value",
                    key_node.start_mark)
            if key in data:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    f"duplicate key '{key}' (first on line {data.key_lines[key]})",
                    key_node.start_mark)
            data[key] = self.construct_object(value_node, deep=True)
            data.key_lines[key] = key_node.start_mark.line + 1


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_located)


def read_yaml(path: Path) -> Any:
    """Return the parsed YAML of path, or raise a KnowledgeError that names the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError(str(path), None, f"cannot read the file ({exc})") from exc
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader: builds plain data only
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
        raise KnowledgeError(str(path), line, f"YAML error: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError(str(path), None, f"YAML error: {exc}") from exc


class Fields:
    """Typed access to one YAML mapping that reports problems with file and entry."""

    def __init__(self, data: Any, file: str, entry: str) -> None:
        if not isinstance(data, dict):
            raise KnowledgeError(file, entry, f"expected a mapping, got {type(data).__name__}")
        self.data: dict[str, Any] = data
        self.file = file
        self.entry = entry
        self.line = data.line if isinstance(data, Located) else None

    def error(self, problem: str, key: str | None = None) -> KnowledgeError:
        """Return an error located at this entry (at the key's line, if one is given)."""
        lines = self.data.key_lines if isinstance(self.data, Located) else {}
        return KnowledgeError(self.file, self.entry, problem, lines.get(key, self.line))

    def only(self, required: Iterable[str], optional: Iterable[str] = ()) -> None:
        """Fail on a missing required key or a key that is neither required nor optional."""
        required, optional = tuple(required), tuple(optional)
        missing = [k for k in required if k not in self.data]
        if missing:
            raise self.error(f"missing field(s): {', '.join(missing)}")
        unknown = [str(k) for k in self.data if k not in required and k not in optional]
        if unknown:
            allowed = ", ".join(required + optional)
            raise self.error(f"unknown field(s): {', '.join(unknown)} (allowed: {allowed})",
                             unknown[0])

    def text(self, key: str, default: str | None = None) -> str:
        """Return a non-empty string field."""
        value: object = self.data.get(key, default)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, datetime.date):  # YAML turns 2026-11-27 into a date
            value = value.isoformat()
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"field '{key}' must be a non-empty string", key)
        return value.strip()

    def optional_text(self, key: str) -> str | None:
        """Return a string field, or None when it is absent."""
        return self.text(key) if self.data.get(key) is not None else None

    def texts(self, key: str, *, allow_empty: bool = False) -> tuple[str, ...]:
        """Return a list-of-strings field as a tuple."""
        value = self.data.get(key, [])
        if isinstance(value, list) and any(isinstance(v, bool) for v in value):
            raise self.error(f"field '{key}' has yes/no/on/off unquoted, which YAML reads as "
                             "true/false: put them in quotes", key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(f"field '{key}' must be a list of non-empty strings", key)
        if not value and not allow_empty:
            raise self.error(f"field '{key}' must not be empty", key)
        return tuple(v.strip() for v in value)

    def items(self, key: str) -> list[Any]:
        """Return a list field."""
        value = self.data.get(key)
        if not isinstance(value, list) or not value:
            raise self.error(f"field '{key}' must be a non-empty list", key)
        return value

    def mapping(self, key: str) -> dict[str, Any]:
        """Return a mapping field."""
        value = self.data.get(key)
        if not isinstance(value, dict) or not value:
            raise self.error(f"field '{key}' must be a non-empty mapping", key)
        return value
