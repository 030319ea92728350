"""Agency staff's pages: notifying a serious incident step by step (a draft saved as they go,
checked before it is submitted), and following their agency's notifications.

Who sees what (casereview/rules.py): a draft is its notifier's alone (404 for anyone else);
a submitted notification is its agency's (404 for anyone else, the secretariat included, who
use the case page), and on its page the child's details and documents are for its notifier and
the agency's named safeguarding leads (the others see its reference, dates and status). Draft
pages on a submitted notification send its notifier to its page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from hscb.lib.access import log_access

from ..forms.notify import STEP_FORMS, AttachmentForm, StepForm
from ..models import STEPS, Notification
from ..selectors import notifications as selectors
from ..services import notifications as services
from ..services.clocks import ClockRuleMissing

STEP_SLUGS = [slug for slug, _title in STEPS]
CHECK = "check"


def _detail_url(notification: Notification) -> str:
    return reverse("casereview:notification_detail", kwargs={"pk": notification.pk})


def _check_url(notification: Notification) -> str:
    return reverse("casereview:notification_check", kwargs={"pk": notification.pk})


def _step_url(notification: Notification, step: str, *, returning: bool = False) -> str:
    url = reverse("casereview:notification_step", kwargs={"pk": notification.pk, "step": step})
    return f"{url}?return={CHECK}" if returning else url


def _already_submitted(request: HttpRequest, notification: Notification) -> HttpResponse:
    messages.info(
        request,
        f"This notification has been submitted as {notification.reference}: it can no longer "
        "be changed.",
    )
    return redirect(_detail_url(notification))


def _draft(request: HttpRequest, pk: int) -> Notification | HttpResponse:
    """The user's own draft; its page if it has been submitted and it was theirs; else 404."""
    notification = selectors.get_notification_for_user(request.user, pk)
    if notification.is_draft:
        return notification
    if notification.notifier_id == request.user.pk:
        return _already_submitted(request, notification)
    raise Http404("No such draft.")


def _submitted(request: HttpRequest, pk: int) -> Notification | HttpResponse:
    """A submitted notification of the user's agency; a draft sends its notifier to check it."""
    notification = selectors.get_notification_for_user(request.user, pk)
    if notification.is_draft:
        return redirect(_check_url(notification))
    return notification


# The list and the start --------------------------------------------------------------------


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    listing = selectors.notification_listing(
        request.user,
        page_number=request.GET.get("page"),
        drafts_page_number=request.GET.get("drafts"),
    )
    return render(request, "casereview/notify/list.html", {"listing": listing})


@require_http_methods(["GET", "POST"])
def notification_start(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("casereview.add_notification"):
        raise PermissionDenied("Notifications are for staff of the board's partner agencies.")
    if request.method == "POST":
        notification = services.notification_start(by=request.user)
        return redirect(_step_url(notification, STEP_SLUGS[0]))
    return render(
        request,
        "casereview/notify/start.html",
        {
            "limit": filesizeformat(settings.PAPER_MAX_BYTES),
            "panel_days": selectors.panel_notification_days(),
        },
    )


# The steps ---------------------------------------------------------------------------------


def _step_form(request: HttpRequest, step: str, notification: Notification) -> StepForm:
    kwargs: dict[str, object] = {"notification": notification}
    if step == "circumstances":
        kwargs["areas"] = selectors.area_choices()
    if step == "agencies":
        kwargs["agencies"] = selectors.agency_choices(notification)
    data = request.POST if request.method == "POST" else None
    return STEP_FORMS[step](data, **kwargs)


def _after_saving(
    request: HttpRequest, notification: Notification, step: str, *, returning: bool
) -> HttpResponse:
    if request.POST.get("action") == "save":
        messages.success(
            request,
            "Your answers have been saved. You can come back to this notification from this "
            "page: it is not sent until you submit it.",
        )
        return redirect("casereview:notification_list")
    index = STEP_SLUGS.index(step)
    if returning or index + 1 == len(STEP_SLUGS):
        return redirect(_check_url(notification))
    return redirect(_step_url(notification, STEP_SLUGS[index + 1]))


def _step_context(notification: Notification, step: str, *, returning: bool) -> dict:
    index = STEP_SLUGS.index(step)
    if returning:
        back, back_label = _check_url(notification), "Back to check your answers"
    elif index == 0:
        back, back_label = reverse("casereview:notification_list"), "Back to your notifications"
    else:
        back, back_label = _step_url(notification, STEP_SLUGS[index - 1]), "Back"
    return {
        "notification": notification,
        "step": step,
        "title": dict(STEPS)[step],
        "number": index + 1,
        "count": len(STEP_SLUGS),
        "back": back,
        "back_label": back_label,
        "returning": returning,
        "panel_days": selectors.panel_notification_days() if step == "incident" else None,
    }


@require_http_methods(["GET", "POST"])
def notification_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    found = _draft(request, pk)
    if isinstance(found, HttpResponse):
        return found
    notification = found
    if step not in STEP_SLUGS:
        raise Http404("No such step.")
    returning = request.GET.get("return") == CHECK
    if step == "attachments":
        return _attachments_step(request, notification, returning=returning)
    form = _step_form(request, step, notification)
    kept_some = False
    if request.method == "POST" and form.is_valid():
        try:
            services.notification_save_step(
                notification=notification, step=step, data=form.service_data(), by=request.user
            )
        except services.NotificationNotDraft as stale:
            return _already_submitted(request, stale.notification)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _after_saving(request, notification, step, returning=returning)
    if request.method == "POST" and request.POST.get("action") == "save" and form.errors:
        # Coming back later: keep what can be kept; the page says which answers were not.
        try:
            kept_some = bool(
                services.notification_keep_answers(
                    notification=notification,
                    step=step,
                    data=form.answers_that_parse(),
                    by=request.user,
                )
            )
        except services.NotificationNotDraft as stale:
            return _already_submitted(request, stale.notification)
    log_access(notification)
    context = _step_context(notification, step, returning=returning)
    return render(
        request, "casereview/notify/step.html", {**context, "form": form, "kept_some": kept_some}
    )


def _attachments_step(
    request: HttpRequest, notification: Notification, *, returning: bool
) -> HttpResponse:
    limit = filesizeformat(settings.PAPER_MAX_BYTES)
    action = request.POST.get("action", "")
    form = AttachmentForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        limit=limit,
        uploading=action == "upload",
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        if upload is None:
            return _after_saving(request, notification, "attachments", returning=returning)
        try:
            attachment = services.attachment_add(
                notification=notification,
                upload=upload,
                description=form.cleaned_data["description"],
                by=request.user,
            )
        except services.NotificationNotDraft as stale:
            return _already_submitted(request, stale.notification)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"“{attachment.original_name}” has been uploaded.")
            if action == "upload":
                return redirect(_step_url(notification, "attachments", returning=returning))
            return _after_saving(request, notification, "attachments", returning=returning)
    log_access(notification)
    context = _step_context(notification, "attachments", returning=returning)
    return render(
        request,
        "casereview/notify/attachments.html",
        {
            **context,
            "form": form,
            "attachments": list(notification.attachments.all()),
            "limit": limit,
            "max_attachments": services.MAX_ATTACHMENTS,
        },
    )


@require_http_methods(["GET", "POST"])
def attachment_remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    found = _draft(request, pk)
    if isinstance(found, HttpResponse):
        return found
    notification = found
    attachment = get_object_or_404(
        notification.attachments.all(), pk=attachment_pk if attachment_pk <= selectors.PK_MAX else 0
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.attachment_remove(attachment=attachment, by=request.user)
    except services.NotificationNotDraft as stale:
        return _already_submitted(request, stale.notification)
    messages.success(request, f"“{attachment.original_name}” has been removed.")
    return redirect(
        _step_url(notification, "attachments", returning=request.GET.get("return") == CHECK)
    )


# Checking and submitting -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def notification_check(request: HttpRequest, pk: int) -> HttpResponse:
    found = _draft(request, pk)
    if isinstance(found, HttpResponse):
        return found
    notification = found
    problems: list[selectors.Problem] = []
    if request.method == "POST":
        try:
            submitted = services.notification_submit(notification=notification, by=request.user)
        except services.NotificationNotDraft as stale:
            return _already_submitted(request, stale.notification)
        except ValidationError as error:
            problems = selectors.submission_problems(error.message_dict, notification)
        except ClockRuleMissing:
            problems = [
                selectors.Problem(
                    message="Your notification could not be submitted because the board's "
                    "statutory deadlines are not set up. Your answers are saved. Contact the "
                    "board's business unit, then submit it again.",
                    url="",
                )
            ]
        else:
            return redirect("casereview:notification_submitted", pk=submitted.pk)
        # Nothing was saved: show the answers as they are stored.
        notification = selectors.get_notification_for_user(request.user, pk)
    log_access(notification)
    answers = selectors.notification_answers(notification)
    return render(
        request,
        "casereview/notify/check.html",
        {
            "notification": notification,
            "answers": answers,
            "problems": problems,
            "has_gaps": any(row.missing for section in answers for row in section.rows),
        },
    )


@require_GET
def notification_submitted(request: HttpRequest, pk: int) -> HttpResponse:
    found = _submitted(request, pk)
    if isinstance(found, HttpResponse):
        return found
    return render(
        request,
        "casereview/notify/submitted.html",
        {"notification": found, "clock": selectors.panel_notification_clock(found)},
    )


@require_GET
def notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = _submitted(request, pk)
    if isinstance(found, HttpResponse):
        return found
    notification = found
    answers = selectors.child_answers_for(request.user, notification)
    if answers is not None:
        # Only a page that shows the child is a view of the child's record.
        log_access(notification)
    return render(
        request, "casereview/notify/detail.html", {"notification": notification, "answers": answers}
    )


@require_http_methods(["GET", "POST"])
def notification_delete(request: HttpRequest, pk: int) -> HttpResponse:
    found = _draft(request, pk)
    if isinstance(found, HttpResponse):
        return found
    notification = found
    if request.method == "POST":
        try:
            services.notification_discard(notification=notification, by=request.user)
        except services.NotificationNotDraft as stale:
            return _already_submitted(request, stale.notification)
        messages.success(request, "The draft notification has been deleted.")
        return redirect("casereview:notification_list")
    return render(request, "casereview/notify/delete.html", {"notification": notification})
