"""Reading what people type into Homeward's forms, and saying what is wrong.

GOV.UK's patterns: every problem goes in the error summary at the top of the
page (linking to the field) and next to the field itself, and the form keeps
what the person typed. Problems come from two places: the form's own checks
(a date that is not a real date) and the services (`Refused.problems`), whose
field names are mapped onto the form's fields here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.contrib.auth.forms import AuthenticationForm

from homeward.episodes.parsing import POSTCODE, normalise_postcode

LONDON = ZoneInfo("Europe/London")

# A service's field name -> the form's field (date-time inputs have one name
# for their day, month, year and time boxes).
SERVICE_FIELDS = {
    "last_seen_at": "last_seen",
    "reported_at": "reported",
    "returned_at": "returned",
}

LABELS = {
    "last_seen": "When the child was last seen",
    "reported": "When the child was reported missing",
    "returned": "When the child returned or was found",
    "postcode": "Postcode",
    "found_postcode": "Postcode where found",
    "risk_level": "Risk level",
    "category": "Missing or absent",
    "missing_from": "Missing from",
    "notes": "Notes",
    "reason": "Reason",
    "name": "Token name",
    "found_where": "Where the child was found",
    "found_by": "Found by",
}


@dataclass
class Errors:
    """Problems with a form, in the order they are shown in the error summary."""

    items: list[dict] = field(default_factory=list)
    by_field: dict[str, str] = field(default_factory=dict)
    # The element to link to for each field (the first box of a date, ...).
    anchors: dict[str, str] = field(default_factory=dict)
    first_field: str = ""

    def __bool__(self) -> bool:
        return bool(self.items)

    def add(self, name: str, message: str, anchor: str | None = None) -> None:
        if name in self.by_field and name != "__all__":
            return  # one message per field, the first found
        if name != "__all__":
            self.by_field[name] = message
        target = anchor or self.anchors.get(name) or (name if name != "__all__" else self.first_field)
        self.items.append({"href": f"#{target}" if target else "", "text": message})

    def add_problems(self, problems) -> None:
        for problem in problems:
            name = SERVICE_FIELDS.get(problem.field, problem.field)
            message = problem.message
            if message and (message[0].islower() or message[0] in "'\""):
                # Messages from the notification parser read "'X' is not a UK postcode".
                message = message.replace("last_seen_at", "the time the child was last seen")
                message = f"{LABELS.get(name, name.replace('_', ' ').capitalize())}: {message}"
            self.add(name, message)


class DateTimeInput:
    """A GOV.UK date input (day, month, year) and, optionally, a time (HH:MM,
    24-hour clock), read as Europe/London local time."""

    PARTS = ("day", "month", "year")

    def __init__(self, name: str, legend: str, what: str, *, required: bool = True, hint: str = "",
                 with_time: bool = True):
        self.name = name
        self.legend = legend
        self.what = what  # "the child was last seen": fits "Enter the date {what}"
        self.required = required
        self.with_time = with_time
        self.hint = hint or ("For example, 27 3 2025 and 21:30 (24-hour clock)" if with_time else "For example, 27 3 2025")
        self.day = self.month = self.year = self.time = ""
        self.error = ""
        self.error_parts: set[str] = set()

    # The template reads these.
    @property
    def error_day(self) -> bool:
        return "day" in self.error_parts

    @property
    def error_month(self) -> bool:
        return "month" in self.error_parts

    @property
    def error_year(self) -> bool:
        return "year" in self.error_parts

    @property
    def error_time(self) -> bool:
        return "time" in self.error_parts

    @property
    def anchor(self) -> str:
        for part in (*self.PARTS, "time"):
            if part in self.error_parts:
                return f"{self.name}-{part}"
        return f"{self.name}-day"

    def initial(self, value: datetime | date | None) -> "DateTimeInput":
        if value is None:
            return self
        if isinstance(value, datetime):
            local = value.astimezone(LONDON)
            self.time = local.strftime("%H:%M")
            value = local.date()
        self.day, self.month, self.year = str(value.day), str(value.month), str(value.year)
        return self

    def bind(self, data) -> "DateTimeInput":
        for part in (*self.PARTS, "time"):
            setattr(self, part, (data.get(f"{self.name}-{part}") or "").strip()[:20])
        return self

    def _fail(self, errors: Errors, message: str, parts) -> None:
        self.error_parts = set(parts)
        errors.add(self.name, message, anchor=self.anchor)

    def clean(self, errors: Errors):
        """The value typed (datetime, or date without time), None if blank; adds problems to `errors`."""
        parts = {p: getattr(self, p) for p in self.PARTS}
        typed = [p for p in self.PARTS if parts[p]]
        if not typed and not (self.with_time and self.time):
            if self.required:
                what = f"the date and time {self.what}" if self.with_time else f"the date {self.what}"
                self._fail(errors, f"Enter {what}", (*self.PARTS, "time") if self.with_time else self.PARTS)
            return None
        missing = [p for p in self.PARTS if not parts[p]]
        if missing:
            if len(missing) == 3:
                self._fail(errors, f"Enter the date {self.what}", self.PARTS)
            else:
                self._fail(errors, f"The date {self.what} must include a {' and a '.join(missing)}", missing)
            return None
        if not all(parts[p].isdigit() for p in self.PARTS):
            bad = [p for p in self.PARTS if not parts[p].isdigit()]
            self._fail(errors, f"Enter a real date for when {self.what}", bad)
            return None
        if len(parts["year"]) != 4:
            self._fail(errors, f"The year {self.what} must include 4 numbers", ["year"])
            return None
        try:
            day = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            bad = ["month"] if not 1 <= int(parts["month"]) <= 12 else ["day"]
            self._fail(errors, f"Enter a real date for when {self.what}", bad)
            return None
        if not self.with_time:
            return day
        if not self.time:
            self._fail(errors, f"Enter the time {self.what}", ["time"])
            return None
        match = re.fullmatch(r"(\d{1,2})[:.]?(\d{2})", self.time)
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            self._fail(errors, f"Enter a time like 21:30 for when {self.what}", ["time"])
            return None
        clock = time(int(match.group(1)), int(match.group(2)))
        value = datetime.combine(day, clock, tzinfo=LONDON)
        # A wall-clock time skipped when the clocks go forward in March.
        round_trip = value.astimezone(ZoneInfo("UTC")).astimezone(LONDON)
        if round_trip.replace(tzinfo=None) != value.replace(tzinfo=None):
            self._fail(errors, f"The clocks went forward that night, so there was no {self.time} on that day: "
                               f"enter the time {self.what} as shown on a clock after the change", ["time"])
            return None
        return value


def clean_postcode(data, name: str, errors: Errors, label: str) -> str:
    value = normalise_postcode(data.get(name, "") or "")
    if value and not POSTCODE.match(value):
        errors.add(name, f"Enter a real postcode for {label}, like CT1 2AB")
    return value


def clean_choice(data, name: str, choices, errors: Errors, message: str, required: bool = True) -> str:
    value = (data.get(name) or "").strip()
    allowed = {str(v) for v, *_ in choices}
    if (required and not value) or (value and value not in allowed):
        errors.add(name, message)
        return ""
    return value


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "This account is not active: ask your administrator",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"

    def govuk_errors(self) -> list[dict]:
        items = []
        for name in ("username", "password"):
            for message in self.errors.get(name, []):
                items.append({"href": f"#{name}", "text": message})
        for message in self.non_field_errors():
            items.append({"href": "#username", "text": message})
        return items


def attach(errors: Errors, *inputs: DateTimeInput) -> None:
    """Show each date-time input's problem next to it; a problem a service
    found with the whole value (a return before the last-seen time) marks all
    of its boxes."""
    for item in inputs:
        message = errors.by_field.get(item.name, "")
        item.error = message
        if message and not item.error_parts:
            item.error_parts = {*item.PARTS, "time"} if item.with_time else set(item.PARTS)
