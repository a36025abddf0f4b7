"""The OData `$filter` subset Graph callers use, evaluated against plain dicts.

Supports eq/ne/gt/ge/lt/le, and/or/not, parentheses, `in (...)`, startswith/endswith/contains,
and lambda `any(x: ...)` (the NDR filter on singleValueExtendedProperties). The parsed filter
reports the operators and properties it used so each resource can apply Graph's rules
(e.g. `ne` and `endswith` on users need `ConsistencyLevel: eventual`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Callable

TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<datetime>\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2})?)"
    r"|(?P<number>-?\d+(?:\.\d+)?)|(?P<name>[A-Za-z_@$][\w./@$-]*)|(?P<punct>[(),:]))"
)
COMPARISONS = {"eq", "ne", "gt", "ge", "lt", "le"}
FUNCTIONS = {"startswith", "endswith", "contains"}


class FilterError(ValueError):
    pass


@dataclass
class Filter:
    evaluate: Callable[[dict[str, Any]], bool]
    operators: set[str] = field(default_factory=set)
    properties: set[str] = field(default_factory=set)


Node = Callable[[dict[str, Any], dict[str, Any]], Any]


def parse_filter(text: str) -> Filter:
    parser = _Parser(_tokenize(text))
    node = parser.expression()
    if parser.peek() is not None:
        raise FilterError(f"Syntax error at '{parser.peek()[1]}' in filter '{text}'.")
    return Filter(lambda item: bool(node(item, {})), parser.operators, parser.properties)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = TOKEN.match(text, position)
        if not match:
            raise FilterError(
                f"Syntax error: character '{text[position:].strip()[0]}' is not valid in filter '{text}'."
            )
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _literal(kind: str, value: str) -> Any:
    if kind == "string":
        return value[1:-1].replace("''", "'")
    if kind == "datetime":
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if kind == "number":
        return float(value) if "." in value else int(value)
    return {"true": True, "false": False, "null": None}[value]


def _as_datetime(text: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(re.sub(r"\.(\d{6})\d+", r".\1", text.replace("Z", "+00:00")))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    if isinstance(right, dt.datetime) and isinstance(left, str):
        left = _as_datetime(left)
    if isinstance(left, str) and isinstance(right, str):
        return left.lower(), right.lower()
    return left, right


def _compare(operator: str, left: Any, right: Any) -> bool:
    left, right = _comparable(left, right)
    if operator == "eq":
        return left == right
    if operator == "ne":
        return left != right
    if left is None or right is None:
        return False
    return {"gt": left > right, "ge": left >= right, "lt": left < right, "le": left <= right}[operator]


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.position = 0
        self.operators: set[str] = set()
        self.properties: set[str] = set()
        self.variables: list[str] = []

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None or (expected is not None and token[1].lower() != expected):
            raise FilterError(f"Syntax error: expected '{expected}' in filter.")
        self.position += 1
        return token

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "name" and token[1].lower() in words

    def expression(self) -> Node:
        left = self.conjunction()
        while self.at_word("or"):
            self.take()
            right, first = self.conjunction(), left
            left = lambda item, scope, a=first, b=right: a(item, scope) or b(item, scope)  # noqa: E731
        return left

    def conjunction(self) -> Node:
        left = self.negation()
        while self.at_word("and"):
            self.take()
            right, first = self.negation(), left
            left = lambda item, scope, a=first, b=right: a(item, scope) and b(item, scope)  # noqa: E731
        return left

    def negation(self) -> Node:
        if self.at_word("not"):
            self.take()
            self.operators.add("not")
            inner = self.negation()
            return lambda item, scope: not inner(item, scope)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.primary()
        if self.at_word(*COMPARISONS):
            operator = self.take()[1].lower()
            self.operators.add(operator)
            right = self.primary()
            return lambda item, scope: _compare(operator, left(item, scope), right(item, scope))
        if self.at_word("in"):
            self.take()
            self.operators.add("in")
            self.take("(")
            values = [self.primary()]
            while self.peek() == ("punct", ","):
                self.take()
                values.append(self.primary())
            self.take(")")
            return lambda item, scope: any(_compare("eq", left(item, scope), v(item, scope)) for v in values)
        return left

    def primary(self) -> Node:
        kind, value = self.take()
        if (kind, value) == ("punct", "("):
            inner = self.expression()
            self.take(")")
            return inner
        if kind != "name" or value.lower() in {"true", "false", "null"}:
            constant = _literal(kind, value)
            return lambda item, scope: constant
        if value.lower() in FUNCTIONS and self.peek() == ("punct", "("):
            return self.function(value.lower())
        if value.lower().endswith("/any") and self.peek() == ("punct", "("):
            return self.lambda_any(value[: -len("/any")])
        return self.path(value)

    def function(self, name: str) -> Node:
        self.operators.add(name)
        self.take("(")
        subject = self.primary()
        self.take(",")
        argument = self.primary()
        self.take(")")

        def call(item: dict[str, Any], scope: dict[str, Any]) -> bool:
            text, part = subject(item, scope), argument(item, scope)
            if not isinstance(text, str) or not isinstance(part, str):
                return False
            text, part = text.lower(), part.lower()
            return {"startswith": text.startswith, "endswith": text.endswith, "contains": text.__contains__}[
                name
            ](part)

        return call

    def lambda_any(self, collection: str) -> Node:
        self.operators.add("any")
        self.properties.add(collection.split("/")[0])
        self.take("(")
        variable = self.take()[1]
        self.take(":")
        self.variables.append(variable)
        body = self.expression()
        self.variables.pop()
        self.take(")")

        def any_of(item: dict[str, Any], scope: dict[str, Any]) -> bool:
            values = _resolve(item, collection) or []
            return any(body(item, {**scope, variable: value}) for value in values)

        return any_of

    def path(self, name: str) -> Node:
        head = name.split("/")[0]
        if head in self.variables:
            rest = name[len(head) + 1 :]
            return lambda item, scope: _resolve(scope[head], rest) if rest else scope[head]
        self.properties.add(head)
        return lambda item, scope: _resolve(item, name)


def _resolve(value: Any, path: str) -> Any:
    for part in path.split("/"):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value
