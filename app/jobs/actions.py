"""The action registry: what a ServerJob may run, with its parameters checked when it is saved."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

# Areas whose tasks modules register actions and result listeners; imported once by load_actions().
ACTION_MODULES = (
    "app.jobs.builtin_actions", "app.jobs.schedules", "app.people.tasks", "app.mail.tasks", "app.access.tasks",
    "app.facilities.tasks", "app.reservations.tasks", "app.reservations.reminders", "app.reservations.approvers",
    "app.calendars.tasks", "app.subscriptions.tasks",
)

KIND_WORDS = {"str": "text", "int": "a whole number", "bool": "true or false", "dict": "a JSON object",
              "list": "a JSON list"}
_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,), "int": (int,), "bool": (bool,), "dict": (dict,), "list": (list,),
}


@dataclass(frozen=True)
class Param:
    name: str
    kind: str = "str"
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()

    @property
    def kind_words(self) -> str:
        return KIND_WORDS[self.kind]


@dataclass(frozen=True)
class Action:
    name: str
    run: Callable[[dict[str, Any]], dict[str, Any]]
    description: str
    params: tuple[Param, ...] = ()
    queue: str = "default"


class ParameterError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


ACTIONS: dict[str, Action] = {}


def action(
    name: str, *, description: str, params: tuple[Param, ...] = (), queue: str = "default"
) -> Callable[[Callable[[dict[str, Any]], dict[str, Any]]], Callable[[dict[str, Any]], dict[str, Any]]]:
    def register(run: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[dict[str, Any]], dict[str, Any]]:
        ACTIONS[name] = Action(name, run, description, params, queue)
        return run

    return register


def validate_parameters(action_name: str, values: dict[str, Any]) -> dict[str, Any]:
    """The parameters cleaned, or ParameterError naming each problem by parameter."""
    if action_name not in ACTIONS:
        raise ParameterError({"action": f"unknown action {action_name!r}"})
    spec = {p.name: p for p in ACTIONS[action_name].params}
    errors: dict[str, str] = {}
    for name in values.keys() - spec.keys():
        errors[name] = "is not a parameter of this action"
    for param in spec.values():
        if param.name not in values or values[param.name] in (None, ""):
            if param.required:
                errors[param.name] = "is required"
            continue
        value = values[param.name]
        if not isinstance(value, _TYPES[param.kind]) or (param.kind == "int" and isinstance(value, bool)):
            errors[param.name] = f"must be {param.kind_words}"
        elif param.choices and value not in param.choices:
            errors[param.name] = f"must be one of {', '.join(param.choices)}"
    if errors:
        raise ParameterError(errors)
    return {k: v for k, v in values.items() if v not in (None, "")}


@dataclass
class _Loaded:
    done: bool = field(default=False)


_loaded = _Loaded()


def load_actions() -> dict[str, Action]:
    if not _loaded.done:
        for module in ACTION_MODULES:
            import_module(module)
        _loaded.done = True
    return ACTIONS
