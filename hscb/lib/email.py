"""Emails built from `templates/emails/<name>_{subject.txt,body.txt,body.html}`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template import Context
from django.template.loader import get_template, render_to_string


def _render_text(template_name: str, context: Mapping[str, object]) -> str:
    """Plain text is not HTML: a name like O'Brien must not arrive as O&#x27;Brien."""
    template = get_template(template_name).template
    return template.render(Context(dict(context), autoescape=False))


def send_templated_email(
    name: str,
    *,
    to: Sequence[str],
    context: Mapping[str, object],
    connection: BaseEmailBackend | None = None,
) -> None:
    """Render the three templates of email `name` and send one message to `to`, through
    `connection` when many are sent at once (one connection to the mail server, not many)."""
    ctx = {"site_url": settings.SITE_URL, "board_name": settings.BOARD_NAME, **context}
    subject = " ".join(_render_text(f"emails/{name}_subject.txt", ctx).split())
    text = _render_text(f"emails/{name}_body.txt", ctx)
    html = render_to_string(f"emails/{name}_body.html", ctx)
    message = EmailMultiAlternatives(subject=subject, body=text, to=list(to), connection=connection)
    message.attach_alternative(html, "text/html")
    message.send()
