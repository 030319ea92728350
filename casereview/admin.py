"""The secretariat's admin for case review.

The review types (the outcomes the board chair decides among, with the statutory clocks they
start) are data, edited here. Notifications are looked at here and worked on through the case
pages, where the rules are applied: the one thing the secretariat sets here is a case's officer,
whom its running clocks then chase. Considerations, decisions, reviews with their action plans,
and possible duplicates are view-only here, with their history. Lessons are approved (or sent
back with a reason) here by the secretariat before anyone beyond the case team reads them.

A notification, its consideration, decision, review, action plan actions and possible
duplicates are parts of a child's record: opening one (or its history) here is logged, as on the
case pages, and their lists take no query-string lookup but their filters' (ChildRecordAdmin).
Lists show references, never a child's name, and are searched by reference only. Drafts belong
to their notifier until they are submitted, so they are not shown.
"""

from __future__ import annotations

from urllib.parse import unquote

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.template.defaultfilters import filesizeformat, pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from casereview.filters import AGENCY_SEARCH_MAX, agency_words
from casereview.models import (
    AgencyReport,
    Attachment,
    Clock,
    ClockFrom,
    Consideration,
    Decision,
    Lesson,
    LessonStatus,
    Milestone,
    Notification,
    NotificationStatus,
    Outcome,
    PlanAction,
    PlanActionUpdate,
    PossibleDuplicate,
    Recommendation,
    Review,
    ReviewType,
)
from casereview.services.clocks import clocks_reassign
from casereview.services.lessons import APPROVE_LESSONS, lesson_approve, lesson_send_back
from hscb.admin.board import (
    ChildRecordAdmin,
    HistoryAdmin,
    ReadOnlyInline,
    ViewOnly,
    case_link_mixin,
    page_link,
)
from hscb.models import GroupFunction, Membership, User
from hscb.rules import SECRETARIAT_GROUP

# Review types


class ReviewTypeForm(forms.ModelForm):
    """A clock is a length, a unit and a starting point together; the rapid review's also needs
    the deadline for notifying the national panel, from which its own clock runs."""

    class Meta:
        model = ReviewType
        fields = [
            "name",
            "code",
            "regime",
            "outcome",
            "description",
            "order",
            "needs_criteria_met",
            "needs_criteria_not_met",
            "reasons_required",
            "is_active",
            "clock_name",
            "clock_length",
            "clock_unit",
            "clock_from",
            "notify_panel_within",
        ]

    def clean(self):
        cleaned = super().clean()
        clock = {name: cleaned.get(name) for name in ("clock_length", "clock_unit", "clock_from")}
        given = {name for name, value in clock.items() if value not in (None, "")}
        if given and given != set(clock):
            for name in set(clock) - given:
                self.add_error(name, "A clock needs its length, its unit and when it runs from.")
        if clock["clock_length"] == 0:
            self.add_error("clock_length", "A clock runs for at least 1 day.")
        outcome = cleaned.get("outcome")
        within = cleaned.get("notify_panel_within")
        if outcome == Outcome.RAPID_REVIEW:
            if not within:
                self.add_error(
                    "notify_panel_within",
                    "Give the working days an agency has to notify the national panel and "
                    "Ofsted: a rapid review's clock starts from that notification.",
                )
            if not given:
                self.add_error(
                    "clock_length", "A rapid review needs its clock: the working days it takes."
                )
            elif clock["clock_from"] and clock["clock_from"] != ClockFrom.PANEL_NOTIFIED:
                self.add_error(
                    "clock_from",
                    "A rapid review runs from the day the national panel was notified.",
                )
        else:
            if within and outcome:
                self.add_error(
                    "notify_panel_within", "Only the rapid review has a deadline for notifying."
                )
            if clock["clock_from"] and clock["clock_from"] != ClockFrom.DECISION:
                self.add_error(
                    "clock_from", "A decision's clock runs from the day of the decision."
                )
        if cleaned.get("needs_criteria_met") and cleaned.get("needs_criteria_not_met"):
            self.add_error(
                "needs_criteria_not_met",
                "A type cannot need the criteria both met and not met: untick one.",
            )
        return cleaned


@admin.register(ReviewType)
class ReviewTypeAdmin(HistoryAdmin):
    form = ReviewTypeForm
    list_display = ["name", "regime", "outcome", "clock_rule", "is_active"]
    list_editable = ["is_active"]
    list_filter = ["regime", "outcome", "is_active"]
    search_fields = ["name", "code"]
    ordering = ["order", "name"]
    fieldsets = [
        (None, {"fields": ["name", "code", "regime", "outcome", "description", "order"]}),
        (
            "The decision",
            {
                "fields": [
                    "needs_criteria_met",
                    "needs_criteria_not_met",
                    "reasons_required",
                    "is_active",
                ]
            },
        ),
        (
            "Statutory clock",
            {
                "fields": [
                    "clock_name",
                    "clock_length",
                    "clock_unit",
                    "clock_from",
                    "notify_panel_within",
                ],
                "description": "A clock already running on a case keeps the deadline it "
                "started with; a change here applies to the clocks started after it.",
            },
        ),
    ]

    @admin.display(description="clock")
    def clock_rule(self, obj: ReviewType) -> str:
        return obj.clock_description or "—"

    def get_readonly_fields(self, request: HttpRequest, obj: ReviewType | None = None):
        # The code is how the system knows a type: fixed once it exists.
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: ReviewType | None = None) -> bool:
        """A type that a decision, a consideration or a review uses is kept (made inactive
        instead), so that nothing about those cases is lost."""
        if obj is not None and (
            Decision.objects.filter(review_type=obj).exists()
            or Consideration.objects.filter(recommendation=obj).exists()
            or Review.objects.filter(review_type=obj).exists()
        ):
            return False
        return super().has_delete_permission(request, obj)


# Notifications


def case_officer_choices(current_id: int | None = None) -> QuerySet[User]:
    """Who may be a case's officer: the secretariat and the Case Review subgroup's members
    (and whoever already is, so that saving the page does not fail on them). The case team's
    keys are read first (one query), so the people are looked up by them rather than every
    account being tested against the team."""
    secretariat = User.objects.filter(is_staff=True, groups__name=SECRETARIAT_GROUP)
    members = Membership.objects.current(timezone.localdate()).filter(
        group__function=GroupFunction.CASE_REVIEW, group__is_active=True
    )
    team = secretariat.order_by().values_list("pk").union(members.order_by().values_list("user_id"))
    case_team = [pk for (pk,) in team]
    return User.objects.filter(Q(pk__in=case_team, is_active=True) | Q(pk=current_id)).order_by(
        "last_name", "first_name"
    )


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["document", "description", "file_size", "uploaded_at"]
    verbose_name_plural = "documents"

    @admin.display(description="name")
    def document(self, obj: Attachment) -> str:
        return page_link(
            reverse("casereview:attachment_download", kwargs={"pk": obj.pk}), obj.original_name
        )

    @admin.display(description="size")
    def file_size(self, obj: Attachment) -> str:
        return filesizeformat(obj.size)


class ClockInline(ReadOnlyInline):
    model = Clock
    fields = ["name", "rule", "starts_on", "due_on", "met_on", "owner"]
    related = ("owner",)
    verbose_name_plural = "statutory clocks"


class PossibleDuplicateInline(ReadOnlyInline):
    model = PossibleDuplicate
    fk_name = "notification"
    fields = ["match", "reason", "status", "flagged_at"]
    related = ("match",)
    verbose_name_plural = "may duplicate"


class MatchedByInline(ReadOnlyInline):
    model = PossibleDuplicate
    fk_name = "match"
    fields = ["notification", "reason", "status", "flagged_at"]
    related = ("notification",)
    verbose_name_plural = "may be duplicated by"


class AgencyNameFilter(admin.SimpleListFilter):
    """Rows whose agency (through `path`) has every word typed in its name or short name. A
    text box, not a link for every agency: the list would grow with the number of agencies."""

    template = "casereview/admin/name_filter.html"
    path = "agency__"

    def lookups(self, request, model_admin):
        return []

    def has_output(self) -> bool:
        return True

    def choices(self, changelist):
        """One choice, "any agency", as a list's filter has; with what the box needs: the
        words typed and the list's other parameters, kept as hidden fields."""
        kept = [
            (name, value)
            for name, values in changelist.filter_params.items()
            if name != self.parameter_name
            for value in values
        ]
        yield {
            "selected": not self.value(),
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": f"Any {self.title}",
            "parameter": self.parameter_name,
            "label": f"Words in the {self.title}'s name",
            "value": self.value() or "",
            "max_length": AGENCY_SEARCH_MAX,
            "kept": kept,
        }

    def queryset(self, request, queryset: QuerySet):
        words = (self.value() or "")[:AGENCY_SEARCH_MAX].replace("\x00", "")
        return queryset.filter(agency_words(words, prefix=self.path)) if words.strip() else queryset


class NotifyingAgencyFilter(AgencyNameFilter):
    title = "agency"
    parameter_name = "agency"


class LeadAgencyFilter(AgencyNameFilter):
    title = "lead agency"
    parameter_name = "lead_agency"
    path = "lead_agency__"


class SubmittedFilter(admin.SimpleListFilter):
    """Status, without the draft (drafts are not shown here)."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [c for c in NotificationStatus.choices if c[0] != NotificationStatus.DRAFT]

    def queryset(self, request, queryset: QuerySet[Notification]):
        return queryset.filter(status=self.value()) if self.value() else queryset


CHILD = [
    "first_name",
    "last_name",
    "other_names",
    "date_of_birth",
    "age_years",
    "sex",
    "ethnicity",
    "nhs_number",
    "home_area",
    "legal_status",
]
INCIDENT = [
    "incident_date",
    "incident_description",
    "aware_date",
    "harm",
    "abuse_or_neglect",
    "in_custody",
]
CASE = [
    "reference",
    "status",
    "case_page",
    "agency",
    "notifier",
    "notifier_phone",
    "submitted_at",
    "panel_notified_on",
    "merged_into",
]


@admin.register(Notification)
class NotificationAdmin(ChildRecordAdmin):
    """A child's record: looked at here (and the view logged), changed on the case pages,
    except its case officer, whom the secretariat assigns here."""

    list_display = ["reference", "status", "agency", "submitted_at", "case_officer"]
    list_filter = [SubmittedFilter, NotifyingAgencyFilter]
    list_select_related = ["agency", "case_officer"]
    search_fields = ["reference"]
    search_help_text = "Search by the notification's reference, like SIN-2026-00012."
    date_hierarchy = "submitted_at"
    fieldsets = [
        (None, {"fields": CASE}),
        (
            "Case officer",
            {
                "fields": ["case_officer"],
                "description": "A new case officer is chased from now on about every "
                "statutory clock still running on the case.",
            },
        ),
        ("The child", {"fields": CHILD}),
        ("What happened", {"fields": INCIDENT}),
        ("Agencies and safety", {"fields": ["agencies_involved", "safety_action"]}),
    ]
    readonly_fields = [*CASE, *CHILD, *INCIDENT, "agencies_involved", "safety_action"]
    inlines = [AttachmentInline, ClockInline, PossibleDuplicateInline, MatchedByInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        # A draft is its notifier's alone until it is submitted.
        return super().get_queryset(request).submitted()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="case page")
    def case_page(self, obj: Notification) -> str:
        return page_link(obj.get_absolute_url(), "Open the case page")

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        if db_field.name == "case_officer":
            match = request.resolver_match
            object_id = match.kwargs.get("object_id") if match else None
            current = (
                Notification.objects.filter(pk=unquote(object_id))
                .values_list("case_officer_id", flat=True)
                .first()
                if object_id and unquote(object_id).isdigit()
                else None
            )
            kwargs["queryset"] = case_officer_choices(current)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Notification, form, change: bool) -> None:
        """Only the case officer is saved (every other field is read-only here), on the row as
        it is now, so a case that moved on meanwhile is not set back; its running clocks then
        chase the new officer."""
        if "case_officer" not in form.changed_data:
            return
        with transaction.atomic():
            current = Notification.objects.select_for_update().get(pk=obj.pk)
            current.case_officer = form.cleaned_data["case_officer"]
            current.save(update_fields=["case_officer", "updated_at"])
            clocks_reassign(notification=current)


# The subgroup's consideration and the board chair's decision

CaseLink = case_link_mixin("notification", "notification")


@admin.register(Consideration)
class ConsiderationAdmin(ViewOnly, CaseLink, ChildRecordAdmin):
    access_also = ("notification",)
    list_display = ["reference", "recommendation", "meets_criteria", "recorded_by", "recorded_at"]
    list_filter = ["recommendation"]
    list_select_related = ["notification", "recommendation", "recorded_by"]
    search_fields = ["=notification__reference"]
    date_hierarchy = "recorded_at"
    fields = [
        "notification",
        "case_page",
        "abuse_or_neglect",
        "child_died",
        "seriously_harmed",
        "concern_working_together",
        "died_in_custody",
        "meets_criteria",
        "assessment",
        "recommendation",
        "rationale",
        "meeting",
        "recorded_by",
        "recorded_at",
    ]
    readonly_fields = fields

    @admin.display(boolean=True, description="criteria met")
    def meets_criteria(self, obj: Consideration) -> bool:
        return obj.criteria_met


@admin.register(Decision)
class DecisionAdmin(ViewOnly, CaseLink, ChildRecordAdmin):
    access_also = ("notification",)
    list_display = ["reference", "review_type", "criteria_met", "decided_by", "decided_on"]
    list_filter = ["review_type", "criteria_met"]
    list_select_related = ["notification", "review_type", "decided_by"]
    search_fields = ["=notification__reference"]
    date_hierarchy = "decided_on"
    fields = [
        "notification",
        "case_page",
        "review_type",
        "reasons",
        "criteria_met",
        "override_reason",
        "decided_by",
        "decided_on",
        "recorded_at",
    ]
    readonly_fields = fields


@admin.register(PossibleDuplicate)
class PossibleDuplicateAdmin(ViewOnly, ChildRecordAdmin):
    """Linked, merged or dismissed on the duplicates page: both cases are checked there. Why two
    cases may be one child is part of both records: opening it here is a view of both."""

    access_also = ("notification", "match")

    list_display = ["notification", "match", "reason", "status", "flagged_at", "resolved_by"]
    list_filter = ["status", "reason"]
    list_select_related = ["notification", "match", "resolved_by"]
    search_fields = ["=notification__reference", "=match__reference"]
    date_hierarchy = "flagged_at"
    fields = [
        "notification",
        "match",
        "reason",
        "status",
        "flagged_at",
        "resolved_by",
        "resolved_at",
        "note",
        "page",
    ]
    readonly_fields = fields

    @admin.display(description="resolve")
    def page(self, obj: PossibleDuplicate) -> str:
        return page_link(
            reverse("casereview:duplicate_resolve", kwargs={"pk": obj.pk}),
            "Open the page to link, merge or dismiss it",
        )


# Reviews, action plans and lessons


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ["title", "due_on", "completed_on"]


class AgencyReportInline(ReadOnlyInline):
    model = AgencyReport
    fields = ["agency", "requested_on", "due_on", "received_on", "note"]
    related = ("agency",)


class RecommendationInline(ReadOnlyInline):
    model = Recommendation
    fields = ["number", "text"]


@admin.register(Review)
class ReviewAdmin(ViewOnly, CaseLink, ChildRecordAdmin):
    access_also = ("notification",)
    list_display = ["reference", "review_type", "status", "started_on", "due_on", "lead_reviewer"]
    list_filter = ["status", "review_type"]
    list_select_related = ["notification", "review_type"]
    search_fields = ["=notification__reference", "lead_reviewer"]
    date_hierarchy = "started_on"
    fields = [
        "notification",
        "case_page",
        "page",
        "review_type",
        "status",
        "started_on",
        "due_on",
        "lead_reviewer",
        "lead_reviewer_organisation",
        "lead_reviewer_independent",
        "terms_of_reference",
        "terms_agreed_on",
        "final_report_name",
        "final_report_received_on",
        "adopted_on",
        "published_on",
    ]
    readonly_fields = fields
    inlines = [MilestoneInline, AgencyReportInline, RecommendationInline]

    @admin.display(description="review page")
    def page(self, obj: Review) -> str:
        # The report itself is served by the review's pages, which check and log who reads it.
        return page_link(obj.get_absolute_url(), "Open the review's page")


class PlanActionUpdateInline(ReadOnlyInline):
    model = PlanActionUpdate
    fields = ["at", "by", "rag", "status", "evidence", "note"]
    related = ("by",)
    verbose_name_plural = "updates"


@admin.register(PlanAction)
class PlanActionAdmin(ViewOnly, ChildRecordAdmin):
    """Action plan actions and their dated updates, which the Audit subgroup audits. An action
    answers a review of a child's case: opening it is a view of that case too."""

    access_also = ("recommendation__review__notification",)

    list_display = [
        "__str__",
        "review",
        "lead_agency",
        "owner",
        "due_date",
        "rag",
        "status",
    ]
    list_filter = ["status", "rag", LeadAgencyFilter]
    list_select_related = ["recommendation__review__notification", "lead_agency", "owner"]
    search_fields = ["description", "=recommendation__review__notification__reference"]
    date_hierarchy = "due_date"
    fields = [
        "review",
        "recommendation",
        "description",
        "lead_agency",
        "owner",
        "due_date",
        "rag",
        "status",
        "evidence",
        "completed_on",
        "group",
        "created_at",
        "page",
    ]
    readonly_fields = fields
    inlines = [PlanActionUpdateInline]

    @admin.display(description="review", ordering="recommendation__review__notification__reference")
    def review(self, obj: PlanAction) -> str:
        return (
            f"{obj.recommendation.review.notification.reference}, "
            f"recommendation {obj.recommendation.number}"
        )

    @admin.display(description="action's page")
    def page(self, obj: PlanAction) -> str:
        return page_link(obj.get_absolute_url())


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label="Why is the lesson sent back?",
        help_text="The case team sees this on the review's page, and changes the lesson. Do not "
        "repeat the child's details here.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter why the lesson is sent back"},
    )


@admin.register(Lesson)
class LessonAdmin(ViewOnly, HistoryAdmin):
    """Lessons are recorded and changed by the case team on the review's pages; here the
    secretariat checks each one and approves it (it then shows on Lessons learnt) or sends it
    back with the reason, through the services, so that the rules hold and the history keeps
    who decided and when. Lessons waiting for approval: filter by status."""

    list_display = [
        "theme",
        "status",
        "practice_area",
        "review_reference",
        "recorded_at",
        "decided_by",
    ]
    list_filter = ["status", "practice_area"]
    list_select_related = ["review__notification", "decided_by"]
    # Each row has the approval action's checkbox: half the admin's usual page keeps it quick.
    list_per_page = 50
    search_fields = ["theme", "lesson"]
    date_hierarchy = "recorded_at"
    fields = [
        "theme",
        "lesson",
        "practice_area",
        "agencies",
        "review_reference",
        "recorded_by",
        "recorded_at",
        "status",
        "return_reason",
        "decided_by",
        "decided_at",
    ]
    readonly_fields = fields
    actions = ["approve_selected"]

    @admin.display(description="review", ordering="review__notification__reference")
    def review_reference(self, obj: Lesson) -> str:
        return obj.review.notification.reference

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(APPROVE_LESSONS)

    @admin.action(description="Approve the selected lessons", permissions=["approve"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Lesson]) -> None:
        approved, refused = 0, []
        for lesson in queryset.select_related("review__notification").order_by("pk"):
            try:
                lesson_approve(lesson=lesson, by=request.user)
            except ValidationError as error:
                refused.append(f"“{lesson.theme}”: {' '.join(error.messages)}")
            else:
                approved += 1
        if approved:
            self.message_user(
                request,
                f"{approved} lesson{pluralize(approved)} approved: now on Lessons learnt.",
                messages.SUCCESS,
            )
        for problem in refused:
            self.message_user(request, f"Not approved: {problem}", messages.ERROR)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="{}_{}_approve".format(*info),
            ),
            path(
                "<path:object_id>/send-back/",
                self.admin_site.admin_view(self.send_back_view),
                name="{}_{}_send_back".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"can_approve": self.has_approve_permission(request), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra)

    def _lesson_to_decide(self, request: HttpRequest, object_id: str) -> Lesson:
        if not self.has_approve_permission(request):
            raise PermissionDenied
        lesson = self.get_object(request, unquote(object_id))
        if lesson is None:
            raise Http404("No such lesson.")
        return lesson

    def _page(self, request: HttpRequest, lesson: Lesson, template: str, **context):
        return TemplateResponse(
            request,
            f"admin/casereview/lesson/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "object": lesson,
                "title": context.pop("title"),
                **context,
            },
        )

    def _back_to(self, lesson: Lesson) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:casereview_lesson_change", args=[lesson.pk]))

    def approve_view(self, request: HttpRequest, object_id: str):
        lesson = self._lesson_to_decide(request, object_id)
        if lesson.status != LessonStatus.PENDING and request.method != "POST":
            self.message_user(
                request,
                f"This lesson is “{lesson.get_status_display().lower()}”: only a lesson waiting "
                "for approval can be approved.",
                messages.WARNING,
            )
            return self._back_to(lesson)
        if request.method == "POST":
            try:
                lesson_approve(lesson=lesson, by=request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"“{lesson.theme}” is approved: now on Lessons learnt.",
                    messages.SUCCESS,
                )
            return self._back_to(lesson)
        return self._page(request, lesson, "approve.html", title="Approve the lesson")

    def send_back_view(self, request: HttpRequest, object_id: str):
        lesson = self._lesson_to_decide(request, object_id)
        if lesson.status == LessonStatus.RETURNED:
            self.message_user(
                request,
                "This lesson has already been sent back: the case team will change it.",
                messages.WARNING,
            )
            return self._back_to(lesson)
        form = SendBackForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                lesson_send_back(lesson=lesson, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for message in error.message_dict.get("reason", []):
                        form.add_error("reason", message)
                else:
                    self.message_user(request, " ".join(error.messages), messages.ERROR)
                    return self._back_to(lesson)
            else:
                self.message_user(
                    request,
                    f"“{lesson.theme}” has been sent back to the case team.",
                    messages.SUCCESS,
                )
                return self._back_to(lesson)
        return self._page(
            request, lesson, "send_back.html", title="Send the lesson back", form=form
        )
