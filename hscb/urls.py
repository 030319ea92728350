"""URLs of the whole site. Every page needs sign-in except those marked @login_not_required."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import path, reverse_lazy

from hscb import views
from hscb.forms import (
    ChangePasswordForm,
    ChooseNewPasswordForm,
    PasswordResetRequestForm,
    SignInForm,
)
from hscb.lib.tokens import invitation_token_generator

admin.site.site_header = "Safeguard Board administration"
admin.site.site_title = "Safeguard Board administration"
admin.site.index_title = "Board secretariat"
# The admin uses the service's own sign-in and password pages, so there is one of each.
admin.site.login = views.admin_login
admin.site.password_change = lambda request, extra_context=None: redirect("password_change")
admin.site.password_change_done = lambda request, extra_context=None: redirect("account")

accounts = [
    path(
        "accounts/sign-in/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
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
        auth_views.PasswordResetConfirmView.as_view(form_class=ChooseNewPasswordForm),
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

urlpatterns = [
    path("", views.home, name="home"),
    path("board/", views.board_structure, name="board_structure"),
    path("board/<slug:slug>/", views.group_detail, name="group_detail"),
    path("board/<slug:slug>/remit/", views.group_edit, name="group_edit"),
    path("account/", views.account, name="account"),
    path("health/", views.health, name="health"),
    *accounts,
    path("admin/", admin.site.urls),
]
