"""Return home interviews: the requirement an ended episode raises, the offer
and its outcome, what the child said, and a manager's quality audit.

One `Interview` per ended episode (protocol.md: "one return_interview task
per episode that requires an interview"), excluded ones included with their
reason so that every figure can show what it left out. The requirement, due
time and exclusion are derived from the episodes by `interviews_sync`
(services.py) with the pure rules of rules.py; people record the offer, the
outcome and the findings through the other services.

Findings are kept as rows, one per section (`Finding`), with the structured
part as codes (`FindingCode`) so that reasons, exploitation indicators and
referrals can be counted, and a `shared` mark per section: the police see
only what the interviewer shared. Places and people the child named are
linked records (`NamedPlace`, `NamedPerson`) for later pattern analysis.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from . import rules


class Exclusion(models.TextChoices):
    NEW_EPISODE = rules.NEW_EPISODE, "Went missing again before the interview was due"
    PLACED_BY_OTHER_AUTHORITY = rules.PLACED_BY_OTHER_AUTHORITY, "Placed in the area by another authority"
    DIED = rules.DIED, "The child has died"
    TURNED_18 = rules.TURNED_18, "18 or over"


class Progress(models.TextChoices):
    NOT_OFFERED = rules.NOT_OFFERED, "Not offered yet"
    OFFERED = rules.OFFERED, "Offered, waiting for an answer"
    ACCEPTED = rules.ACCEPTED, "Accepted, interview arranged"
    COMPLETED = rules.COMPLETED, "Completed"
    DECLINED_BY_CHILD = rules.DECLINED_BY_CHILD, "Declined by the child"
    DECLINED_BY_PARENT_OR_CARER = rules.DECLINED_BY_PARENT_OR_CARER, "Declined by a parent or carer"
    UNABLE_TO_CONTACT = rules.UNABLE_TO_CONTACT, "Unable to contact"


class Interview(models.Model):
    """The return home interview an ended episode calls for (or the record of
    why it does not)."""

    # The episode; if it is merged into another the interview moves with it
    # (interviews_sync), and `episode_number` keeps the id it had.
    episode = models.OneToOneField("episodes.Episode", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="interview")
    episode_number = models.BigIntegerField(db_index=True)
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="interviews")
    area_authority = models.ForeignKey("placements.Authority", on_delete=models.PROTECT, related_name="+")
    # The authority responsible for the interview (rules.lead_authority).
    lead_authority = models.ForeignKey("placements.Authority", on_delete=models.PROTECT, related_name="+")
    missing_from = models.CharField(max_length=4)
    episode_started_at = models.DateTimeField()
    returned_at = models.DateTimeField()

    # The requirement (rules.requirement), derived by interviews_sync.
    # The protocol's timescale in force at the return, kept: a later protocol
    # version never changes it (protocol.md: history is never rewritten).
    timescale = models.JSONField(default=dict)
    timescale_source = models.CharField(max_length=200, blank=True)
    protocol_version_id = models.BigIntegerField(null=True, blank=True)
    due_at = models.DateTimeField(db_index=True)
    required = models.BooleanField(default=True, db_index=True)
    exclusion = models.CharField(max_length=30, choices=Exclusion.choices, blank=True)
    exclusion_detail = models.CharField(max_length=300, blank=True)
    covered_by_episode = models.ForeignKey("episodes.Episode", null=True, blank=True, on_delete=models.SET_NULL,
                                           related_name="covered_interviews")
    # Exclusion (b) for the area authority: the placing authority is responsible.
    placed_by_other_authority = models.BooleanField(default=False)
    # Set when the episode was merged away or lost its return: the record is
    # kept, but counts nowhere.
    cancelled_reason = models.CharField(max_length=300, blank=True)

    # Who does it.
    provider = models.ForeignKey("access.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="rhi_interviews")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="rhi_interviews")
    allocated_at = models.DateTimeField(null=True, blank=True)

    # The offer and its outcome.
    progress = models.CharField(max_length=30, choices=Progress.choices, blank=True, db_index=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)  # unable to contact: the last try
    completed_at = models.DateTimeField(null=True, blank=True)
    venue = models.CharField(max_length=200, blank=True)
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    interviewer_name = models.CharField(max_length=200, blank=True)
    interviewer_organisation = models.CharField(max_length=200, blank=True)
    # For an interview done outside Homeward (by a placing authority): who told us.
    told_by = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["lead_authority", "episode_started_at"]),
            models.Index(fields=["area_authority", "episode_started_at"]),
            models.Index(fields=["provider", "due_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(required=True, exclusion="") | models.Q(required=False) & ~models.Q(exclusion=""),
                name="interview_excluded_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Interview {self.pk}"  # never a name: str() ends up in logs

    # --- state ------------------------------------------------------------------------------

    @property
    def cancelled(self) -> bool:
        return bool(self.cancelled_reason)

    @property
    def is_open(self) -> bool:
        """Still to be done: required, not cancelled, no outcome yet."""
        return self.required and not self.cancelled and self.progress in rules.OPEN_PROGRESS

    @property
    def outcome(self) -> str:
        """definitions.md's outcome: completed, declined_by_child,
        declined_by_parent_or_carer, unable_to_contact, not_required, or ''."""
        if not self.required:
            return rules.NOT_REQUIRED
        return self.progress if self.progress in rules.OUTCOMES else ""

    def overdue(self, now=None) -> bool:
        return self.is_open and (now or timezone.now()) > self.due_at

    @property
    def offered_in_time(self) -> bool:
        return rules.in_time(self.offered_at, self.due_at)

    @property
    def completed_in_time(self) -> bool:
        return self.progress == rules.COMPLETED and rules.in_time(self.completed_at, self.due_at)

    @property
    def timescale_text(self) -> str:
        try:
            return rules.Timescale.of(self.timescale or None).describe()
        except ValueError:
            return ""


class FindingKind(models.TextChoices):
    WORDS = "words", "In the child’s own words"
    REASONS = "reasons", "Reasons for going missing"
    PUSH = "push", "Push factors"
    PULL = "pull", "Pull factors"
    STAYED = "stayed", "Where they stayed, and with whom"
    TRAVEL = "travel", "How they travelled and came back"
    HARM = "harm", "Harm experienced or threatened"
    EXPLOITATION = "exploitation", "Exploitation indicators"
    ACTIONS = "actions", "Actions and referrals"


class Reason(models.TextChoices):
    """Why the child went missing: a fixed list, so that it can be counted."""

    CONTACT_FAMILY_FRIENDS = "contact_family_friends", "Contact with family or friends"
    BOYFRIEND_GIRLFRIEND = "boyfriend_girlfriend", "Boyfriend or girlfriend"
    BOUNDARIES_RULES = "boundaries_rules", "Boundaries and rules"
    CONFLICT = "conflict", "Conflict at home or in the placement"
    PLACEMENT_DISSATISFACTION = "placement_dissatisfaction", "Unhappy with the placement"
    DRUGS_ALCOHOL = "drugs_alcohol", "Drugs or alcohol"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SCHOOL = "school", "School"
    BULLYING = "bullying", "Bullying"
    OFFENDING = "offending", "Offending"
    EXPLOITATION = "exploitation", "Exploitation"
    OTHER = "other", "Other"


class Harm(models.TextChoices):
    EXPERIENCED = "experienced", "Harm experienced"
    THREATENED = "threatened", "Harm threatened"


class ExploitationIndicator(models.TextChoices):
    CSE = "cse", "Child sexual exploitation (CSE)"
    CCE = "cce", "Child criminal exploitation (CCE)"
    COUNTY_LINES = "county_lines", "County lines"
    TRAFFICKING = "trafficking", "Trafficking"


class Action(models.TextChoices):
    EXPLOITATION_TEAM = "exploitation_team", "Referred to the exploitation team"
    MASH = "mash", "Referred to the MASH"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion asked for"
    SOCIAL_WORKER = "social_worker", "Social worker told"
    OTHER = "other", "Other action"


# The codes each section may hold.
CODES_FOR_KIND = {
    FindingKind.REASONS: Reason,
    FindingKind.HARM: Harm,
    FindingKind.EXPLOITATION: ExploitationIndicator,
    FindingKind.ACTIONS: Action,
}


class Finding(models.Model):
    """One section of an interview's findings: text, codes, and whether the
    interviewer shared it with the police."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=20, choices=FindingKind.choices)
    text = models.TextField(blank=True)
    shared = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["interview", "pk"]
        constraints = [models.UniqueConstraint(fields=["interview", "kind"], name="finding_once_per_kind")]


class FindingCode(models.Model):
    """A coded finding (a reason, an exploitation indicator, a referral), countable."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=40)
    # The flag raised on the child's record from this finding, if any.
    flag = models.ForeignKey("people.ChildFlag", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["finding", "pk"]
        constraints = [models.UniqueConstraint(fields=["finding", "code"], name="finding_code_once")]


class NamedPlace(models.Model):
    """A place the child named, linked to the interview and the child."""

    class Kind(models.TextChoices):
        ADDRESS = "address", "An address"
        PUBLIC_PLACE = "public_place", "A public place (park, street, shopping centre)"
        TRANSPORT = "transport", "A station or transport stop"
        FOOD_SHOP = "food_shop", "A shop or takeaway"
        HOTEL = "hotel", "A hotel or short-let"
        OTHER = "other", "Somewhere else"

    interview = models.ForeignKey(Interview, on_delete=models.PROTECT, related_name="places")
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="named_places")
    text = models.CharField(max_length=300)
    postcode = models.CharField(max_length=10, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    source = models.CharField(max_length=100)  # rhi:<interview id>
    noted_on = models.DateField()
    shared = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["interview", "pk"]
        indexes = [models.Index(fields=["postcode"]), models.Index(fields=["child", "noted_on"])]


class NamedPerson(models.Model):
    """A person the child named, linked to the interview and the child."""

    interview = models.ForeignKey(Interview, on_delete=models.PROTECT, related_name="people")
    child = models.ForeignKey("people.Child", on_delete=models.PROTECT, related_name="named_people")
    name = models.CharField(max_length=200)
    approximate_age = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=100)
    noted_on = models.DateField()
    shared = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["interview", "pk"]
        indexes = [models.Index(fields=["child", "noted_on"])]


class QualityChecklist(models.Model):
    """A version of the quality audit's checklist: [{"key", "text"}, ...]."""

    authority = models.ForeignKey("placements.Authority", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", help_text="Blank: the default for authorities without their own")
    items = models.JSONField()
    valid_from = models.DateTimeField(default=timezone.now)
    created_by_username = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["authority_id", "valid_from", "pk"]


class QualityAudit(models.Model):
    """A manager's score of one interview against a checklist."""

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"

    POINTS = {"yes": 2, "partly": 1, "no": 0}

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="quality_audits")
    checklist = models.ForeignKey(QualityChecklist, on_delete=models.PROTECT, related_name="audits")
    answers = models.JSONField()  # {item key: yes | partly | no}
    score = models.PositiveSmallIntegerField()
    max_score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    # The provider at the time of the audit, for scores by provider.
    provider = models.ForeignKey("access.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    audited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    audited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-audited_at", "-pk"]

    @property
    def percent(self) -> int:
        return round(100 * self.score / self.max_score) if self.max_score else 0
