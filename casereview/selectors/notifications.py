"""Reads for the agency's notification pages, scoped to the person asking: their own drafts, and
their agency's submitted notifications with the status the agency is told (never the Case
Review subgroup's consideration, decision or review). The child's details and the documents
are read out only for the notifier and the agency's named safeguarding leads
(`casereview.see_notification_child`). Lists run a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.urls import reverse

from hscb.lib.checks import long_date
from hscb.models import Agency, Area, User

from ..models import (
    STEPS,
    Attachment,
    Clock,
    ClockKind,
    Notification,
    NotificationStatus,
    Outcome,
    ReviewType,
)
from ..services.notifications import (
    STEP_FIELDS,
    STEP_OF,
    notification_values,
    steps_unanswered,
)

PER_PAGE = 20
# The largest primary key a database holds: a bigger number in an address is no record (SQLite
# would raise OverflowError for it, a 500).
PK_MAX = 2**63 - 1
STEP_TITLES = dict(STEPS)
STEP_NUMBERS = {slug: number for number, (slug, _title) in enumerate(STEPS, start=1)}
DATE_FIELDS = {"date_of_birth", "incident_date", "aware_date"}
CHOICE_FIELDS = {
    "sex",
    "legal_status",
    "harm",
    "abuse_or_neglect",
    "in_custody",
    "agencies_involved",
}


def anchor(name: str) -> str:
    """The id of a question's first input on its step: a date's day, a set's first choice."""
    if name in DATE_FIELDS:
        return f"id_{name}_0"
    if name in CHOICE_FIELDS:
        return f"id_{name}_1"
    return f"id_{name}"


def get_notification_for_user(user: User, pk: int) -> Notification:
    """The notification with what its pages show, or 404 unless it is the user's own draft or
    a submitted notification of their agency."""
    notification = None
    if 0 < pk <= PK_MAX:
        notification = (
            Notification.objects.filter(pk=pk)
            .select_related("agency", "notifier", "home_area")
            .prefetch_related(
                Prefetch("agencies_involved", queryset=Agency.objects.order_by("name")),
                Prefetch(
                    "attachments",
                    queryset=Attachment.objects.order_by("uploaded_at", "pk"),
                ),
            )
            .first()
        )
    if notification is None or not user.has_perm("casereview.see_own_notification", notification):
        raise Http404("No such notification.")
    return notification


def child_answers_for(user: User, notification: Notification) -> list[Section] | None:
    """The notification's answers (the child's details, what happened, the documents) when
    they are for `user`: its notifier and their agency's named safeguarding leads. None for
    anyone else at the agency, who sees the reference, dates and status only."""
    if not user.has_perm("casereview.see_notification_child", notification):
        return None
    return notification_answers(notification)


def agency_choices(notification: Notification) -> QuerySet[Agency]:
    """The agencies a notification's step offers to tick: the notifier's own (if it still takes
    part) and those it names already. Any other agency taking part is typed by name
    (hscb.forms.agencies), so the step does not grow with the number of agencies."""
    named = [a.pk for a in notification.agencies_involved.all()]
    offered = Q(pk=notification.agency_id, is_active=True) | Q(pk__in=named)
    return Agency.objects.filter(offered).order_by("name")


def area_choices() -> QuerySet[Area]:
    """Every area, the board's home area first."""
    return Area.objects.order_by("-is_home", "name")


def panel_notification_days() -> int | None:
    """Working days an agency has to see the national panel and Ofsted told (the rapid review
    type's rule), or None when the review types lack it."""
    review_type = (
        ReviewType.objects.filter(outcome=Outcome.RAPID_REVIEW, is_active=True)
        .order_by("order", "pk")
        .first()
    )
    return review_type.notify_panel_within if review_type else None


def panel_notification_clock(notification: Notification) -> Clock | None:
    return Clock.objects.filter(
        notification=notification, kind=ClockKind.PANEL_NOTIFICATION
    ).first()


# The list ------------------------------------------------------------------------------------


@dataclass
class Draft:
    notification: Notification
    continue_url: str
    steps_left: int


@dataclass
class NotificationListing:
    """`drafts` are those of `drafts_page` (the `drafts` parameter), with where to continue."""

    drafts: list[Draft]
    drafts_page: Page
    page: Page
    agency: Agency | None


def _continue_url(notification: Notification, unanswered: list[str]) -> str:
    if unanswered:
        return reverse(
            "casereview:notification_step", kwargs={"pk": notification.pk, "step": unanswered[0]}
        )
    return reverse("casereview:notification_check", kwargs={"pk": notification.pk})


def notification_listing(
    user: User,
    *,
    page_number: str | int | None = None,
    drafts_page_number: str | int | None = None,
) -> NotificationListing:
    """The user's own drafts, most recently saved first, and their agency's submitted
    notifications, newest first, each 20 to a page (the pages of drafts are turned apart from
    the others'). Nothing of another agency's, and nothing that names the child."""
    if not user.has_perm("casereview.add_notification"):
        raise PermissionDenied("Notifications are for staff of the board's partner agencies.")
    own_drafts = (
        Notification.objects.filter(notifier=user, status=NotificationStatus.DRAFT)
        .prefetch_related("agencies_involved")
        .order_by("-updated_at", "-pk")
    )
    drafts_page = Paginator(own_drafts, PER_PAGE).get_page(drafts_page_number)
    drafts = []
    for notification in drafts_page.object_list:
        unanswered = steps_unanswered(notification_values(notification))
        drafts.append(
            Draft(
                notification=notification,
                continue_url=_continue_url(notification, unanswered),
                steps_left=len(unanswered),
            )
        )
    submitted = (
        Notification.objects.submitted()
        .for_agency(user.agency_id)
        .select_related("notifier")
        .order_by("-submitted_at", "-pk")
    )
    page = Paginator(submitted, PER_PAGE).get_page(page_number)
    return NotificationListing(
        drafts=drafts, drafts_page=drafts_page, page=page, agency=user.agency
    )


# The answers, as the check page and the agency's page show them -------------------------------


@dataclass
class Row:
    label: str
    value: str = ""
    values: list[str] = field(default_factory=list)
    anchor: str = ""
    missing: bool = False
    long: bool = False


@dataclass
class Section:
    step: str
    number: int
    title: str
    rows: list[Row]
    attachments: list[Attachment] = field(default_factory=list)


def _nhs(number: str) -> str:
    return f"{number[:3]} {number[3:6]} {number[6:]}" if len(number) == 10 else number


def _row(label: str, value: str, anchor: str, *, required: bool = True, **kwargs) -> Row:
    if value:
        return Row(label=label, value=value, anchor=anchor, **kwargs)
    return Row(label=label, value="" if required else "Not given", anchor=anchor, missing=required)


def notification_answers(notification: Notification) -> list[Section]:
    """The answers step by step; a required one not given is marked missing ("Not answered").
    Reads the notification's prefetched agencies and attachments (no further query)."""
    n = notification
    dob_or_age = n.date_of_birth is not None or n.age_years is not None
    if n.date_of_birth:
        dob = long_date(n.date_of_birth)
    elif n.age_years is not None:
        dob = "Not known"
    else:
        dob = ""
    custody = ("Yes" if n.in_custody else "No") if n.harm else ""
    agencies = [a.name for a in n.agencies_involved.all()]
    sections = {
        "child": [
            _row("First name", n.first_name, anchor("first_name")),
            _row("Last name", n.last_name, anchor("last_name")),
            _row("Other names", n.other_names, anchor("other_names"), required=False),
            Row(
                label="Date of birth",
                value=dob,
                anchor=anchor("date_of_birth"),
                missing=not dob_or_age,
            ),
            _row(
                "Approximate age",
                f"{n.age_years} year{'' if n.age_years == 1 else 's'}"
                if n.age_years is not None
                else "",
                anchor("age_years"),
                required=False,
            ),
            _row("NHS number", _nhs(n.nhs_number), anchor("nhs_number"), required=False),
        ],
        "circumstances": [
            _row("Sex", n.get_sex_display() if n.sex else "", anchor("sex")),
            _row(
                "Ethnic group",
                n.get_ethnicity_display() if n.ethnicity else "",
                anchor("ethnicity"),
            ),
            _row("Home area", str(n.home_area) if n.home_area else "", anchor("home_area")),
            _row(
                "Legal status",
                n.get_legal_status_display() if n.legal_status else "",
                anchor("legal_status"),
            ),
        ],
        "incident": [
            _row("Date of the incident", long_date(n.incident_date), anchor("incident_date")),
            _row(
                "What happened", n.incident_description, anchor("incident_description"), long=True
            ),
            _row("Date your agency became aware", long_date(n.aware_date), anchor("aware_date")),
            _row("Death or serious harm", n.get_harm_display() if n.harm else "", anchor("harm")),
            _row(
                "Abuse or neglect",
                n.get_abuse_or_neglect_display() if n.abuse_or_neglect else "",
                anchor("abuse_or_neglect"),
            ),
            _row("In custody or a secure setting", custody, anchor("in_custody")),
        ],
        "agencies": [
            Row(
                label="Agencies involved",
                values=agencies,
                anchor=anchor("agencies_involved"),
                missing=not agencies,
            ),
            _row(
                "Immediate safety action taken", n.safety_action, anchor("safety_action"), long=True
            ),
            _row("Telephone number", n.notifier_phone, anchor("notifier_phone")),
        ],
    }
    answers = [
        Section(step=step, number=STEP_NUMBERS[step], title=STEP_TITLES[step], rows=rows)
        for step, rows in sections.items()
    ]
    attachments = list(n.attachments.all())
    answers.append(
        Section(
            step="attachments",
            number=STEP_NUMBERS["attachments"],
            title=STEP_TITLES["attachments"],
            rows=[
                Row(
                    label="Documents",
                    values=[
                        f"{a.original_name} ({filesizeformat(a.size)})"
                        + (f": {a.description}" if a.description else "")
                        for a in attachments
                    ]
                    or ["None"],
                    anchor="id_file",
                )
            ],
            attachments=attachments,
        )
    )
    return answers


@dataclass
class Problem:
    message: str
    url: str


def submission_problems(errors: dict[str, list[str]], notification: Notification) -> list[Problem]:
    """The service's reasons for refusing a submission, each linked to its question on its
    step (coming back to the check page), in the order of the steps."""
    problems = []
    for step, fields in STEP_FIELDS.items():
        base = reverse("casereview:notification_step", kwargs={"pk": notification.pk, "step": step})
        for name in fields:
            for message in errors.get(name, []):
                problems.append(Problem(message=message, url=f"{base}?return=check#{anchor(name)}"))
    for name, messages in errors.items():
        if name not in STEP_OF:
            problems.extend(Problem(message=message, url="") for message in messages)
    return problems
