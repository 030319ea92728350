"""Sign-in attempts and lockouts (django-axes), as the secretariat sees them."""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class BoardAccessAttemptAdmin(AccessAttemptAdmin):
    @admin.action(description="Remove expired sign-in attempts")
    def cleanup_expired_attempts(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Remove every attempt older than the cool-off, selected or not.

        django-axes's own action reads the time of the attempt being made from the request,
        which only a sign-in sets: from the admin it failed with a server error. Its proxy
        sets those attributes (the time is now) as it does for a sign-in.
        """
        AxesProxyHandler.update_request(request)
        count = self.handler.clean_expired_user_attempts(request=request)
        if count == 0:
            self.message_user(request, "There were no expired sign-in attempts to remove.")
        else:
            noun = "attempt" if count == 1 else "attempts"
            self.message_user(request, f"{count} expired sign-in {noun} removed.")
