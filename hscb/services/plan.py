"""Writes to the business plan. A priority's progress is only ever rated here, so every rating
is kept in its history."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hscb.models import Priority, ProgressUpdate, Rag, User

COMMENTARY_MAX = ProgressUpdate._meta.get_field("commentary").max_length


def priority_progress_update(
    *, priority: Priority, rag: str, commentary: str, by: User
) -> ProgressUpdate:
    """Rate a priority red, amber or green with a short commentary.

    Writes the dated rating to the priority's history and makes it the priority's current
    progress, in one transaction. The priority's row is locked while this runs, so two people
    rating it at once leave it showing the later of the two ratings, and both are in the history.
    Whether `by` may rate it is the caller's check (`hscb.update_priority_progress`).
    """
    commentary = (commentary or "").strip()
    errors = {}
    if rag not in Rag.values:
        errors["rag"] = "Select red, amber or green."
    if not commentary:
        errors["commentary"] = "Enter a short commentary."
    elif len(commentary) > COMMENTARY_MAX:
        errors["commentary"] = f"The commentary must be {COMMENTARY_MAX:,} characters or fewer."
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        locked = Priority.objects.select_for_update().get(pk=priority.pk)
        now = timezone.now()
        update = ProgressUpdate.objects.create(
            priority=locked, rag=rag, commentary=commentary, author=by, written_at=now
        )
        locked.rag = rag
        locked.commentary = commentary
        locked.progress_updated_at = now
        locked.progress_updated_by = by
        locked.save(
            update_fields=["rag", "commentary", "progress_updated_at", "progress_updated_by"]
        )
    # The caller's object shows the new rating too.
    priority.rag, priority.commentary = locked.rag, locked.commentary
    priority.progress_updated_at, priority.progress_updated_by = now, by
    return update
