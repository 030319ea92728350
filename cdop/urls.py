"""Child deaths: notifying (signed in, or through the public form), the panel's cases and their
progress, cross-area referrals, the panel's review, statistics and the annual report."""

from __future__ import annotations

from django.urls import path

from cdop.views import deaths, notify, referrals, reviews, statistics

app_name = "cdop"

urlpatterns = [
    # Anyone: the public form (no sign-in), and what it shows back (the reference only).
    path("report-a-child-death/", notify.public_notify, name="public_notify"),
    path("report-a-child-death/sent/", notify.public_notify_sent, name="public_notify_sent"),
    # Agency staff, signed in.
    path("child-deaths/notify/", notify.death_notify, name="death_notify"),
    path("child-deaths/notify/sent/", notify.death_notify_sent, name="death_notify_sent"),
    path("child-deaths/", notify.own_notification_list, name="own_notification_list"),
    path("child-deaths/<int:pk>/", notify.own_notification_detail, name="own_notification_detail"),
    # The panel's cases and their progress.
    path("cdop/", deaths.death_list, name="death_list"),
    path("cdop/deaths/<int:pk>/", deaths.death_detail, name="death_detail"),
    path("cdop/deaths/<int:pk>/joint-agency-response/", deaths.death_jar, name="death_jar"),
    path(
        "cdop/deaths/<int:pk>/agency-information/new/",
        deaths.agency_information_request,
        name="agency_information_request",
    ),
    path(
        "cdop/agency-information/<int:pk>/",
        deaths.agency_information_received,
        name="agency_information_received",
    ),
    path(
        "cdop/deaths/<int:pk>/review-meeting/",
        deaths.death_review_meeting,
        name="death_review_meeting",
    ),
    path(
        "cdop/deaths/<int:pk>/panel-meeting/",
        deaths.death_panel_meeting,
        name="death_panel_meeting",
    ),
    path("cdop/duplicates/<int:pk>/dismiss/", deaths.duplicate_dismiss, name="duplicate_dismiss"),
    # Cross-area referrals.
    path("cdop/referrals/", referrals.referral_list, name="referral_list"),
    path("cdop/referrals/inbound/new/", referrals.referral_inbound, name="referral_inbound"),
    path("cdop/referrals/<int:pk>/", referrals.referral_detail, name="referral_detail"),
    path(
        "cdop/referrals/<int:pk>/acknowledged/",
        referrals.referral_acknowledge,
        name="referral_acknowledge",
    ),
    path("cdop/referrals/<int:pk>/agreed/", referrals.referral_agree, name="referral_agree"),
    path("cdop/referrals/<int:pk>/send/", referrals.referral_send, name="referral_send"),
    path("cdop/referrals/<int:pk>/outcome/", referrals.referral_outcome, name="referral_outcome"),
    # The panel's review.
    path("cdop/deaths/<int:pk>/review/", reviews.panel_review, name="panel_review"),
    path("cdop/deaths/<int:pk>/factors/new/", reviews.factor_create, name="factor_create"),
    path("cdop/factors/<int:pk>/remove/", reviews.factor_remove, name="factor_remove"),
    path(
        "cdop/deaths/<int:pk>/recommendations/new/",
        reviews.recommendation_create,
        name="recommendation_create",
    ),
    path(
        "cdop/recommendations/<int:pk>/action/",
        reviews.recommendation_action,
        name="recommendation_action",
    ),
    path("cdop/deaths/<int:pk>/close/", reviews.death_close, name="death_close"),
    path(
        "cdop/deaths/<int:pk>/refer-to-case-review/",
        reviews.death_refer_to_case_review,
        name="death_refer_to_case_review",
    ),
    # Statistics and the annual report.
    path("cdop/statistics/", statistics.statistics, name="statistics"),
    path("cdop/reports/", statistics.report_list, name="report_list"),
    path("cdop/reports/<int:pk>/", statistics.report_detail, name="report_detail"),
    path("cdop/reports/<int:pk>/progress/", statistics.report_progress, name="report_progress"),
    path("cdop/reports/<int:pk>/report.pdf", statistics.report_pdf, name="report_pdf"),
    path("cdop/reports/<int:pk>/report.csv", statistics.report_csv, name="report_csv"),
]
