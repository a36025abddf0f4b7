"""Microsoft's Graph v1.0 schema (CSDL) and what a request or an answer must respect to match it.

`GraphSchema.load(path)` reads the CSDL once. `check_exchange()` resolves a `/v1.0` path to
entity sets, navigation properties, casts (`microsoft.graph.room`) and bound functions/actions
(`delta()`, `getSchedule`), and checks a JSON body's property names, value types and enum
members against the types the path resolves to. Action parameters and enum members are
case-insensitive, as Graph reads them; property names are not. Open types (`event`, `message`)
are checked as closed, since Outlook refuses names it does not know (see the CSDL's README).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
KEY_CALL = re.compile(r"^([\w.]+)\((.*)\)$")  # users('id'), delta(), microsoft.graph.delta()
NUMBER_TYPES = {"Edm.Double", "Edm.Single", "Edm.Decimal"}
INTEGER_TYPES = {"Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Byte", "Edm.SByte"}
TEXT_TYPES = {
    "Edm.String",
    "Edm.Guid",
    "Edm.Date",
    "Edm.TimeOfDay",
    "Edm.Duration",
    "Edm.Binary",
    "Edm.Stream",
}
SKIPPED_SEGMENTS = {"$value", "$ref", "$count"}
# Open in practice: a SharePoint list item's `fields` are the list's own columns. Every other open
# type (user, event, message...) is checked as closed, as Graph refuses names it does not know.
OPEN_TYPES = {"microsoft.graph.fieldValueSet"}


@dataclass
class StructuredType:
    name: str
    base: str | None
    properties: dict[str, str] = field(default_factory=dict)
    navigation: dict[str, str] = field(default_factory=dict)
    is_entity: bool = True


@dataclass
class Operation:
    name: str
    binding: str  # the binding parameter's type, e.g. Collection(microsoft.graph.user)
    parameters: dict[str, str]  # lower-cased name -> type
    returns: str | None
    is_action: bool


@dataclass(frozen=True)
class Resolved:
    """Where a path lands: `type_name` is a qualified name or Collection(...); None: not typed."""

    type_name: str | None
    operation: Operation | None = None


class SchemaMismatch(Exception):
    pass


def element_type(type_name: str) -> tuple[str, bool]:
    if type_name.startswith("Collection("):
        return type_name[len("Collection(") : -1], True
    return type_name, False


class GraphSchema:
    def __init__(self) -> None:
        self.types: dict[str, StructuredType] = {}
        self.enums: dict[str, set[str]] = {}
        self.operations: dict[str, list[Operation]] = {}
        self.roots: dict[str, str] = {}  # entity sets and singletons -> type

    @classmethod
    def load(cls, path: Path) -> GraphSchema:
        schema = cls()
        for element in ET.parse(path).getroot().iter(f"{EDM}Schema"):
            schema._read_schema(element)
        return schema

    def _read_schema(self, element: ET.Element) -> None:
        namespace, alias = element.get("Namespace", ""), element.get("Alias")

        def qualified(name: str) -> str:
            inner, many = element_type(name)
            if alias and inner.startswith(alias + "."):
                inner = namespace + inner[len(alias) :]
            elif inner.startswith("graph."):
                inner = "microsoft.graph" + inner[len("graph") :]
            return f"Collection({inner})" if many else inner

        for kind in ("EntityType", "ComplexType"):
            for node in element.iter(f"{EDM}{kind}"):
                structured = StructuredType(
                    f"{namespace}.{node.get('Name')}",
                    qualified(node.get("BaseType")) if node.get("BaseType") else None,
                    is_entity=kind == "EntityType",
                )
                for prop in node.iter(f"{EDM}Property"):
                    structured.properties[prop.get("Name", "")] = qualified(prop.get("Type", ""))
                for nav in node.iter(f"{EDM}NavigationProperty"):
                    structured.navigation[nav.get("Name", "")] = qualified(nav.get("Type", ""))
                self.types[structured.name] = structured
        for node in element.iter(f"{EDM}EnumType"):
            self.enums[f"{namespace}.{node.get('Name')}"] = {
                (m.get("Name") or "").lower() for m in node.iter(f"{EDM}Member")
            }
        for kind in ("Function", "Action"):
            for node in element.iter(f"{EDM}{kind}"):
                if node.get("IsBound") != "true":
                    continue
                params = [(p.get("Name", ""), qualified(p.get("Type", ""))) for p in node.iter(f"{EDM}Parameter")]
                returns = node.find(f"{EDM}ReturnType")
                operation = Operation(
                    node.get("Name", ""),
                    params[0][1],
                    {name.lower(): type_name for name, type_name in params[1:]},
                    qualified(returns.get("Type", "")) if returns is not None else None,
                    kind == "Action",
                )
                self.operations.setdefault(operation.name.lower(), []).append(operation)
        for container in element.iter(f"{EDM}EntityContainer"):
            for node in container:
                if node.tag in (f"{EDM}EntitySet", f"{EDM}Singleton"):
                    type_name = qualified(node.get("EntityType") or node.get("Type") or "")
                    many = node.tag == f"{EDM}EntitySet"
                    self.roots[node.get("Name", "")] = f"Collection({type_name})" if many else type_name

    # --- types --------------------------------------------------------------------------------

    def lineage(self, type_name: str) -> list[StructuredType]:
        chain = []
        current: str | None = type_name
        while current and current in self.types:
            chain.append(self.types[current])
            current = self.types[current].base
        return chain

    def derives_from(self, type_name: str, ancestor: str) -> bool:
        return any(t.name == ancestor for t in self.lineage(type_name))

    def property_type(self, type_name: str, name: str) -> str | None:
        for structured in self.lineage(type_name):
            if name in structured.properties:
                return structured.properties[name]
            if name in structured.navigation:
                return structured.navigation[name]
        return None

    def navigation_type(self, type_name: str, name: str) -> str | None:
        for structured in self.lineage(type_name):
            for nav_name, nav_type in structured.navigation.items():
                if nav_name.lower() == name.lower():
                    return nav_type
        return None

    def bound_operation(self, current: str, name: str) -> Operation | None:
        """The operation bound to `current` or, failing that, to its nearest base type."""
        inner, many = element_type(current)
        distance = {t.name: depth for depth, t in enumerate(self.lineage(inner))}
        candidates = [
            (distance[element_type(op.binding)[0]], op)
            for op in self.operations.get(name.lower(), [])
            if element_type(op.binding)[1] == many and element_type(op.binding)[0] in distance
        ]
        return min(candidates, key=lambda pair: pair[0])[1] if candidates else None

    # --- paths --------------------------------------------------------------------------------

    def resolve(self, path: str) -> Resolved:
        """The type `path` (relative to /v1.0) lands on; SchemaMismatch when a segment doesn't resolve."""
        segments = [unquote(s) for s in path.strip("/").split("/") if s]
        if not segments:
            raise SchemaMismatch("empty path")
        first, key = _split_key(segments[0])
        root_type = next((t for name, t in self.roots.items() if name.lower() == first.lower()), None)
        if root_type is None:
            raise SchemaMismatch(f"'{first}' is not an entity set or singleton")
        current = element_type(root_type)[0] if key is not None else root_type
        operation = None
        for segment in segments[1:]:
            if segment in SKIPPED_SEGMENTS:
                return Resolved(None)
            current, operation = self._step(current, segment)
        return Resolved(current, operation)

    def _step(self, current: str, segment: str) -> tuple[str, Operation | None]:
        inner, many = element_type(current)
        name, key = _split_key(segment)
        if name.startswith("graph."):  # the schema's alias
            name = "microsoft." + name
        bare = name.removeprefix("microsoft.graph.")
        if name.startswith("microsoft.graph.") and name in self.types and key is None:
            if not self.derives_from(name, inner):
                raise SchemaMismatch(f"cast '{name}' does not derive from '{inner}'")
            return (f"Collection({name})" if many else name), None
        operation = self.bound_operation(current, bare)
        if operation is not None:
            return (operation.returns or "Edm.Untyped"), operation
        if many:  # a key segment
            return inner, None
        nav = self.navigation_type(inner, name)
        if nav is not None:
            return (element_type(nav)[0] if key is not None else nav), None
        if key is None and self.property_type(inner, name) is not None:
            return self.property_type(inner, name) or "", None
        raise SchemaMismatch(f"'{segment}' is not a navigation property, cast or bound operation of '{inner}'")

    # --- bodies -------------------------------------------------------------------------------

    def check_value(self, type_name: str, value: Any, where: str) -> list[str]:
        if value is None:
            return []
        inner, many = element_type(type_name)
        if many:
            if not isinstance(value, list):
                return [f"{where}: expected a list of {inner}"]
            return [p for i, item in enumerate(value) for p in self.check_value(inner, item, f"{where}[{i}]")]
        if inner in self.enums:
            members = [m.strip().lower() for m in str(value).split(",")] if isinstance(value, str) else [None]
            unknown = [m for m in members if m not in self.enums[inner]]
            return [f"{where}: {value!r} is not a member of {inner}"] if unknown else []
        if inner in self.types:
            return self.check_object(inner, value, where)
        return _check_primitive(inner, value, where)

    def check_object(self, type_name: str, value: Any, where: str) -> list[str]:
        if not isinstance(value, dict):
            return [f"{where}: expected an object of {type_name}"]
        declared = str(value.get("@odata.type") or "").lstrip("#")
        if declared:
            declared = declared if "." in declared else f"microsoft.graph.{declared}"
            if declared not in self.types or not self.derives_from(declared, type_name):
                return [f"{where}: @odata.type {declared} is not a {type_name}"]
            type_name = declared
        problems = []
        for name, item in value.items():
            if name.startswith("@") or type_name in OPEN_TYPES:
                continue
            property_name = name.split("@", 1)[0]
            property_type = self.property_type(type_name, property_name)
            if property_type is None:
                problems.append(f"{where}: '{property_name}' is not a property of {type_name}")
            elif "@" not in name:
                problems += self.check_value(property_type, item, f"{where}.{name}")
        return problems

    def check_parameters(self, operation: Operation, body: Any, where: str) -> list[str]:
        if not isinstance(body, dict):
            return [f"{where}: action {operation.name} expects a JSON object"]
        problems = []
        for name, value in body.items():
            parameter_type = operation.parameters.get(name.lower())
            if parameter_type is None:
                problems.append(f"{where}: '{name}' is not a parameter of {operation.name}")
            else:
                problems += self.check_value(parameter_type, value, f"{where}.{name}")
        return problems


def _split_key(segment: str) -> tuple[str, str | None]:
    match = KEY_CALL.match(segment)
    return (match.group(1), match.group(2)) if match else (segment, None)


def _check_primitive(type_name: str, value: Any, where: str) -> list[str]:
    if type_name == "Edm.Boolean":
        ok = isinstance(value, bool)
    elif type_name in INTEGER_TYPES:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif type_name in NUMBER_TYPES:
        ok = (isinstance(value, (int, float)) and not isinstance(value, bool)) or value in ("NaN", "INF", "-INF")
    elif type_name == "Edm.DateTimeOffset":
        ok = isinstance(value, str) and _is_timestamp(value)
    elif type_name in TEXT_TYPES:
        ok = isinstance(value, str)
    else:  # Edm.Untyped and anything not modelled
        ok = True
    return [] if ok else [f"{where}: {value!r} is not a {type_name}"]


def _is_timestamp(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", text).replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
