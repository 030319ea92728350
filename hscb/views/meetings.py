"""Meetings: the forward plan, scheduling, agendas, papers, attendance and minutes."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from hscb.forms.meetings import (
    AttendanceForm,
    ConfirmForm,
    ItemForm,
    MeetingFilter,
    MeetingForm,
    MinutesForm,
    PaperForm,
)
from hscb.lib.calendar import CalendarEvent, event_ics, uid_for
from hscb.lib.pdf import render_pdf
from hscb.lib.uploads import serve_document
from hscb.models import Meeting, MeetingStatus, User
from hscb.rules import roles_of
from hscb.selectors import meetings as selectors
from hscb.services import meetings as services
from hscb.services.attendance import attendance_record, seats_on

PLAN_PAGE_SIZE = 20


def _refused(request: HttpRequest, meeting: Meeting, error: ValidationError) -> HttpResponse:
    for message in error.messages:
        messages.error(request, message)
    return redirect(meeting)


# The forward plan -----------------------------------------------------------------------------


def _follows(user: User) -> str:
    """Whose meetings the forward plan shows this person, as `groups_for_forward_plan` has it:
    "every", "board_chair" (every group but those handling children's personal records that
    they do not sit on) or "member" (the groups they sit on)."""
    roles = roles_of(user)
    if roles.is_secretariat:
        return "every"
    return "board_chair" if roles.is_board_chair else "member"


@require_GET
def forward_plan(request: HttpRequest) -> HttpResponse:
    past = request.GET.get("when") == "past"
    groups = selectors.groups_for_forward_plan(request.user)
    filterset = MeetingFilter(
        request.GET or None,
        queryset=selectors.forward_plan(request.user, past=past),
        groups=groups,
        when="past" if past else "",
    )
    page = Paginator(filterset.qs, PLAN_PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.with_times(list(page.object_list))
    group = filterset.form.cleaned_data.get("group") if filterset.form.is_valid() else None
    return render(
        request,
        "hscb/meeting_list.html",
        {
            "filter": filterset,
            "form": filterset.form,
            "page": page,
            "meetings": page.object_list,
            "past": past,
            "group": group,
            "can_schedule": request.user.has_perm("hscb.manage_meetings"),
            "follows": _follows(request.user),
        },
    )


# Scheduling -----------------------------------------------------------------------------------


def _schedule(request: HttpRequest, meeting: Meeting | None) -> HttpResponse:
    form = MeetingForm(request.POST if request.method == "POST" else None, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            saved = form.schedule(by=request.user)
        except services.MeetingOverlaps as overlap:
            form.flag_overlaps(overlap)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            verb = "scheduled" if meeting is None else "saved"
            messages.success(request, f"The {saved.name} has been {verb}.")
            return redirect(saved)
    return render(request, "hscb/meeting_form.html", {"form": form, "meeting": meeting})


@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("hscb.manage_meetings"):
        raise PermissionDenied("Only the board's business unit schedules meetings.")
    return _schedule(request, None)


@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, manage=True)
    if meeting.status == MeetingStatus.CANCELLED:
        messages.error(request, "This meeting has been cancelled, so it cannot be changed.")
        return redirect(meeting)
    return _schedule(request, meeting)


@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, manage=True)
    if meeting.status != MeetingStatus.SCHEDULED:
        messages.error(
            request,
            f"Only a scheduled meeting can be cancelled. This one is "
            f"{meeting.get_status_display().lower()}.",
        )
        return redirect(meeting)
    form = ConfirmForm(
        request.POST if request.method == "POST" else None,
        submit_label="Cancel the meeting",
        warning=True,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(meeting=meeting, by=request.user)
        except ValidationError as error:
            return _refused(request, meeting, error)
        messages.success(request, f"The {meeting.name} has been cancelled.")
        return redirect(meeting)
    return render(request, "hscb/meeting_cancel.html", {"meeting": meeting, "form": form})


# The meeting's page, its agenda pack and calendar file ----------------------------------------


@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk)
    page = selectors.meeting_page(meeting)
    services.linked_records_for(request.user, page.items)
    return render(
        request,
        "hscb/meeting_detail.html",
        {
            "meeting": meeting,
            "page": page,
            "can_manage": request.user.has_perm("hscb.manage_meetings", meeting),
            "can_add_action": request.user.has_perm("hscb.add_action", meeting),
        },
    )


@require_GET
def meeting_agenda_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk)
    page = selectors.meeting_page(meeting)
    services.linked_records_for(request.user, page.items)
    pdf = render_pdf(
        "pdf/agenda_pack.html",
        {
            "meeting": meeting,
            "page": page,
            "board_name": settings.BOARD_NAME,
            "site_url": settings.SITE_URL,
        },
    )
    day = timezone.localtime(meeting.starts_at).date()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="agenda-{meeting.group.slug}-{day:%Y-%m-%d}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk)
    items = selectors.agenda_of(meeting)
    site = settings.SITE_URL
    event = CalendarEvent(
        uid=uid_for("meeting", meeting.pk, site),
        starts=meeting.starts_at,
        ends=meeting.ends_at,
        summary=meeting.name,
        location=", ".join(p for p in (meeting.venue, meeting.online_link) if p),
        url=site + meeting.get_absolute_url(),
        description_lines=[
            "Agenda:",
            *(f"{n}. {item.title}" for n, item in enumerate(items, start=1)),
            "",
            f"Papers and details: {site}{meeting.get_absolute_url()}",
        ]
        if items
        else [f"Details: {site}{meeting.get_absolute_url()}"],
        cancelled=meeting.status == MeetingStatus.CANCELLED,
    )
    day = timezone.localtime(meeting.starts_at).date()
    response = HttpResponse(event_ics(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="meeting-{meeting.group.slug}-{day:%Y-%m-%d}.ics"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


# Agenda items ---------------------------------------------------------------------------------


def _item_form(request: HttpRequest, meeting: Meeting, item=None) -> HttpResponse:
    if meeting.status == MeetingStatus.CANCELLED:
        messages.error(request, "This meeting has been cancelled, so its agenda cannot change.")
        return redirect(meeting)
    form = ItemForm(request.POST if request.method == "POST" else None, meeting=meeting, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            saved = form.save(by=request.user)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            verb = "added to the agenda" if item is None else "saved"
            messages.success(request, f"“{saved.title}” has been {verb}.")
            return redirect(meeting)
    return render(
        request, "hscb/agenda_item_form.html", {"form": form, "meeting": meeting, "item": item}
    )


@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, manage=True)
    return _item_form(request, meeting)


@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting, item = selectors.get_item_for_user(request.user, pk, item_pk)
    return _item_form(request, meeting, item)


@require_http_methods(["GET", "POST"])
def item_minutes(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting, item = selectors.get_item_for_user(request.user, pk, item_pk)
    started = meeting.starts_at <= timezone.now()
    if request.method == "POST" and not started:
        messages.error(request, services.not_started_message(meeting, "minutes"))
        return redirect(request.path)
    form = MinutesForm(
        request.POST if request.method == "POST" else None,
        initial={"minutes": item.minutes, "decisions": item.decisions},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.item_minutes_record(
                item=item,
                minutes=form.cleaned_data["minutes"],
                decisions=form.cleaned_data["decisions"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"The minutes of “{item.title}” have been saved.")
            return redirect(meeting)
    return render(
        request,
        "hscb/agenda_item_minutes.html",
        {"form": form, "meeting": meeting, "item": item, "started": started},
    )


# Papers ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def paper_upload(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting, item = selectors.get_item_for_user(request.user, pk, item_pk)
    if meeting.status == MeetingStatus.CANCELLED:
        messages.error(request, "This meeting has been cancelled, so papers cannot be added.")
        return redirect(meeting)
    form = PaperForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        limit=filesizeformat(settings.PAPER_MAX_BYTES),
    )
    if request.method == "POST" and form.is_valid():
        try:
            paper = services.paper_add(
                item=item,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"“{paper.title}” has been added to “{item.title}”.")
            return redirect(meeting)
    return render(request, "hscb/paper_form.html", {"form": form, "meeting": meeting, "item": item})


@never_cache
@require_GET
def paper_download(request: HttpRequest, pk: int) -> FileResponse:
    """The paper as a download, only for those who may see its meeting. Papers are never
    served from a public address."""
    paper = selectors.get_paper_for_user(request.user, pk)
    return serve_document(
        paper.file, name=paper.original_name, missing="The file of this paper is missing."
    )


# Sending the papers ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def meeting_send_papers(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, manage=True)
    form = ConfirmForm(
        request.POST if request.method == "POST" else None, submit_label="Send the papers"
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_papers_send(meeting=meeting, by=request.user)
        except ValidationError as error:
            return _refused(request, meeting, error)
        messages.success(
            request, f"The papers for the {meeting.name} are being sent to the group's members."
        )
        return redirect(meeting)
    return render(
        request,
        "hscb/meeting_send_papers.html",
        {
            "meeting": meeting,
            "form": form,
            "recipients": services.papers_recipients(meeting),
            "items": selectors.agenda_of(meeting),
        },
    )


# Attendance -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for_user(request.user, pk, manage=True)
    if meeting.status == MeetingStatus.CANCELLED:
        messages.error(request, "This meeting was cancelled, so it has no attendance.")
        return redirect(meeting)
    started = meeting.starts_at <= timezone.now()
    if request.method == "POST" and not started:
        messages.error(request, services.not_started_message(meeting, "attendance"))
        return redirect(request.path)
    seats = seats_on(meeting)
    form = AttendanceForm(
        request.POST if request.method == "POST" else None,
        meeting=meeting,
        seats=seats,
        attendance=selectors.attendance_of(meeting),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = attendance_record(meeting=meeting, rows=form.rows(), by=request.user)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Attendance has been saved. {saved.quorum_summary}")
            return redirect(meeting)
    return render(
        request,
        "hscb/attendance_form.html",
        {"form": form, "meeting": meeting, "started": started, "seats": seats},
    )
