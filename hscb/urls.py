"""URLs of the whole site. Every page needs sign-in except those marked @login_not_required."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import include, path, reverse_lazy

from hscb.forms.board import (
    ChangePasswordForm,
    ChooseNewPasswordForm,
    PasswordResetRequestForm,
)
from hscb.lib.tokens import invitation_token_generator
from hscb.views import actions, dashboards, meetings, plan, signin
from hscb.views import board as views

admin.site.site_header = "Safeguard Board administration"
admin.site.site_title = "Safeguard Board administration"
admin.site.index_title = "Board secretariat"
# The admin uses the service's own sign-in and password pages, so there is one of each.
admin.site.login = views.admin_login
admin.site.password_change = lambda request, extra_context=None: redirect("password_change")
admin.site.password_change_done = lambda request, extra_context=None: redirect("account")

accounts = [
    path("accounts/sign-in/", signin.SignInView.as_view(), name="login"),
    path("accounts/sign-in/code/", signin.two_factor_verify, name="two_factor_verify"),
    path("accounts/sign-in/backup-code/", signin.two_factor_backup, name="two_factor_backup"),
    path("accounts/two-factor/set-up/", signin.two_factor_setup, name="two_factor_setup"),
    path(
        "accounts/two-factor/backup-codes/",
        signin.two_factor_backup_codes,
        name="two_factor_backup_codes",
    ),
    path(
        "accounts/two-factor/new-backup-codes/",
        signin.two_factor_new_backup_codes,
        name="two_factor_new_backup_codes",
    ),
    path("accounts/two-factor/turn-off/", signin.two_factor_turn_off, name="two_factor_turn_off"),
    path("accounts/session/", signin.session_status, name="session_status"),
    path("accounts/session/extend/", signin.session_extend, name="session_extend"),
    path("accounts/sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(form_class=ChangePasswordForm),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetRequestForm),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        signin.ChooseNewPasswordView.as_view(form_class=ChooseNewPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "accounts/welcome/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=ChooseNewPasswordForm,
            token_generator=invitation_token_generator,
            template_name="registration/set_password_form.html",
            success_url=reverse_lazy("set_password_complete"),
        ),
        name="set_password",
    ),
    path(
        "accounts/welcome/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/set_password_complete.html"
        ),
        name="set_password_complete",
    ),
]

meeting_urls = [
    path("meetings/", meetings.forward_plan, name="forward_plan"),
    path("meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/change/", meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/cancel/", meetings.meeting_cancel, name="meeting_cancel"),
    path("meetings/<int:pk>/agenda.pdf", meetings.meeting_agenda_pdf, name="meeting_agenda_pdf"),
    path("meetings/<int:pk>/invitation.ics", meetings.meeting_ics, name="meeting_ics"),
    path(
        "meetings/<int:pk>/send-papers/", meetings.meeting_send_papers, name="meeting_send_papers"
    ),
    path("meetings/<int:pk>/attendance/", meetings.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/items/new/", meetings.item_create, name="item_create"),
    path("meetings/<int:pk>/items/<int:item_pk>/change/", meetings.item_edit, name="item_edit"),
    path(
        "meetings/<int:pk>/items/<int:item_pk>/minutes/",
        meetings.item_minutes,
        name="item_minutes",
    ),
    path(
        "meetings/<int:pk>/items/<int:item_pk>/papers/new/",
        meetings.paper_upload,
        name="paper_upload",
    ),
    path("meetings/<int:pk>/actions/new/", actions.action_create, name="action_create"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("board/", views.board_structure, name="board_structure"),
    path("board/<slug:slug>/", views.group_detail, name="group_detail"),
    path("board/<slug:slug>/remit/", views.group_edit, name="group_edit"),
    path("board/<slug:slug>/actions/", actions.group_actions, name="group_actions"),
    path("board/<slug:slug>/dashboard/", dashboards.group_dashboard, name="group_dashboard"),
    path("dashboard/", dashboards.board_dashboard, name="board_dashboard"),
    *meeting_urls,
    path("papers/<int:pk>/", meetings.paper_download, name="paper_download"),
    path("actions/", actions.my_actions, name="my_actions"),
    path("actions/<int:pk>/", actions.action_detail, name="action_detail"),
    path("actions/<int:pk>/update/", actions.action_update, name="action_update"),
    path("actions/<int:pk>/chase/", actions.action_chase, name="action_chase"),
    path("plan/", plan.plan_current, name="plan_current"),
    path("plan/<int:year>/", plan.plan_detail, name="plan_detail"),
    path(
        "plan/priorities/<int:pk>/progress/",
        plan.priority_progress,
        name="priority_progress",
    ),
    path("account/", views.account, name="account"),
    path("people/search/", views.people_search, name="people_search"),
    path("", include("subgroups.urls")),
    path("", include("casereview.urls")),
    path("", include("cdop.urls")),
    path("health/", views.health, name="health"),
    *accounts,
    path("admin/", admin.site.urls),
]
