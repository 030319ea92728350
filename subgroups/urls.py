"""The Improving Outcomes register, escalations and good practice."""

from __future__ import annotations

from django.urls import path

from subgroups.views import escalations, issues, lists

app_name = "subgroups"

urlpatterns = [
    path("register/", lists.issue_list, name="issue_list"),
    path("register/export.csv", lists.issue_export_csv, name="issue_export_csv"),
    path("register/export.xlsx", lists.issue_export_xlsx, name="issue_export_xlsx"),
    path("register/heat-map/", lists.heat_map, name="heat_map"),
    path("register/priorities/", lists.operational_priorities, name="operational_priorities"),
    path("register/new/", issues.issue_create, name="issue_create"),
    path("register/<int:pk>/", issues.issue_detail, name="issue_detail"),
    path("register/<int:pk>/change/", issues.issue_edit, name="issue_edit"),
    path("register/<int:pk>/progress/", issues.issue_progress, name="issue_progress"),
    path("register/<int:pk>/escalate/", escalations.escalation_create, name="escalation_create"),
    path("escalations/", escalations.escalation_list, name="escalation_list"),
    path("escalations/<int:pk>/", escalations.escalation_detail, name="escalation_detail"),
    path(
        "escalations/<int:pk>/decision/",
        escalations.escalation_decide,
        name="escalation_decide",
    ),
    path("good-practice/", issues.good_practice_list, name="good_practice_list"),
    path("good-practice/new/", issues.good_practice_create, name="good_practice_create"),
    path("good-practice/<int:pk>/", issues.good_practice_detail, name="good_practice_detail"),
]
