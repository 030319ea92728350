"""Records retention (DESIGN.md §9): the record kinds the board keeps for a period of its
records policy, and the one way a child's record leaves the system.

The core imports no app: each app registers its kinds from its `ready()` with
`register_retention` (which rows are due at a moment, and the service that deletes one), and the
fields of its models that hold a child's details with `register_child_details`. The nightly task
(`hscb.tasks.apply_retention`) and `manage.py retention` run every kind through
`retention_apply`; `manage.py retention --dry-run` lists what `retention_plan` finds due.

A kind may warn before it deletes, as drafts do: `to_remind` selects the rows whose author is
told, and `remind` tells one (claiming the row first, so it is never told twice).

Whatever deletes a child's record (the retention run, an author discarding a draft, a document
taken off a draft, a factor taken off a panel review) deletes it through `delete_with_history`:
the record and every row deleted with it go, and their history (django-auditlog's entries: who,
when, what kind of change) stays, with the child's details taken out of it.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import router, transaction
from django.db.models import Model, ProtectedError, QuerySet, RestrictedError
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.text import capfirst

from hscb.lib.checks import long_date

logger = logging.getLogger(__name__)

# How many rows are read, and history entries rewritten, at a time.
CHUNK = 500


@dataclass(frozen=True)
class RetentionKind:
    """One kind of record the records policy keeps for a period.

    `due(now)` is the queryset of the rows due for deletion at `now`; `delete(row, now)` is the
    app's service that deletes one, with its child rows, through `delete_with_history`, after
    checking under a lock that it is still due (it returns False when it is not: touched or
    changed meanwhile). `reference(row)` names a row in listings and logs: a reference or a
    number, never a child's details. `period()` says, in words, what the policy keeps (read from
    the settings when asked, so a changed setting shows). `to_remind(now)` and `remind(row,
    now)`, for a kind that warns before deleting, select and tell the rows' authors.
    """

    key: str
    label: str
    period: Callable[[], str]
    due: Callable[[datetime.datetime], QuerySet]
    delete: Callable[[Any, datetime.datetime], bool]
    reference: Callable[[Any], str] = str
    to_remind: Callable[[datetime.datetime], QuerySet] | None = None
    remind: Callable[[Any, datetime.datetime], bool] | None = None


KINDS: dict[str, RetentionKind] = {}
# Fields that hold a child's details, by model ("app_label.model"): taken out of the history of
# a deleted record. And the models whose text (their `str`, kept in each history entry as
# `object_repr`) may hold them, like a document's file name.
CHILD_DETAILS: dict[str, frozenset[str]] = {}
NAMES_IN_REPR: set[str] = set()


def register_retention(**options: Any) -> RetentionKind:
    """Keep a kind of record for the policy's period. Call once, from the app's `ready()`."""
    kind = RetentionKind(**options)
    KINDS[kind.key] = kind
    return kind


def register_child_details(
    model: type[Model], fields: Iterable[str], *, names_in_repr: bool = False
) -> None:
    """`fields` of `model` hold a child's details: no history entry keeps them once the record
    is deleted. `names_in_repr`: so may the record's text (its `str`)."""
    label = model._meta.label_lower
    CHILD_DETAILS[label] = CHILD_DETAILS.get(label, frozenset()) | frozenset(fields)
    if names_in_repr:
        NAMES_IN_REPR.add(label)


def years_before(moment: datetime.datetime, years: int) -> datetime.datetime:
    """The same moment `years` years earlier (29 February gives 28 February)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


# History ---------------------------------------------------------------------------------------


def _scrubbed(entry, fields: frozenset[str]) -> dict | None:
    changes = entry.changes
    if not changes and entry.changes_text:
        try:
            changes = json.loads(entry.changes_text)
        except ValueError:
            changes = {}  # a text we cannot read may hold anything: it goes
    if not isinstance(changes, dict):
        return None
    return {name: value for name, value in changes.items() if name not in fields}


def scrub_history(deleted: Mapping[type[Model], Iterable[Any]]) -> int:
    """Take the child's details out of the history of the deleted rows (`deleted` gives each
    model's primary keys): the registered fields leave each entry's changes, the entry's own
    copy of the record (`serialized_data`) goes, and the record's text is replaced by its kind
    and number where it may hold a name. Who, when and the kind of change stay. Returns how many
    entries were rewritten."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    rewritten = 0
    for model, pks in deleted.items():
        label = model._meta.label_lower
        fields = CHILD_DETAILS.get(label)
        rename = label in NAMES_IN_REPR
        if not fields and not rename:
            continue
        content_type = ContentType.objects.get_for_model(model)
        keys = [str(pk) for pk in pks]
        for start in range(0, len(keys), CHUNK):
            entries = list(
                LogEntry.objects.filter(
                    content_type=content_type, object_pk__in=keys[start : start + CHUNK]
                )
            )
            for entry in entries:
                entry.changes = _scrubbed(entry, fields or frozenset())
                entry.changes_text = ""
                entry.serialized_data = None
                if rename:
                    entry.object_repr = f"{capfirst(model._meta.verbose_name)} {entry.object_pk}"
            LogEntry.objects.bulk_update(
                entries, ["changes", "changes_text", "serialized_data", "object_repr"]
            )
            rewritten += len(entries)
    return rewritten


def delete_with_history(obj: Model) -> dict[str, int]:
    """Delete `obj` and every row deleted with it (by cascade), then take the child's details
    out of their history, in one transaction. A row that something else still protects
    (`on_delete=PROTECT`) stops it all: `ProtectedError`, nothing deleted. Returns how many rows
    of each model went."""
    using = router.db_for_write(type(obj), instance=obj)
    with transaction.atomic(using=using):
        collector = Collector(using=using, origin=obj)
        collector.collect([obj])
        # Read before deleting: the collector clears the instances' primary keys.
        deleted = {model: [o.pk for o in rows] for model, rows in collector.data.items()}
        collector.delete()
        scrub_history(deleted)
    return {model._meta.label: len(pks) for model, pks in deleted.items()}


# Runs ------------------------------------------------------------------------------------------


def _kinds(keys: Iterable[str] | None) -> list[RetentionKind]:
    if keys is None:
        return list(KINDS.values())
    wanted = set(keys)
    unknown = sorted(wanted - set(KINDS))
    if unknown:
        raise KeyError(", ".join(unknown))
    return [kind for key, kind in KINDS.items() if key in wanted]


def _rows(queryset: QuerySet) -> Iterable[Model]:
    """The rows, read a chunk at a time by primary key, so that deleting them as they come
    does not disturb the reading."""
    pks = list(queryset.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), CHUNK):
        yield from queryset.model._default_manager.filter(
            pk__in=pks[start : start + CHUNK]
        ).order_by("pk")


@dataclass
class KindPlan:
    """What a run at `now` would do with one kind: the references of the rows it would delete,
    and of those whose author it would remind."""

    kind: RetentionKind
    due: list[str]
    to_remind: list[str]


def retention_plan(
    *, now: datetime.datetime | None = None, keys: Iterable[str] | None = None
) -> list[KindPlan]:
    """What is due, kind by kind, without changing anything (`manage.py retention --dry-run`).
    `keys` limits it to those kinds (`KeyError` naming any unknown)."""
    now = now or timezone.now()
    plans = []
    for kind in _kinds(keys):
        due = [kind.reference(row) for row in _rows(kind.due(now))]
        remind = (
            [kind.reference(row) for row in _rows(kind.to_remind(now))] if kind.to_remind else []
        )
        plans.append(KindPlan(kind=kind, due=due, to_remind=remind))
    return plans


@dataclass
class KindResult:
    kind: RetentionKind
    reminded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # due, but something still needs them
    failed: list[str] = field(default_factory=list)
    reminders_failed: list[str] = field(default_factory=list)


def _still_needed(error: ProtectedError | RestrictedError) -> str:
    """Which kinds of record still need it, by name and number only (never their text)."""
    found = (
        error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
    )
    kinds: dict[str, int] = {}
    for obj in found:
        name = str(obj._meta.verbose_name)
        kinds[name] = kinds.get(name, 0) + 1
    return ", ".join(f"{n} {name}{'s' if n > 1 else ''}" for name, n in sorted(kinds.items()))


def _delete_one(kind: RetentionKind, row: Model, now: datetime.datetime) -> bool | str:
    """True when deleted, False when no longer due, or why it is kept."""
    try:
        with transaction.atomic():
            return kind.delete(row, now)
    except (ProtectedError, RestrictedError) as error:
        return f"still needed by {_still_needed(error)}"


def retention_apply(
    *, now: datetime.datetime | None = None, keys: Iterable[str] | None = None
) -> list[KindResult]:
    """Remind, then delete, what is due, kind by kind: each row on its own, in its own
    transaction, through its kind's service. Safe to run twice and at the same time as itself:
    each service re-checks, under a lock, that its row is still due, and a reminder is claimed
    before it is sent. A row that another record still needs is kept and reported, after one
    more try at the end of the run (the record that needed it may have gone meanwhile, as a
    child death goes before the case it was referred to); a row that fails is logged by number
    and the run goes on."""
    now = now or timezone.now()
    results = []
    kept: list[tuple[KindResult, Model, str]] = []
    for kind in _kinds(keys):
        result = KindResult(kind=kind)
        if kind.to_remind is not None and kind.remind is not None:
            for row in _rows(kind.to_remind(now)):
                reference = kind.reference(row)
                try:
                    if kind.remind(row, now):
                        result.reminded.append(reference)
                except Exception:
                    logger.exception("Retention: could not remind about %s %s", kind.key, row.pk)
                    result.reminders_failed.append(reference)
        for row in _rows(kind.due(now)):
            reference = kind.reference(row)
            try:
                done = _delete_one(kind, row, now)
            except Exception:
                logger.exception("Retention: could not delete %s %s", kind.key, row.pk)
                result.failed.append(reference)
                continue
            if done is True:
                result.deleted.append(reference)
            elif done:
                kept.append((result, row, reference))
        results.append(result)
    for result, row, reference in kept:
        try:
            done = _delete_one(result.kind, row, now)
        except Exception:
            logger.exception("Retention: could not delete %s %s", result.kind.key, row.pk)
            result.failed.append(reference)
            continue
        if done is True:
            result.deleted.append(reference)
        elif done:
            result.kept.append(f"{reference} ({done})")
    return results


# The core's own kind: the access log -----------------------------------------------------------


def _access_log_years() -> int:
    from django.conf import settings

    return settings.RETENTION_ACCESS_LOG_YEARS


def _access_entries(now: datetime.datetime) -> QuerySet:
    from auditlog.models import LogEntry

    return LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, timestamp__lt=years_before(now, _access_log_years())
    )


def access_entry_delete(entry: Any, now: datetime.datetime) -> bool:
    """Delete one access-log entry (who saw which record, when) that the policy no longer
    keeps."""
    return bool(_access_entries(now).filter(pk=entry.pk).delete()[0])


register_retention(
    key="access-log",
    label="Access-log entries (who saw which record, and when)",
    period=lambda: f"{_access_log_years()} years after the view",
    due=_access_entries,
    delete=access_entry_delete,
    reference=lambda entry: f"Entry {entry.pk} of {long_date(timezone.localdate(entry.timestamp))}",
)
