"""Shared fixtures: the board as shipped, one user per role, and Celery run in-process.

Role fixtures (DESIGN.md §1) sit on the board loaded from the app's own fixture:
`group_chair` and `member` are on the Improving Outcomes subgroup; `outsider` has an account but
no agency and no seat anywhere.
"""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group as PermissionGroup

from hscb.management.commands.load_board import FIXTURE
from hscb.models import Group, GroupFunction, MembershipRole
from hscb.rules import SECRETARIAT_GROUP
from hscb.services.board import board_load
from tests.clients import BoardClient
from tests.hscb.factories import TEST_PASSWORD, AgencyFactory, MembershipFactory, UserFactory

ROLES = [
    "anonymous",
    "secretariat",
    "board_chair",
    "group_chair",
    "member",
    "agency_staff",
    "cdop_member",
    "case_review_member",
    "outsider",
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded papers go to a folder of the test's own, never the project's media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _celery_in_process(request):
    """Run tasks in the test's own process, except in tests marked `worker`, which need the
    real broker and worker."""
    from hscb.celery import app

    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def client() -> BoardClient:
    """A test client whose `force_login` signs in fully, second factor included."""
    return BoardClient()


@pytest.fixture
def admin_client(db, admin_user) -> BoardClient:
    """pytest-django's superuser client, signed in fully like `client`."""
    client = BoardClient()
    client.force_login(admin_user)
    return client


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def board(db) -> dict[str, Group]:
    """The board's groups as `manage.py load_board` makes them, by function."""
    board_load(data=json.loads(FIXTURE.read_text(encoding="utf-8")))
    return {g.function: g for g in Group.objects.all()}


def _seat(board, function, role=MembershipRole.MEMBER, **user):
    return MembershipFactory(group=board[function], role=role, user=UserFactory(**user)).user


@pytest.fixture
def secretariat(board):
    user = UserFactory(
        email="secretariat@board.example",
        is_staff=True,
        agency=AgencyFactory(name="Board business unit", sector="board"),
    )
    user.groups.add(PermissionGroup.objects.get(name=SECRETARIAT_GROUP))
    return user


@pytest.fixture
def board_chair(board):
    return _seat(
        board, GroupFunction.STRATEGIC_BOARD, MembershipRole.CHAIR, email="chair@board.example"
    )


@pytest.fixture
def group_chair(board):
    return _seat(
        board,
        GroupFunction.IMPROVING_OUTCOMES,
        MembershipRole.CHAIR,
        email="io.chair@board.example",
    )


@pytest.fixture
def member(board):
    return _seat(board, GroupFunction.IMPROVING_OUTCOMES, email="io.member@board.example")


@pytest.fixture
def agency_staff(board):
    return UserFactory(email="practitioner@agency.example")


@pytest.fixture
def cdop_member(board):
    return _seat(board, GroupFunction.CHILD_DEATH_OVERVIEW, email="cdop@board.example")


@pytest.fixture
def case_review_member(board):
    return _seat(board, GroupFunction.CASE_REVIEW, email="case.review@board.example")


@pytest.fixture
def outsider(board):
    return UserFactory(email="contractor@elsewhere.example", agency=None)


@pytest.fixture
def role_user(request):
    """The user of the role named by `request.param` (None for anonymous)."""
    if request.param == "anonymous":
        return None
    return request.getfixturevalue(request.param)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests run last. Their live server makes each test transactional, and the tables
    are emptied after it, taking the rows migrations seed (risk ratings, review types, beat
    schedules) with them: the tests after them would find none. Django's own runner runs such
    tests last for the same reason."""
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)
