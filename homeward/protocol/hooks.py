"""Seams to the parts of Homeward the protocol follows but does not own.

Return home interviews (homeward/interviews/) are built separately. The
protocol needs one fact from them: when an episode's interview was completed
(`return_interview_overdue` fires at the due time unless it was, and the
`return_interview` task closes itself as done when it is). It asks lazily:

* if the app ``homeward.interviews`` is installed and its module
  ``homeward.interviews.selectors`` has a function
  ``completed_interview_times(episode_ids) -> {episode_id: datetime}``,
  that is the answer;
* otherwise no interview is known to be completed.

Nothing else is assumed of that app, so either side can change without the
other until this function's contract does.
"""

from __future__ import annotations

import importlib
import logging
from datetime import datetime
from typing import Callable, Iterable

from django.apps import apps

log = logging.getLogger("homeward.protocol")

INTERVIEWS_APP = "homeward.interviews"


def _interviews_function() -> Callable | None:
    if not apps.is_installed(INTERVIEWS_APP):
        return None
    try:
        module = importlib.import_module(f"{INTERVIEWS_APP}.selectors")
    except ImportError:
        return None
    return getattr(module, "completed_interview_times", None)


def interviews_completed(episode_ids: Iterable[int]) -> dict[int, datetime]:
    """When each episode's return home interview was completed, where known."""
    ids = [i for i in episode_ids if i is not None]
    if not ids:
        return {}
    function = _interviews_function()
    if function is None:
        return {}
    try:
        answer = function(ids) or {}
    except Exception:  # the interviews part failing must not stop the protocol
        log.exception("completed_interview_times failed; treating interviews as not completed")
        return {}
    return {int(k): v for k, v in dict(answer).items() if v is not None}
