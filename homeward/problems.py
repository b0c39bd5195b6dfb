"""How Homeward says no.

A service that refuses an input raises `Refused` with one `Problem` per field,
each naming the field and the reason in plain words. Pages show them in a
GOV.UK error summary, the API returns them as JSON with status 400, the
command line prints them with the file and line. Nothing is stored when a
service refuses.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message}


class Refused(Exception):
    def __init__(self, problems: list[Problem] | Problem | str, field: str = "__all__"):
        if isinstance(problems, str):
            problems = [Problem(field, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))

    def as_dict(self) -> dict:
        return {"errors": [p.as_dict() for p in self.problems]}
