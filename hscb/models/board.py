"""The board core: agencies, areas, people, the board's groups, their objectives and memberships."""

from __future__ import annotations

import datetime

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from hscb.lib.security import normalise_email


class Sector(models.TextChoices):
    CHILDRENS_SERVICES = "childrens_services", "Local authority children's services"
    DISTRICT_COUNCIL = "district_council", "District or borough council"
    POLICE = "police", "Police"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    PROBATION = "probation", "Probation and youth justice"
    VOLUNTARY = "voluntary", "Voluntary and community sector"
    INDEPENDENT = "independent", "Independent"
    BOARD = "board", "Safeguarding board business unit"
    OTHER = "other", "Other"


class Agency(models.Model):
    """A partner organisation with duties to children in the area."""

    name = models.CharField(max_length=200, unique=True)
    short_name = models.CharField(
        max_length=40, blank=True, help_text="Used in tables where the full name is too long."
    )
    sector = models.CharField(max_length=32, choices=Sector.choices)
    is_active = models.BooleanField(
        "active", default=True, help_text="Untick when the agency no longer exists or takes part."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name


class Area(models.Model):
    """A local authority area that children live or die in, with its child death panel's contact."""

    name = models.CharField(max_length=120, unique=True)
    ons_code = models.CharField(
        "ONS code",
        max_length=9,
        blank=True,
        help_text="The Office for National Statistics local authority code, like E10000015.",
    )
    is_home = models.BooleanField(
        "home area", default=False, help_text="The area this board serves. Only one area can be."
    )
    is_neighbour = models.BooleanField("neighbouring area", default=False)
    cdop_name = models.CharField("child death overview panel", max_length=200, blank=True)
    cdop_email = models.EmailField("panel email", blank=True)
    cdop_phone = models.CharField("panel telephone", max_length=40, blank=True)

    class Meta:
        ordering = ["-is_home", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_home"],
                condition=Q(is_home=True),
                name="area_single_home_area",
                violation_error_message="Another area is already the home area.",
            ),
            models.UniqueConstraint(
                fields=["ons_code"],
                condition=~Q(ons_code=""),
                name="area_unique_ons_code",
                violation_error_message="Another area already has this ONS code.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=normalise_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        # Addresses are stored in lower case, so an exact match finds any way of typing one.
        return self.get(email=normalise_email(username or ""))


class User(AbstractUser):
    """A person who signs in with their work email address. They belong to one agency."""

    username = None
    email = models.EmailField(
        "email address",
        unique=True,
        error_messages={"unique": "A user with this email address already exists."},
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    job_title = models.CharField(max_length=150, blank=True)
    invitation_sent_at = models.DateTimeField(
        "set-password email sent",
        null=True,
        blank=True,
        editable=False,
        help_text="When the email inviting this person to set their password was sent.",
    )
    is_safeguarding_lead = models.BooleanField(
        "named safeguarding lead",
        default=False,
        help_text="One of their agency's named safeguarding leads: they see the child's details "
        "on their agency's notifications. Others at the agency see the reference and status.",
    )
    second_factor_reset_at = models.DateTimeField(
        "second factor last reset",
        null=True,
        blank=True,
        editable=False,
        help_text="When the secretariat last reset this person's second factor: they set it up "
        "again at their next sign-in.",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        indexes = [
            # Lists and searches of people go by surname: read in order, not sorted whole.
            models.Index(fields=["last_name", "first_name", "id"], name="user_by_name"),
            # The invitations not taken up: the few never signed in with no password yet.
            models.Index(
                fields=["invitation_sent_at"],
                condition=Q(
                    is_active=True,
                    last_login__isnull=True,
                    password__startswith=UNUSABLE_PASSWORD_PREFIX,
                ),
                name="user_invited_not_signed_in",
            ),
            # The few closed accounts, which hold no seat.
            models.Index(fields=["id"], condition=Q(is_active=False), name="user_closed"),
        ]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_case_insensitive",
                violation_error_message="A user with this email address already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self) -> None:
        super().clean()
        self.email = normalise_email(self.email)

    def _get_session_auth_hash(self, secret=None) -> str:
        """What keeps a session signed in: the password, as Django has it, and the time the
        person's second factor was last reset, so a reset ends every session they have."""
        if self.second_factor_reset_at is None:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "hscb.User.session_auth_hash",
            f"{self.password}|{self.second_factor_reset_at.isoformat()}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class GroupKind(models.TextChoices):
    BOARD = "board", "Board"
    SUBGROUP = "subgroup", "Subgroup"
    PANEL = "panel", "Panel"


class GroupFunction(models.TextChoices):
    """What a group does for the board. Other apps find "the Case Review subgroup" by this."""

    STRATEGIC_BOARD = "strategic_board", "Strategic Board"
    IMPROVING_OUTCOMES = "improving_outcomes", "Improving outcomes"
    LEARNING_DEVELOPMENT = "learning_development", "Learning and development"
    POLICY_PROCEDURES = "policy_procedures", "Policy and procedures"
    AUDIT = "audit", "Audit"
    PERFORMANCE = "performance", "Performance"
    CASE_REVIEW = "case_review", "Case review"
    CHILD_DEATH_OVERVIEW = "child_death_overview", "Child death overview"
    ADOLESCENTS = "adolescents", "Safeguarding adolescents"


def current_membership(on: datetime.date | None = None, *, prefix: str = "") -> Q:
    """The condition for a membership running on a day, from the membership or through a
    relation to it (`prefix="memberships__"`)."""
    day = on or timezone.localdate()
    return Q(
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": day}),
        **{f"{prefix}start_date__lte": day, f"{prefix}user__is_active": True},
    )


class GroupQuerySet(models.QuerySet["Group"]):
    def active(self) -> GroupQuerySet:
        return self.filter(is_active=True)

    def with_chairs_and_counts(self, on: datetime.date | None = None) -> GroupQuerySet:
        """Each group's current chairs and a count of its current members, without loading
        every member: for lists of groups."""
        day = on or timezone.localdate()
        # Counted group by group from the group's current seats (an index on the group and the
        # end date), not by joining every seat the board has ever had.
        current = (
            Membership.objects.filter(current_membership(day), group=models.OuterRef("pk"))
            .order_by()
            .values("group")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        chairs = (
            Membership.objects.current(day)
            .filter(role=MembershipRole.CHAIR)
            .select_related("user", "agency")
        )
        return self.annotate(member_count=Coalesce(models.Subquery(current), 0)).prefetch_related(
            models.Prefetch("memberships", queryset=chairs, to_attr="current_chairs")
        )

    def with_people(self, on: datetime.date | None = None) -> GroupQuerySet:
        """Prefetch current members (with person and agency) and objectives: a fixed query count."""
        current = Membership.objects.current(on).select_related("user", "agency").by_role()
        return self.select_related("accountable_to").prefetch_related(
            models.Prefetch("memberships", queryset=current, to_attr="current_memberships"),
            "objectives",
        )


class Group(models.Model):
    """The Strategic Board, or one of its subgroups and panels."""

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=16, choices=GroupKind.choices)
    function = models.CharField(
        max_length=32,
        choices=GroupFunction.choices,
        blank=True,
        help_text="What the group does for the board. At most one group has each function.",
    )
    remit = models.TextField(blank=True, max_length=4000)
    chair_is_independent = models.BooleanField(
        "chaired by an independent person",
        default=False,
        help_text="Tick when the chair is independent of the partner agencies.",
    )
    accountable_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accountable_groups",
    )
    accountable_to_chair = models.BooleanField(
        "accountable to that group's chair",
        default=False,
        help_text="Tick when the group answers to the chair personally rather than the group.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Position on the board page.")
    quorum_members = models.PositiveSmallIntegerField(
        "quorum: members present",
        default=0,
        help_text="The fewest members (or their substitutes) who must be present for the "
        "meeting to be quorate. 0 for no minimum.",
    )
    quorum_agencies = models.ManyToManyField(
        Agency,
        blank=True,
        related_name="+",
        verbose_name="quorum: agencies that must be present",
        help_text="Agencies at least one of whose representatives must be present.",
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="A group that is no longer active is seen only by the secretariat.",
    )
    handles_child_records = models.BooleanField(
        "handles children's personal records",
        default=False,
        help_text="Its meetings' agendas, papers and minutes, and its actions, are seen only by "
        "its members and the secretariat. Others see that it meets, and counts.",
    )

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["function"],
                condition=~Q(function=""),
                name="group_unique_function",
                violation_error_message="Another group already has this function.",
            ),
            models.CheckConstraint(
                condition=Q(accountable_to_chair=False) | Q(accountable_to__isnull=False),
                name="group_accountable_to_chair_needs_group",
                violation_error_message=(
                    "Choose the group whose chair this group is accountable to."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("group_detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        """A group cannot answer to itself, directly or round a loop."""
        super().clean()
        seen = {self.pk}
        parent = self.accountable_to
        while parent is not None:
            if parent.pk in seen:
                message = "A group cannot be accountable to itself, even through others."
                raise ValidationError({"accountable_to": message})
            seen.add(parent.pk)
            parent = parent.accountable_to

    def people(self) -> list[Membership]:
        """Current memberships: from the prefetch made by `with_people` when there is one."""
        if not hasattr(self, "current_memberships"):
            self.current_memberships = list(
                self.memberships.current().select_related("user", "agency").by_role()
            )
        return self.current_memberships

    def chairs(self) -> list[Membership]:
        if hasattr(self, "current_chairs"):
            return self.current_chairs
        return [m for m in self.people() if m.role == MembershipRole.CHAIR]


class Objective(models.Model):
    """One of a group's overall objectives, kept word for word as the board wrote it."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="objectives")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(max_length=2000)
    priorities = models.ManyToManyField(
        "hscb.Priority",
        blank=True,
        related_name="objectives",
        help_text="The business plan priorities this objective serves.",
    )

    class Meta:
        ordering = ["group", "order", "pk"]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else f"{self.text[:79]}…"


class MembershipRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    VICE_CHAIR = "vice_chair", "Vice-chair"
    MEMBER = "member", "Member"
    ADVISER = "adviser", "Adviser"
    SECRETARIAT = "secretariat", "Secretariat"


ROLE_RANK = {role: rank for rank, role in enumerate(MembershipRole.values)}


class MembershipQuerySet(models.QuerySet["Membership"]):
    def by_role(self) -> MembershipQuerySet:
        """Chair first, then vice-chair, members, advisers and secretariat; by surname within."""
        rank = models.Case(
            *(models.When(role=role, then=models.Value(n)) for role, n in ROLE_RANK.items()),
            output_field=models.IntegerField(),
        )
        return self.alias(role_rank=rank).order_by(
            "role_rank", "user__last_name", "user__first_name"
        )

    def current(self, on: datetime.date | None = None) -> MembershipQuerySet:
        """Memberships that have started and not ended on the given day (today by default),
        of people whose account is open: a closed account holds no seat."""
        return self.filter(current_membership(on))


class Membership(models.Model):
    """A person's seat on a group, the agency they represent there, and when it runs."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=16, choices=MembershipRole.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="memberships",
        help_text="The agency the person represents on this group.",
    )
    start_date = models.DateField(default=timezone.localdate)
    end_date = models.DateField(null=True, blank=True, help_text="Leave empty while it continues.")

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["group", "role", "user__last_name", "user__first_name"]
        indexes = [
            # A group's current seats (end_date empty or to come) without reading its history.
            models.Index(fields=["group", "end_date"], name="membership_group_end"),
            # The admin's list, newest seats first, read a page at a time.
            models.Index(fields=["start_date", "id"], name="membership_by_start"),
            # Seats ending soon, and the seats running, without reading those long ended.
            models.Index(fields=["end_date"], name="membership_by_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_ends_after_it_starts",
                violation_error_message="The end date must be the same as or after the start date.",
            ),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(role="chair", end_date__isnull=True),
                name="membership_one_open_chair_per_group",
                violation_error_message=(
                    "This group already has a chair with no end date. "
                    "Give that membership an end date first."
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "group"],
                condition=Q(end_date__isnull=True),
                name="membership_one_open_seat_per_person_per_group",
                violation_error_message="This person already has an open membership of this group.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.group}"

    def is_current(self, on: datetime.date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)
