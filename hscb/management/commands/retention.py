"""Apply the board's records policy now, or list what it would do (`--dry-run`).

The nightly task `hscb.tasks.apply_retention` does the same. Records are named by reference or
number only: what is printed never holds a child's details.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from hscb.lib import retention


class Command(BaseCommand):
    help = (
        "Apply the board's records policy (settings RETENTION_* and DRAFT_EXPIRY_*): remind the "
        "authors of drafts about to expire, then delete what the policy no longer keeps, with "
        "the child's details in its history. With --dry-run, list what is due and change "
        "nothing. Safe to run twice."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List, kind by kind, what is due for a reminder or for deletion; change nothing.",
        )
        parser.add_argument(
            "--kind",
            action="append",
            dest="kinds",
            metavar="KIND",
            help="Only this kind of record (may be given more than once): "
            + ", ".join(retention.KINDS),
        )

    def handle(self, *args, dry_run: bool, kinds: list[str] | None, **options) -> None:
        try:
            if dry_run:
                self._plan(retention.retention_plan(keys=kinds))
            else:
                self._apply(retention.retention_apply(keys=kinds))
        except KeyError as unknown:
            raise CommandError(
                f"There is no kind of record called {unknown.args[0]}. "
                f"Choose from: {', '.join(retention.KINDS)}."
            ) from None

    def _list(self, heading: str, references: list[str]) -> None:
        self.stdout.write(f"  {heading}: {len(references)}")
        for reference in references:
            self.stdout.write(f"    {reference}")

    def _plan(self, plans: list[retention.KindPlan]) -> None:
        self.stdout.write("Dry run: nothing is reminded or deleted.")
        for plan in plans:
            self.stdout.write(f"{plan.kind.label} (kept {plan.kind.period()})")
            if plan.kind.to_remind is not None:
                self._list("Author to remind", plan.to_remind)
            self._list("Due for deletion", plan.due)

    def _apply(self, results: list[retention.KindResult]) -> None:
        problems = False
        for result in results:
            self.stdout.write(f"{result.kind.label} (kept {result.kind.period()})")
            if result.kind.to_remind is not None:
                self._list("Authors reminded", result.reminded)
            self._list("Deleted", result.deleted)
            if result.kept:
                self._list("Due but kept, as another record still needs them", result.kept)
            if result.failed or result.reminders_failed:
                problems = True
                self._list("Could not be deleted (see the log)", result.failed)
                self._list("Reminders that could not be sent", result.reminders_failed)
        if problems:
            raise CommandError("Some records could not be dealt with: run it again later.")
        self.stdout.write(self.style.SUCCESS("The records policy has been applied."))
