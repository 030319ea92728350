"""Permission-matrix cases for the meetings pages (see tests/test_permission_matrix.py).

`world.meeting` belongs to the Improving Outcomes subgroup: its members and chair see it, as do
the board chair and the secretariat; only the secretariat manages it (the others who see it
get 403). Everyone else gets 404, as members of Improving Outcomes do for `world.other_meeting`
(the Child Death Overview Panel's). The panel handles children's personal records, so the board
chair gets 404 for its meeting too: only its members and the secretariat see it.
"""

from __future__ import annotations

from hscb.models import Meeting, Paper
from tests.matrix import FORBIDDEN, NOT_FOUND, OK, Case, everyone

SEES_MEETING = ["secretariat", "board_chair", "group_chair", "member"]
SEES_OTHER_MEETING = ["secretariat", "cdop_member"]


def sees(roles: list[str], outcome=OK) -> dict:
    """`outcome` for `roles`, 404 for every other signed-in role."""
    return everyone(NOT_FOUND, **dict.fromkeys(roles, outcome))


def manages(roles: list[str] = SEES_MEETING) -> dict:
    """200 for the secretariat, 403 for the others who see the meeting, 404 for the rest."""
    return {**sees(roles, FORBIDDEN), "secretariat": OK}


CASES: dict[str, list[Case]] = {
    "meetings/": [
        Case(
            "/meetings/",
            everyone(OK),
            {
                "*": "Forward plan",
                "secretariat": "Schedule a meeting",
                "board_chair": "Review of the issues register",
                "group_chair": "Review of the issues register",
                "member": "Review of the issues register",
                "cdop_member": "Child Death Overview Panel",
                "agency_staff": "There are no coming meetings to show",
                "outsider": "There are no coming meetings to show",
            },
        ),
        Case("/meetings/?when=past", everyone(OK), {"*": "Past meetings"}),
    ],
    "meetings/new/": [
        Case("/meetings/new/", everyone(FORBIDDEN, secretariat=OK), {"*": "Schedule a meeting"})
    ],
    "meetings/<int:pk>/": [
        Case(
            lambda w: f"/meetings/{w.meeting.pk}/",
            sees(SEES_MEETING),
            {"*": "Review of the issues register", "secretariat": "Record attendance"},
        ),
        Case(lambda w: f"/meetings/{w.other_meeting.pk}/", sees(SEES_OTHER_MEETING)),
        Case("/meetings/999999/", everyone(NOT_FOUND)),
    ],
    "meetings/<int:pk>/change/": [
        Case(
            lambda w: f"/meetings/{w.meeting.pk}/change/",
            manages(),
            {"*": "Change the meeting's details"},
        ),
        Case(lambda w: f"/meetings/{w.other_meeting.pk}/change/", manages(SEES_OTHER_MEETING)),
    ],
    "meetings/<int:pk>/cancel/": [
        Case(
            lambda w: f"/meetings/{w.meeting.pk}/cancel/",
            manages(),
            {"*": "Cancel this meeting?"},
        )
    ],
    "meetings/<int:pk>/agenda.pdf": [
        Case(lambda w: f"/meetings/{w.meeting.pk}/agenda.pdf", sees(SEES_MEETING)),
        Case(lambda w: f"/meetings/{w.other_meeting.pk}/agenda.pdf", sees(SEES_OTHER_MEETING)),
    ],
    "meetings/<int:pk>/invitation.ics": [
        Case(
            lambda w: f"/meetings/{w.meeting.pk}/invitation.ics",
            sees(SEES_MEETING),
            {"*": "BEGIN:VCALENDAR"},
        ),
        Case(lambda w: f"/meetings/{w.other_meeting.pk}/invitation.ics", sees(SEES_OTHER_MEETING)),
    ],
    "meetings/<int:pk>/send-papers/": [
        Case(
            lambda w: f"/meetings/{w.meeting.pk}/send-papers/",
            manages(),
            {"*": "Who will get them"},
        )
    ],
    "meetings/<int:pk>/attendance/": [
        Case(
            lambda w: f"/meetings/{w.meeting.pk}/attendance/",
            manages(),
            {"*": "The meeting has not started yet"},
        )
    ],
    "meetings/<int:pk>/items/new/": [
        Case(
            lambda w: f"/meetings/{w.meeting.pk}/items/new/",
            manages(),
            {"*": "Add an agenda item"},
        )
    ],
    "meetings/<int:pk>/items/<int:item_pk>/change/": [
        Case(
            lambda w: f"/meetings/{w.meeting.pk}/items/{w.item.pk}/change/",
            manages(),
            {"*": "Review of the issues register"},
        ),
        # An item is reached only through its own meeting.
        Case(
            lambda w: f"/meetings/{w.other_meeting.pk}/items/{w.item.pk}/change/",
            manages(SEES_OTHER_MEETING) | {"secretariat": NOT_FOUND},
        ),
    ],
    "meetings/<int:pk>/items/<int:item_pk>/minutes/": [
        Case(
            lambda w: f"/meetings/{w.meeting.pk}/items/{w.item.pk}/minutes/",
            manages(),
            {"*": "Minutes and decisions: Review of the issues register"},
        )
    ],
    "meetings/<int:pk>/items/<int:item_pk>/papers/new/": [
        Case(
            lambda w: f"/meetings/{w.meeting.pk}/items/{w.item.pk}/papers/new/",
            manages(),
            {"*": "Add a paper to"},
        )
    ],
    "papers/<int:pk>/": [
        Case(lambda w: f"/papers/{w.paper.pk}/", sees(SEES_MEETING)),
        Case("/papers/999999/", everyone(NOT_FOUND)),
    ],
}

# What the secretariat may do in the admin with each model of this area. Meetings are read-only
# there (scheduling and attendance have rules, kept on the meeting pages) and never deleted; a
# paper uploaded by mistake can be deleted.
ADMIN: dict[type, set[str]] = {
    Meeting: {"view"},
    Paper: {"view", "delete"},
}
