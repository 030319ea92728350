"""Serious-incident notifications (agency staff), the Case Review subgroup's cases, the board
chair's decisions, reviews with their action plans, and lessons learnt."""

from __future__ import annotations

from django.urls import path

from casereview.views import cases, notify, reviews

app_name = "casereview"

urlpatterns = [
    # Agency staff: notifying, and following their agency's notifications.
    path("notifications/", notify.notification_list, name="notification_list"),
    path("notifications/new/", notify.notification_start, name="notification_start"),
    path("notifications/<int:pk>/", notify.notification_detail, name="notification_detail"),
    path("notifications/<int:pk>/check/", notify.notification_check, name="notification_check"),
    path(
        "notifications/<int:pk>/submitted/",
        notify.notification_submitted,
        name="notification_submitted",
    ),
    path("notifications/<int:pk>/delete/", notify.notification_delete, name="notification_delete"),
    path(
        "notifications/<int:pk>/documents/<int:attachment_pk>/remove/",
        notify.attachment_remove,
        name="attachment_remove",
    ),
    path(
        "notifications/<int:pk>/step/<slug:step>/",
        notify.notification_step,
        name="notification_step",
    ),
    # The Case Review subgroup's cases, and the board chair's decisions.
    path("case-review/", cases.case_list, name="case_list"),
    path("case-review/cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path(
        "case-review/cases/<int:pk>/panel-notified/",
        cases.case_panel_notified,
        name="case_panel_notified",
    ),
    path(
        "case-review/cases/<int:pk>/deadlines/<slug:kind>/met/",
        cases.clock_met,
        name="clock_met",
    ),
    path("case-review/cases/<int:pk>/consideration/", cases.case_consider, name="case_consider"),
    path("case-review/cases/<int:pk>/decision/", cases.case_decide, name="case_decide"),
    path("case-review/documents/<int:pk>/", cases.attachment_download, name="attachment_download"),
    path("case-review/decisions/", cases.decision_list, name="decision_list"),
    path("case-review/duplicates/", cases.duplicate_list, name="duplicate_list"),
    path("case-review/duplicates/<int:pk>/", cases.duplicate_resolve, name="duplicate_resolve"),
    # Reviews, action plans and lessons.
    path("case-review/reviews/", reviews.review_list, name="review_list"),
    path("case-review/reviews/<int:pk>/", reviews.review_detail, name="review_detail"),
    path("case-review/reviews/<int:pk>/change/", reviews.review_edit, name="review_edit"),
    path(
        "case-review/reviews/<int:pk>/milestones/new/",
        reviews.milestone_create,
        name="milestone_create",
    ),
    path("case-review/milestones/<int:pk>/", reviews.milestone_edit, name="milestone_edit"),
    path(
        "case-review/reviews/<int:pk>/agency-reports/new/",
        reviews.agency_report_create,
        name="agency_report_create",
    ),
    path(
        "case-review/agency-reports/<int:pk>/",
        reviews.agency_report_edit,
        name="agency_report_edit",
    ),
    path("case-review/reviews/<int:pk>/report/", reviews.review_report, name="review_report"),
    path(
        "case-review/reviews/<int:pk>/report/download/",
        reviews.review_report_download,
        name="review_report_download",
    ),
    path("case-review/reviews/<int:pk>/adopted/", reviews.review_adopt, name="review_adopt"),
    path("case-review/reviews/<int:pk>/published/", reviews.review_publish, name="review_publish"),
    path(
        "case-review/reviews/<int:pk>/recommendations/new/",
        reviews.recommendation_create,
        name="recommendation_create",
    ),
    path(
        "case-review/recommendations/<int:pk>/actions/new/",
        reviews.plan_action_create,
        name="plan_action_create",
    ),
    path("case-review/plan-actions/", reviews.plan_action_list, name="plan_action_list"),
    path(
        "case-review/plan-actions/<int:pk>/",
        reviews.plan_action_detail,
        name="plan_action_detail",
    ),
    path(
        "case-review/plan-actions/<int:pk>/update/",
        reviews.plan_action_update,
        name="plan_action_update",
    ),
    path("case-review/reviews/<int:pk>/lessons/new/", reviews.lesson_create, name="lesson_create"),
    path("case-review/lessons/<int:pk>/change/", reviews.lesson_update, name="lesson_update"),
    path("lessons/", reviews.lesson_list, name="lesson_list"),
]
