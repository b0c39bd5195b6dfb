"""The rules of the missing protocol, their parameters and defaults (protocol.md).

A protocol version is a JSON document::

    {
      "format": "homeward-protocol/1",
      "look_back_days": 30,
      "rules": {
        "repeat_missing_meeting": {"enabled": true, "count": 3, "window_days": 90,
                                   "due_in": {"working_days": 10}, "owner_role": "missing_officer"},
        ...
      }
    }

`validate(document)` checks a document (from a file, a form or the command
line) against the parameters below and returns it complete: a rule or a
parameter left out takes its default, an unknown one is refused (a typo must
not silently fall back to a default). What is stored is always the complete
document, so a version means the same thing whatever the defaults in this file
become later. `json_schema()` gives the same rules as a JSON Schema, for
editors and other systems.

Nothing here touches the database.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

FORMAT = "homeward-protocol/1"

RISK_LEVELS = ("high", "medium", "low", "no_apparent_risk")
FLAGS = ("cse", "cce", "trafficking", "uasc", "county_lines", "gangs", "substance_misuse", "mental_health",
         "youth_justice", "missing_education", "child_protection_plan")
# Who may own a rule's tasks: the council's case roles, the return-interview
# provider, the police. (There is no "head of service" role: the 7-day
# escalation goes to a senior manager, named "Head of service" in its level.)
OWNER_ROLES = ("missing_officer", "social_worker", "team_manager", "senior_manager", "rhi_worker", "police")
ROLE_LABELS = {
    "missing_officer": "Children missing officer",
    "social_worker": "Social worker",
    "team_manager": "Team manager",
    "senior_manager": "Senior manager",
    "rhi_worker": "Return interview worker",
    "police": "Police missing team",
}


class Problems(list):
    """(path, message) pairs, in document order."""

    def add(self, path: str, message: str) -> None:
        self.append((path, message))


# --- parameter kinds --------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    label: str
    hint: str = ""

    def clean(self, value: Any, path: str, problems: Problems) -> Any:  # pragma: no cover - interface
        raise NotImplementedError

    def schema(self) -> dict:  # pragma: no cover - interface
        raise NotImplementedError

    def describe(self, value: Any) -> str:
        return str(value)


@dataclass(frozen=True)
class Bool(Param):
    def clean(self, value, path, problems):
        if not isinstance(value, bool):
            problems.add(path, "must be true or false")
            return None
        return value

    def schema(self):
        return {"type": "boolean", "title": self.label}

    def describe(self, value):
        return "On" if value else "Off"


@dataclass(frozen=True)
class Int(Param):
    minimum: int = 1
    maximum: int = 1000
    unit: str = ""

    def clean(self, value, path, problems):
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                problems.add(path, f"must be a whole number from {self.minimum} to {self.maximum}")
                return None
        if not self.minimum <= value <= self.maximum:
            problems.add(path, f"must be a whole number from {self.minimum} to {self.maximum}")
            return None
        return value

    def schema(self):
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum, "title": self.label}

    def describe(self, value):
        return f"{value} {self.unit}".strip() if self.unit else str(value)


@dataclass(frozen=True)
class Choice(Param):
    choices: tuple = ()
    labels: dict = field(default_factory=dict)

    def clean(self, value, path, problems):
        if value not in self.choices:
            problems.add(path, f"must be one of {', '.join(self.choices)}")
            return None
        return value

    def schema(self):
        return {"type": "string", "enum": list(self.choices), "title": self.label}

    def describe(self, value):
        return self.labels.get(value, value)


@dataclass(frozen=True)
class ChoiceList(Param):
    choices: tuple = ()

    def clean(self, value, path, problems):
        if not isinstance(value, list) or any(not isinstance(v, str) for v in value):
            problems.add(path, f"must be a list of: {', '.join(self.choices)}")
            return None
        unknown = [v for v in value if v not in self.choices]
        if unknown:
            problems.add(path, f"'{unknown[0]}' is not one of {', '.join(self.choices)}")
            return None
        return sorted(set(value), key=self.choices.index)

    def schema(self):
        return {"type": "array", "items": {"type": "string", "enum": list(self.choices)}, "uniqueItems": True,
                "title": self.label}

    def describe(self, value):
        return ", ".join(value) if value else "None"


@dataclass(frozen=True)
class Text(Param):
    max_length: int = 100

    def clean(self, value, path, problems):
        if not isinstance(value, str) or not value.strip() or len(value) > self.max_length:
            problems.add(path, f"must be text of 1 to {self.max_length} characters")
            return None
        return value.strip()

    def schema(self):
        return {"type": "string", "minLength": 1, "maxLength": self.max_length, "title": self.label}


@dataclass(frozen=True)
class DueIn(Param):
    """A timescale: {"hours": N} (real elapsed hours) or {"working_days": N}
    (Monday to Friday, England and Wales bank holidays excluded)."""

    max_hours: int = 2160
    max_days: int = 60

    def clean(self, value, path, problems):
        if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in ("hours", "working_days"):
            problems.add(path, 'must be {"hours": N} or {"working_days": N}')
            return None
        unit, amount = next(iter(value.items()))
        top = self.max_hours if unit == "hours" else self.max_days
        if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= top:
            problems.add(f"{path}.{unit}", f"must be a whole number from 1 to {top}")
            return None
        return {unit: amount}

    def schema(self):
        return {"title": self.label, "oneOf": [
            {"type": "object", "properties": {"hours": {"type": "integer", "minimum": 1, "maximum": self.max_hours}},
             "required": ["hours"], "additionalProperties": False},
            {"type": "object",
             "properties": {"working_days": {"type": "integer", "minimum": 1, "maximum": self.max_days}},
             "required": ["working_days"], "additionalProperties": False},
        ]}

    def describe(self, value):
        return describe_due(value)


STEP_PARAMS = {
    "after_hours": Int("Missing for (hours)", minimum=1, maximum=2160, unit="hours"),
    "level": Text("Level", max_length=60),
    "owner_role": Choice("Task for", choices=OWNER_ROLES, labels=ROLE_LABELS),
    "due_in": DueIn("Due within"),
}


@dataclass(frozen=True)
class Steps(Param):
    max_steps: int = 6

    def clean(self, value, path, problems):
        if not isinstance(value, list) or not 1 <= len(value) <= self.max_steps:
            problems.add(path, f"must be a list of 1 to {self.max_steps} steps")
            return None
        steps = []
        for i, step in enumerate(value):
            here = f"{path}[{i}]"
            if not isinstance(step, dict):
                problems.add(here, "must be an object with after_hours, level, owner_role and due_in")
                continue
            unknown = sorted(set(step) - set(STEP_PARAMS))
            if unknown:
                problems.add(f"{here}.{unknown[0]}", "is not a parameter of an escalation step")
            missing = [k for k in ("after_hours", "level", "owner_role") if k not in step]
            if missing:
                problems.add(f"{here}.{missing[0]}", "is required")
                continue
            cleaned = {}
            for key, param in STEP_PARAMS.items():
                raw = step.get(key, {"hours": 4} if key == "due_in" else None)
                cleaned[key] = param.clean(raw, f"{here}.{key}", problems)
            steps.append(cleaned)
        hours = [s["after_hours"] for s in steps if s.get("after_hours") is not None]
        if len(hours) == len(steps) and len(set(hours)) != len(hours):
            problems.add(path, "two steps cannot have the same number of hours")
        return sorted(steps, key=lambda s: s.get("after_hours") or 0)

    def schema(self):
        return {"type": "array", "minItems": 1, "maxItems": self.max_steps, "title": self.label, "items": {
            "type": "object", "additionalProperties": False, "required": ["after_hours", "level", "owner_role"],
            "properties": {k: p.schema() for k, p in STEP_PARAMS.items()},
        }}

    def describe(self, value):
        return "; ".join(f"{s['after_hours']} h: {s['level']} ({ROLE_LABELS.get(s['owner_role'], s['owner_role'])}, "
                         f"due within {describe_due(s['due_in'])})" for s in value)


def describe_due(value: dict) -> str:
    unit, amount = next(iter(value.items()))
    if unit == "hours":
        return f"{amount} hour" if amount == 1 else f"{amount} hours"
    return f"{amount} working day" if amount == 1 else f"{amount} working days"


# --- the rules ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSpec:
    name: str
    title: str
    on: str  # on what it fires
    raises: str  # what it raises
    params: dict
    defaults: dict

    @property
    def description(self) -> str:
        return f"When {self.on}: {self.raises}."


def _owner(default: str) -> Choice:
    return Choice("Task for", choices=OWNER_ROLES, labels=ROLE_LABELS, hint=f"default {ROLE_LABELS[default].lower()}")


ENABLED = Bool("Rule is on")

RULES: tuple[RuleSpec, ...] = (
    RuleSpec(
        "notify_responsible_authority", "Notify the responsible (placing) authority",
        "an episode of a child placed by another authority starts or ends",
        "an email to the placing authority's named contact, and a task until it is sent",
        {"enabled": ENABLED, "due_in": DueIn("Within"), "owner_role": _owner("missing_officer")},
        {"enabled": True, "due_in": {"hours": 4}, "owner_role": "missing_officer"},
    ),
    RuleSpec(
        "notify_host_authority", "Notify the host authority",
        "an own child placed in another authority's area goes missing",
        "an email to the host authority's named contact, and a task until it is sent",
        {"enabled": ENABLED, "due_in": DueIn("Within"), "owner_role": _owner("missing_officer")},
        {"enabled": True, "due_in": {"hours": 4}, "owner_role": "missing_officer"},
    ),
    RuleSpec(
        "strategy_discussion", "Hold a strategy discussion",
        "an episode has one of the risk levels, or the child one of the flags, below",
        "a strategy discussion task",
        {"enabled": ENABLED,
         "risk_levels": ChoiceList("Risk levels that call for one", choices=RISK_LEVELS),
         "flags": ChoiceList("Flags that call for one", choices=FLAGS),
         "due_in": DueIn("Due within"), "owner_role": _owner("team_manager")},
        {"enabled": True, "risk_levels": ["high"], "flags": ["cse", "cce", "trafficking", "uasc"],
         "due_in": {"hours": 24}, "owner_role": "team_manager"},
    ),
    RuleSpec(
        "duration_escalation", "Escalate a long episode",
        "an episode is still open after each step",
        "a task for the step's level",
        {"enabled": ENABLED, "steps": Steps("Steps")},
        {"enabled": True, "steps": [
            {"after_hours": 24, "level": "Team manager", "owner_role": "team_manager", "due_in": {"hours": 4}},
            {"after_hours": 72, "level": "Senior manager", "owner_role": "senior_manager", "due_in": {"hours": 4}},
            {"after_hours": 168, "level": "Head of service", "owner_role": "senior_manager", "due_in": {"hours": 4}},
        ]},
    ),
    RuleSpec(
        "police_national_circulation", "Confirm police national circulation",
        "a child with one of the flags below is still missing",
        "a task to confirm the child is circulated on the police national database",
        {"enabled": ENABLED, "flags": ChoiceList("Flags", choices=FLAGS), "due_in": DueIn("Due within"),
         "owner_role": _owner("missing_officer")},
        {"enabled": True, "flags": ["uasc"], "due_in": {"hours": 24}, "owner_role": "missing_officer"},
    ),
    RuleSpec(
        "placement_review", "Review the placement",
        "a looked-after child's episode ends",
        "a placement review task for the social worker",
        {"enabled": ENABLED, "due_in": DueIn("Due within"), "owner_role": _owner("social_worker")},
        {"enabled": True, "due_in": {"working_days": 5}, "owner_role": "social_worker"},
    ),
    RuleSpec(
        "return_interview", "Offer a return home interview",
        "an episode ends and an interview is required (definitions.md)",
        "an interview offer task for the independent provider",
        {"enabled": ENABLED, "due_in": DueIn("Due within", hint="72 hours, or 3 working days"),
         "owner_role": _owner("rhi_worker")},
        {"enabled": True, "due_in": {"hours": 72}, "owner_role": "rhi_worker"},
    ),
    RuleSpec(
        "return_interview_overdue", "Escalate an overdue return interview",
        "a required interview is not completed by its due time",
        "an escalation task",
        {"enabled": ENABLED, "due_in": DueIn("Due within"), "owner_role": _owner("team_manager")},
        {"enabled": True, "due_in": {"hours": 24}, "owner_role": "team_manager"},
    ),
    RuleSpec(
        "repeat_missing_meeting", "Hold a multi-agency meeting (repeat missing)",
        "a child reaches the number of episodes below within the window",
        "a multi-agency meeting task",
        {"enabled": ENABLED, "count": Int("Episodes", minimum=2, maximum=50, unit="episodes"),
         "window_days": Int("Within (days)", minimum=1, maximum=365, unit="days"),
         "due_in": DueIn("Meeting due within"), "owner_role": _owner("missing_officer")},
        {"enabled": True, "count": 3, "window_days": 90, "due_in": {"working_days": 10},
         "owner_role": "missing_officer"},
    ),
    RuleSpec(
        "monthly_multiple_missing", "List for the Multiple Missing and Hotspots review",
        "a child reaches the number of episodes below in one calendar month",
        "the child is listed for that month's Multiple Missing and Hotspots review",
        {"enabled": ENABLED, "count": Int("Episodes in a month", minimum=2, maximum=50, unit="episodes"),
         "due_in": DueIn("Review due within"), "owner_role": _owner("missing_officer")},
        {"enabled": True, "count": 5, "due_in": {"working_days": 10}, "owner_role": "missing_officer"},
    ),
    RuleSpec(
        "family_group_conference", "Consider a missing family group conference",
        "a child reaches the repeat-missing threshold the number of times below within the window",
        "a suggestion to refer the child to a family group conference",
        {"enabled": ENABLED, "times": Int("Times the repeat threshold is reached", minimum=2, maximum=10,
                                          unit="times"),
         "window_days": Int("Within (days)", minimum=30, maximum=730, unit="days"),
         "due_in": DueIn("Due within"), "owner_role": _owner("social_worker")},
        {"enabled": True, "times": 2, "window_days": 180, "due_in": {"working_days": 10},
         "owner_role": "social_worker"},
    ),
)

RULES_BY_NAME = {r.name: r for r in RULES}
RULE_NAMES = tuple(r.name for r in RULES)
RULE_CHOICES = [(r.name, r.title) for r in RULES]

TOP_PARAMS = {
    "look_back_days": Int(
        "Look back (days)", minimum=1, maximum=365, unit="days",
        hint="Events older than this when Homeward first sees them (an imported history) raise no tasks; "
             "open episodes are always followed",
    ),
}
TOP_DEFAULTS = {"look_back_days": 30}


def default_document() -> dict:
    return {"format": FORMAT, **copy.deepcopy(TOP_DEFAULTS),
            "rules": {r.name: copy.deepcopy(r.defaults) for r in RULES}}


class InvalidProtocol(ValueError):
    def __init__(self, problems: Problems):
        self.problems = problems
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems))


def validate(document: Any) -> dict:
    """The complete, checked document, or InvalidProtocol naming each problem
    by its path (e.g. ``rules.repeat_missing_meeting.count``)."""
    problems = Problems()
    if not isinstance(document, dict):
        problems.add("(document)", "must be a JSON object with \"rules\"")
        raise InvalidProtocol(problems)
    out = default_document()
    for key in document:
        if key not in ("format", "name", "rules", *TOP_PARAMS):
            problems.add(key, "is not part of a protocol (expected format, name, look_back_days, rules)")
    if "format" in document and document["format"] != FORMAT:
        problems.add("format", f"must be \"{FORMAT}\"")
    if "name" in document:
        name = Text("Name", max_length=200).clean(document["name"], "name", problems)
        if name:
            out["name"] = name
    for key, param in TOP_PARAMS.items():
        if key in document:
            value = param.clean(document[key], key, problems)
            if value is not None:
                out[key] = value
    rules = document.get("rules", {})
    if not isinstance(rules, dict):
        problems.add("rules", "must be an object with one entry per rule")
        rules = {}
    for name, given in rules.items():
        spec = RULES_BY_NAME.get(name)
        if spec is None:
            problems.add(f"rules.{name}", f"is not a rule of the protocol ({', '.join(RULE_NAMES)})")
            continue
        if not isinstance(given, dict):
            problems.add(f"rules.{name}", "must be an object of the rule's parameters")
            continue
        for key, value in given.items():
            param = spec.params.get(key)
            path = f"rules.{name}.{key}"
            if param is None:
                problems.add(path, f"is not a parameter of {name} ({', '.join(spec.params)})")
                continue
            cleaned = param.clean(value, path, problems)
            if cleaned is not None:
                out["rules"][name][key] = cleaned
    if problems:
        raise InvalidProtocol(problems)
    return out


def json_schema() -> dict:
    """The protocol document as a JSON Schema (draft 2020-12)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://homeward.example/schema/protocol-1.json",
        "title": "Homeward missing protocol",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "format": {"const": FORMAT},
            "name": {"type": "string", "maxLength": 200},
            **{k: p.schema() for k, p in TOP_PARAMS.items()},
            "rules": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    r.name: {
                        "type": "object", "title": r.title, "description": r.description,
                        "additionalProperties": False,
                        "properties": {k: {**p.schema(), "default": r.defaults[k]} for k, p in r.params.items()},
                    }
                    for r in RULES
                },
            },
        },
    }
