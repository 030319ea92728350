"""The secretariat's admin for the board core: agencies, areas, people, groups and memberships."""

from __future__ import annotations

from urllib.parse import unquote

from auditlog.mixins import AuditlogHistoryAdminMixin
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.filters import FieldListFilter, ListFilter, SimpleListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from hscb.admin.accessible import labelled_row_form
from hscb.lib.access import LogAccessAdminMixin
from hscb.lib.twofactor import second_factor_summary
from hscb.models import Agency, Area, Group, Membership, MembershipRole, Objective, User
from hscb.rules import SECRETARIAT_GROUP
from hscb.services import board as services
from hscb.services import twofactor


def count_of(model, field: str) -> Coalesce:
    """How many `model` rows point by `field` at each row of a list: a subquery counted for the
    rows of the page shown (from the index on `field`), not every row joined and grouped."""
    counted = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


class HistoryAdmin(AuditlogHistoryAdminMixin, admin.ModelAdmin):
    """Every model admin shows a link to the record's full change history. The history of a
    record this admin does not show (a draft, say) is not found, rather than an error."""

    show_auditlog_history_link = True
    # A page of a list, not a hundred rows: a list page's time is mostly its rows.
    list_per_page = 50

    def auditlog_history_view(self, request, object_id, extra_context=None):
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().auditlog_history_view(request, object_id, extra_context)

    def get_changelist_form(self, request, **kwargs):
        return labelled_row_form(super().get_changelist_form(request, **kwargs))


class ChildRecordAdmin(LogAccessAdminMixin, HistoryAdmin):
    """Part of a child's record: opening its change page or its history is logged.

    Its list takes as query-string lookups only the parameters of the filters it shows and of
    its date hierarchy, never a lookup of one's own (`?first_name__iexact=…`, `?nhs_number=…`,
    `?notification__last_name=…`): such a lookup would test a child's details without opening,
    and so logging, a record. Django answers a refused lookup with 400 Bad Request. Its search
    (`q`) is by reference only, through `search_fields`.
    """

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        return lookup in self.shown_filter_parameters(request)

    def shown_filter_parameters(self, request: HttpRequest | None) -> set[str]:
        """The query-string parameters of the list's filters (as each filter names them) and of
        its date hierarchy."""
        parameters: set[str] = set()
        if self.date_hierarchy:
            parameters |= {f"{self.date_hierarchy}__{part}" for part in ("year", "month", "day")}
        list_filter = self.get_list_filter(request) if request is not None else self.list_filter
        for item in list_filter:
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                parameters.add(item.parameter_name)
                continue
            if isinstance(item, type) and issubclass(item, ListFilter):
                spec = item(request, {}, self.model, self)
            else:
                path, filter_class = item if isinstance(item, list | tuple) else (item, None)
                field = get_fields_from_path(self.model, path)[-1]
                filter_class = filter_class or FieldListFilter.create
                spec = filter_class(field, request, {}, self.model, self, field_path=path)
            parameters.update(spec.expected_parameters())
        return parameters


class ViewOnly:
    """Looked at here; written through the app's pages, where the rules are applied."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyInline(ViewOnly, admin.TabularInline):
    """Rows shown with their parent, never added, changed or deleted here."""

    extra = 0
    can_delete = False
    show_change_link = False
    related: tuple[str, ...] = ()  # loaded with the rows, for their columns

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return self.fields or ()

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request)
        return queryset.select_related(*self.related) if self.related else queryset


def page_link(url: str, text: str = "Open its page") -> str:
    return format_html('<a href="{}">{}</a>', url, text)


def case_link_mixin(relation: str, description: str) -> type:
    """Columns for a record that belongs to a case (`relation` names the case): the case's
    reference, sorted by, and a link to its page."""

    class CaseLink:
        @admin.display(description=description, ordering=f"{relation}__reference")
        def reference(self, obj) -> str:
            return getattr(obj, relation).reference

        @admin.display(description="case page")
        def case_page(self, obj) -> str:
            return page_link(getattr(obj, relation).get_absolute_url(), "Open the case page")

    return CaseLink


class CurrentMembershipFilter(admin.SimpleListFilter):
    title = "whether current"
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", "Current"), ("ended", "Ended"), ("future", "Not started")]

    def queryset(self, request, queryset: QuerySet[Membership]):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.current(today)
        if self.value() == "ended":
            return queryset.filter(end_date__lt=today)
        if self.value() == "future":
            return queryset.filter(start_date__gt=today)
        return queryset


class MembershipForm(forms.ModelForm):
    """The agency a person represents defaults to their own agency."""

    class Meta:
        model = Membership
        fields = ["user", "group", "role", "agency", "start_date", "end_date"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "agency" in self.fields:
            self.fields["agency"].required = False
            self.fields["agency"].help_text = "Leave empty to use the person's own agency."

    def clean(self):
        cleaned = super().clean()
        user = cleaned.get("user") or getattr(self.instance, "user", None)
        if not cleaned.get("agency"):
            if user is not None and user.agency_id:
                cleaned["agency"] = user.agency
                self.instance.agency = user.agency
            else:
                self.add_error("agency", "Choose the agency this person represents.")
        return cleaned


class MembershipFormSet(forms.BaseInlineFormSet):
    """Checks the rows sent together against each other: the database's one-open-seat and
    one-open-chair rules only see rows already saved."""

    def clean(self) -> None:
        super().clean()
        seats: set[tuple[int, int]] = set()
        chairs: set[int] = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("end_date"):
                continue
            user = data.get("user") or getattr(form.instance, "user", None)
            group = data.get("group") or getattr(form.instance, "group", None)
            if user is None or group is None:
                continue
            if (user.pk, group.pk) in seats:
                raise forms.ValidationError(
                    f"{user} has two open memberships of the {group} here. Give one an end date."
                )
            seats.add((user.pk, group.pk))
            if data.get("role") == MembershipRole.CHAIR:
                if group.pk in chairs:
                    raise forms.ValidationError(
                        f"The {group} has two open chairs here. Give one an end date."
                    )
                chairs.add(group.pk)


class MembershipInlineBase(admin.TabularInline):
    model = Membership
    form = MembershipForm
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["user", "group", "agency"]
    fields = ["user", "group", "role", "agency", "start_date", "end_date"]
    show_change_link = True


class GroupMembershipInline(MembershipInlineBase):
    fk_name = "group"
    autocomplete_fields = ["user", "agency"]
    fields = ["user", "role", "agency", "start_date", "end_date"]
    verbose_name = "member"
    verbose_name_plural = "members"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "agency")


class UserMembershipInline(MembershipInlineBase):
    fk_name = "user"
    autocomplete_fields = ["group", "agency"]
    fields = ["group", "role", "agency", "start_date", "end_date"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("group", "agency")


class ObjectiveInline(admin.TabularInline):
    model = Objective
    extra = 0
    fields = ["order", "text"]


@admin.register(Agency)
class AgencyAdmin(HistoryAdmin):
    list_display = ["name", "short_name", "sector", "staff_count", "is_active"]
    list_filter = ["sector", "is_active"]
    search_fields = ["name", "short_name"]

    def get_queryset(self, request):
        # Counted row by row for the page shown, not grouped over every account of every agency.
        return super().get_queryset(request).annotate(_staff=count_of(User, "agency"))

    @admin.display(description="people", ordering="_staff")
    def staff_count(self, obj: Agency) -> str:
        """The number of accounts at the agency, linked to the list of them."""
        url = reverse("admin:hscb_user_changelist")
        return format_html('<a href="{}?agency__id__exact={}">{}</a>', url, obj.pk, obj._staff)


@admin.register(Area)
class AreaAdmin(HistoryAdmin):
    list_display = ["name", "ons_code", "is_home", "is_neighbour", "cdop_name", "cdop_email"]
    list_filter = ["is_home", "is_neighbour"]
    search_fields = ["name", "ons_code", "cdop_name", "cdop_email"]
    fieldsets = [
        (None, {"fields": ["name", "ons_code", "is_home", "is_neighbour"]}),
        (
            "Child death overview panel",
            {
                "fields": ["cdop_name", "cdop_email", "cdop_phone"],
                "description": "Child details are sent to this email address. A change to it is "
                "emailed to the old address and to the chair of our Child Death Overview Panel.",
            },
        ),
    ]

    def save_model(self, request: HttpRequest, obj: Area, form, change: bool) -> None:
        if change:
            services.area_update(area=obj)
        else:
            super().save_model(request, obj, form, change)


class UserInviteForm(forms.ModelForm):
    """A new person: no password here; they are emailed a link to set their own."""

    class Meta:
        model = User
        fields = ["email", "first_name", "last_name", "job_title", "agency"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ["first_name", "last_name", "agency"]:
            self.fields[name].required = True
        self.fields["email"].help_text = "They will be emailed a link to set their password."


class UserAdminForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict = {}


@admin.register(User)
class UserAdmin(AuditlogHistoryAdminMixin, BaseUserAdmin):
    show_auditlog_history_link = True
    form = UserAdminForm
    add_form = UserInviteForm
    ordering = ["last_name", "first_name", "id"]
    list_per_page = 50
    list_display = [
        "email",
        "first_name",
        "last_name",
        "agency",
        "job_title",
        "is_active",
        "is_secretariat",
        "last_login",
    ]
    list_filter = [
        "is_active",
        "is_staff",
        "is_safeguarding_lead",
        "groups",
        "agency__sector",
    ]
    # No list of every agency beside the people: each agency's count in the list of agencies
    # links here, filtered to its people (agency__id__exact).
    list_select_related = ["agency"]
    search_fields = ["email", "first_name", "last_name", "job_title", "agency__name"]
    autocomplete_fields = ["agency"]
    filter_horizontal = ["groups"]
    readonly_fields = [
        "last_login",
        "date_joined",
        "invitation_sent_at",
        "two_factor_status",
        "second_factor_reset_at",
    ]
    fieldsets = [
        (None, {"fields": ["email"]}),
        ("Personal details", {"fields": ["first_name", "last_name", "job_title", "agency"]}),
        (
            "Access",
            {
                "fields": ["is_active", "is_staff", "groups", "is_superuser"],
                "description": (
                    f"The board's business unit: tick “Staff status” and add the "
                    f"“{SECRETARIAT_GROUP}” group. Everyone else's access comes from their "
                    "memberships below."
                ),
            },
        ),
        (
            "Child details on the agency's notifications",
            {
                "fields": ["is_safeguarding_lead"],
                "description": (
                    "A named safeguarding lead sees the child's details and documents on the "
                    "serious incident and child death notifications their agency has sent. "
                    "Everyone else at the agency sees only each notification's reference, dates "
                    "and status."
                ),
            },
        ),
        (
            "Two-factor sign-in",
            {
                "fields": ["two_factor_status", "second_factor_reset_at"],
                "description": (
                    "To reset a person's second factor (a lost phone), choose them in the list of "
                    "people and the action “Reset two-factor sign-in”."
                ),
            },
        ),
        ("Dates", {"fields": ["invitation_sent_at", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "first_name", "last_name", "job_title", "agency"],
            },
        )
    ]
    inlines = [UserMembershipInline]
    actions = ["send_new_invitation", "reset_second_factor"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        """Only a superuser may change a superuser: anyone else could change the address and
        reset their way into the account."""
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Someone who is not a superuser grants only the permission groups they hold.
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = request.user.groups.all()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Keep the permission groups the editor could not see in the form, rather than let
        saving the form take them away."""
        kept = []
        if change and not request.user.is_superuser:
            grantable = set(request.user.groups.values_list("pk", flat=True))
            kept = [g for g in form.instance.groups.all() if g.pk not in grantable]
        super().save_related(request, form, formsets, change)
        form.instance.groups.add(*kept)

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None):
        """Say why a staff account's email and access cannot be changed here."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or "is_staff" not in services.user_fields_kept(
            editor=request.user, user=obj
        ):
            return fieldsets
        why = (
            "Only a superuser can change your own access."
            if obj.pk == request.user.pk
            else "Only a superuser can change a staff account's email address or access."
        )
        return [
            (title, {**options, "description": f"{why} {options.get('description', '')}"})
            if title == "Access"
            else (title, options)
            for title, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        """What `services.user_fields_kept` keeps from the editor is shown, not offered: for
        someone who is not a superuser, another staff account's email and rights, and their
        own rights (the service refuses a change to them too)."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None:
            kept = set() if request.user.is_superuser else {"is_superuser"}
        else:
            kept = services.user_fields_kept(editor=request.user, user=obj)
        shown = [f for _, options in self.get_fieldsets(request, obj) for f in options["fields"]]
        return [*fields, *(f for f in shown if f in kept and f not in fields)]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = ""):
        """Only a superuser may type in someone else's password; the secretariat sends a new
        set-your-password email instead."""
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @admin.display(boolean=True, description="secretariat")
    def is_secretariat(self, obj: User) -> bool:
        return obj.is_superuser or any(g.name == SECRETARIAT_GROUP for g in obj.groups.all())

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        if change:
            services.user_update(user=obj, editor=request.user)
        else:
            services.user_invite(user=obj)
            messages.info(request, f"A set-your-password email is on its way to {obj.email}.")

    @admin.display(description="two-factor sign-in")
    def two_factor_status(self, obj: User) -> str:
        summary = second_factor_summary(obj)
        if summary["has_app"]:
            state = f"On: an authenticator app and {summary['backup_codes_left']} backup codes"
        else:
            state = "Off"
        return f"{state}. {'Required' if summary['required'] else 'Not required'} for this person."

    @admin.action(description="Reset two-factor sign-in")
    def reset_second_factor(self, request: HttpRequest, queryset: QuerySet[User]):
        """Take away the chosen people's authenticator apps and backup codes, once the page
        asking "are you sure?" is answered: each sets up an app again at their next sign-in, and
        is emailed that it was reset."""
        users = list(queryset if request.user.is_superuser else queryset.filter(is_superuser=False))
        skipped = queryset.count() - len(users)
        if request.POST.get("post") != "yes":
            return TemplateResponse(
                request,
                "admin/hscb/user/reset_second_factor.html",
                {
                    **self.admin_site.each_context(request),
                    "opts": self.model._meta,
                    "users": users,
                    "skipped": skipped,
                    "title": "Reset two-factor sign-in",
                },
            )
        for user in users:
            twofactor.second_factor_reset(user=user, by=request.user)
        message = (
            f"Two-factor sign-in reset for {len(users)} "
            f"{'person' if len(users) == 1 else 'people'}. They will set up an authenticator app "
            "again when they next sign in, and have been emailed."
        )
        if skipped:
            message += f" {skipped} superuser account(s) were left alone: only a superuser can."
        self.message_user(request, message, messages.SUCCESS)
        return None

    @admin.action(description="Send a new set-your-password email")
    def send_new_invitation(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        users = queryset.filter(is_active=True)
        if not request.user.is_superuser:
            users = users.filter(is_superuser=False)
        users = list(users)
        for user in users:
            services.user_reinvite(user=user)
        self.message_user(request, f"Set-your-password emails queued for {len(users)} people.")


@admin.register(Group)
class GroupAdmin(HistoryAdmin):
    list_display = [
        "name",
        "kind",
        "chair",
        "chair_is_independent",
        "accountable_to",
        "member_count",
        "is_active",
    ]
    list_filter = ["kind", "is_active", "chair_is_independent", "handles_child_records"]
    list_select_related = ["accountable_to"]
    search_fields = ["name", "remit"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ObjectiveInline, GroupMembershipInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "function", "order", "is_active"]}),
        ("Remit and chair", {"fields": ["remit", "chair_is_independent"]}),
        ("Accountability", {"fields": ["accountable_to", "accountable_to_chair"]}),
        (
            "Privacy",
            {
                "fields": ["handles_child_records"],
                "description": "Tick for a group that handles children's names, dates of birth, "
                "NHS numbers or addresses, like the Case Review subgroup and the Child Death "
                "Overview Panel.",
            },
        ),
        (
            "Quorum",
            {
                "fields": ["quorum_members", "quorum_agencies"],
                "description": "When a meeting of this group counts as quorate.",
            },
        ),
    ]
    filter_horizontal = ["quorum_agencies"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_chairs_and_counts(timezone.localdate())

    @admin.display(description="chair")
    def chair(self, obj: Group) -> str:
        return ", ".join(str(m.user) for m in obj.chairs()) or "—"

    @admin.display(description="current members", ordering="member_count")
    def member_count(self, obj: Group) -> int:
        return obj.member_count


@admin.register(Objective)
class ObjectiveAdmin(HistoryAdmin):
    list_display = ["__str__", "group", "order"]
    list_filter = ["group"]
    list_select_related = ["group"]
    search_fields = ["text"]
    filter_horizontal = ["priorities"]


@admin.register(Membership)
class MembershipAdmin(HistoryAdmin):
    form = MembershipForm
    list_display = ["user", "group", "role", "agency", "start_date", "end_date", "is_current"]
    list_filter = [CurrentMembershipFilter, "role", "group", "agency__sector"]
    list_select_related = ["user", "group", "agency"]
    search_fields = [
        "user__email",
        "user__first_name",
        "user__last_name",
        "group__name",
        "agency__name",
    ]
    autocomplete_fields = ["user", "group", "agency"]
    # Newest seats first, a page at a time from an index: years of seats are never all sorted.
    ordering = ["-start_date", "-id"]
    show_full_result_count = False

    @admin.display(boolean=True, description="current")
    def is_current(self, obj: Membership) -> bool:
        return obj.is_current()
