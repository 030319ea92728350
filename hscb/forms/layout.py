"""Layout pieces for crispy-forms that crispy-forms-gds does not give."""

from __future__ import annotations

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString


class Markup:
    """Markup put into a form's layout as it is, never read as a template.

    crispy's `HTML()` renders its string as a Django template, so text a person typed inside
    it (a group's or a person's name) would run: a group named `{{ csrf_token }}` would show
    the page's token. Build the markup with `format_html`, which escapes what it is given, and
    place it with this instead. A plain string is escaped."""

    def __init__(self, html: str) -> None:
        self.html = conditional_escape(html)

    def render(self, form, context, template_pack=None, **kwargs) -> SafeString:
        return self.html
