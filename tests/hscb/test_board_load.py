"""The board's structure loads from the shipped fixture, word for word and idempotently."""

from __future__ import annotations

import html
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from hscb.models import Area, Group, GroupFunction, Objective

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[2] / "hscb" / "fixtures" / "hscb-subgroups.txt"
HEADINGS = [
    "Strategic Board",
    "Improving Outcomes subgroup",
    "Learning and Development subgroup",
    "Policy and Procedures subgroup",
    "Audit subgroup",
    "Performance subgroup",
    "Case Review subgroup",
    "Child Death Overview Panel",
    "Strategic Safeguarding Adolescents Group",
]


def seed_objectives() -> dict[str, list[str]]:
    """The bullets under each group's heading in the board's own text, exactly as written."""
    found: dict[str, list[str]] = {}
    current = None
    for line in SEED.read_text(encoding="utf-8").splitlines():
        heading = " ".join(line.replace("\xa0", " ").split())
        if heading in HEADINGS:
            current = heading
            found[current] = []
        elif current and line.lstrip().startswith("•"):
            found[current].append(line.lstrip()[1:].strip(" "))
    return found


def squash(text: str) -> str:
    return " ".join(html.unescape(text).replace("\xa0", " ").split())


def test_seed_text_has_every_group_and_its_objectives():
    objectives = seed_objectives()
    assert list(objectives) == HEADINGS
    assert sum(len(v) for v in objectives.values()) == 25


def test_every_seed_objective_is_loaded_word_for_word_in_order(board):
    for heading, bullets in seed_objectives().items():
        group = Group.objects.get(name=heading)
        assert list(group.objectives.values_list("text", flat=True)) == bullets, heading
    assert Objective.objects.count() == 25


def test_board_structure_page_shows_every_objective_one_per_bullet(client, board, member):
    client.force_login(member)
    page = client.get("/board/").content.decode()
    items = [squash(li) for li in re.findall(r"<li>(.*?)</li>", page, flags=re.S)]
    for bullets in seed_objectives().values():
        for bullet in bullets:
            assert squash(bullet) in items


def test_groups_carry_the_seed_facts(board):
    strategic = board[GroupFunction.STRATEGIC_BOARD]
    case_review = board[GroupFunction.CASE_REVIEW]
    assert strategic.chair_is_independent and strategic.accountable_to is None
    assert case_review.chair_is_independent
    assert case_review.accountable_to == strategic and case_review.accountable_to_chair
    assert "accountable to the chair of the Safeguarding Board" in case_review.remit
    assert board[GroupFunction.CHILD_DEATH_OVERVIEW].kind == "panel"
    assert Area.objects.get(is_home=True).name == "Hertfordshire"
    assert Area.objects.filter(is_neighbour=True).count() == 9


def test_loading_twice_creates_nothing_new():
    out = StringIO()
    call_command("load_board", stdout=out)
    counts = (Group.objects.count(), Objective.objects.count(), Area.objects.count())
    call_command("load_board", stdout=out)
    assert (Group.objects.count(), Objective.objects.count(), Area.objects.count()) == counts
    assert counts == (9, 25, 10)
    assert "0 created, 0 updated, 44 unchanged" in out.getvalue()


def test_reloading_keeps_admin_edits_unless_asked_to_update(board):
    group = board[GroupFunction.AUDIT]
    group.remit = "Changed by the secretariat."
    group.save()
    call_command("load_board", stdout=StringIO())
    group.refresh_from_db()
    assert group.remit == "Changed by the secretariat."

    call_command("load_board", "--update", stdout=StringIO())
    group.refresh_from_db()
    assert group.remit.startswith("Receives single-agency audit reports")


def test_reloading_survives_the_edits_the_secretariat_makes_in_the_admin(board):
    audit = board[GroupFunction.AUDIT]
    audit.slug = "audit-and-assurance"
    audit.save()
    home = Area.objects.get(is_home=True)
    home.name = "Hertfordshire County"
    home.save()
    first, second = audit.objectives.all()[:2]
    first.order, second.order = second.order, first.order
    first.save()
    second.save()
    audit.objectives.filter(pk=audit.objectives.last().pk).delete()
    objectives = Objective.objects.count()

    call_command("load_board", stdout=StringIO())

    assert Group.objects.count() == 9 and Area.objects.count() == 10
    assert Objective.objects.count() == objectives
    assert Group.objects.get(pk=audit.pk).slug == "audit-and-assurance"
    assert Area.objects.get(pk=home.pk).name == "Hertfordshire County"
