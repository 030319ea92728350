"""Demonstration data: partner agencies, people and their seats on the board's groups.

Only `manage.py load_demo` calls this, and it refuses to run with DEBUG off. Every name here is
invented; every address is on the reserved `.example` domain, so no email can reach anyone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group as PermissionGroup
from django.db import transaction
from django.utils import timezone

from hscb.models import Agency, Group, GroupFunction, Membership, MembershipRole, Sector, User
from hscb.rules import SECRETARIAT_GROUP

DOMAIN = "demo.example"

AGENCIES = [
    # (name, short name, sector)
    (
        "Hertfordshire County Council Children's Services",
        "Children's Services",
        Sector.CHILDRENS_SERVICES,
    ),
    ("Hertfordshire County Council Education Services", "Education Services", Sector.EDUCATION),
    ("Hertfordshire Constabulary", "Police", Sector.POLICE),
    ("NHS Hertfordshire and West Essex Integrated Care Board", "ICB", Sector.HEALTH),
    ("East and North Hertfordshire NHS Trust", "ENHT", Sector.HEALTH),
    ("West Hertfordshire Teaching Hospitals NHS Trust", "WHTH", Sector.HEALTH),
    ("Hertfordshire Community NHS Trust", "HCT", Sector.HEALTH),
    ("Hertfordshire Partnership University NHS Foundation Trust", "HPFT", Sector.HEALTH),
    ("The Probation Service, Hertfordshire", "Probation", Sector.PROBATION),
    ("Hertfordshire Youth Justice Service", "Youth Justice", Sector.PROBATION),
    ("Stevenage Borough Council", "Stevenage BC", Sector.DISTRICT_COUNCIL),
    ("Watford Borough Council", "Watford BC", Sector.DISTRICT_COUNCIL),
    ("Hertfordshire Schools' Safeguarding Forum", "Schools", Sector.EDUCATION),
    ("Hertfordshire Voluntary Sector Safeguarding Network", "Voluntary sector", Sector.VOLUNTARY),
    ("Hertfordshire Safeguarding Children Board Business Unit", "Business Unit", Sector.BOARD),
    ("Independent", "Independent", Sector.INDEPENDENT),
]


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    agency: str  # short name
    title: str
    email: str = ""

    @property
    def address(self) -> str:
        return self.email or f"{self.first}.{self.last}@{DOMAIN}".lower().replace("'", "")


# One person for each role of DESIGN.md §1: these are the accounts to sign in with.
ROLE_USERS = {
    "secretariat": Person(
        "Priya", "Shah", "Business Unit", "Board business manager", f"secretariat@{DOMAIN}"
    ),
    "board chair": Person(
        "Margaret",
        "Ellison",
        "Independent",
        "Independent chair of the board",
        f"board.chair@{DOMAIN}",
    ),
    "group chair": Person(
        "David",
        "Okafor",
        "Children's Services",
        "Head of quality assurance",
        f"group.chair@{DOMAIN}",
    ),
    "group member": Person(
        "Helen", "Marsh", "Police", "Detective inspector, child protection", f"member@{DOMAIN}"
    ),
    "agency staff": Person(
        "Tom", "Reilly", "Children's Services", "Social worker", f"agency.staff@{DOMAIN}"
    ),
    "CDOP panel member": Person(
        "Aisha", "Begum", "ICB", "Designated doctor for child deaths", f"cdop.member@{DOMAIN}"
    ),
    "case review member": Person(
        "Gareth",
        "Lloyd",
        "Education Services",
        "Head of safeguarding in education",
        f"case.review@{DOMAIN}",
    ),
}

OTHER_PEOPLE = [
    Person("Jonathan", "Pryce", "Independent", "Independent reviewer and chair"),
    Person("Sarah", "Whitfield", "Children's Services", "Director of children's services"),
    Person("Mark", "Osei", "Police", "Detective superintendent, public protection"),
    Person("Clare", "Donnelly", "ICB", "Designated nurse for safeguarding children"),
    Person("Rebecca", "Hart", "ENHT", "Named nurse for safeguarding children"),
    Person("Imran", "Qureshi", "WHTH", "Named doctor for safeguarding children"),
    Person("Louise", "Fenton", "HCT", "Head of safeguarding"),
    Person("Peter", "Adeyemi", "HPFT", "Safeguarding lead, children and young people"),
    Person("Natalie", "Brooks", "Probation", "Head of public protection"),
    Person("Kevin", "Walsh", "Youth Justice", "Service manager"),
    Person("Fiona", "McLeod", "Stevenage BC", "Community safety manager"),
    Person("Daniel", "Kowalski", "Watford BC", "Housing and safeguarding lead"),
    Person("Anne", "Hughes", "Schools", "Headteacher, primary phase representative"),
    Person("Samuel", "Nwosu", "Schools", "Deputy head, secondary phase representative"),
    Person("Emma", "Clarke", "Voluntary sector", "Safeguarding network coordinator"),
    Person("Robert", "Chen", "Children's Services", "Head of service, children looked after"),
    Person("Joanne", "Patel", "Children's Services", "Learning and development manager"),
    Person("Lucy", "Thornton", "Business Unit", "Policy and procedures officer"),
    Person("Alan", "Fairbanks", "Business Unit", "Child death review coordinator"),
    Person("Grace", "Mensah", "Police", "Detective chief inspector, exploitation"),
    Person("Oliver", "Grant", "Education Services", "Head of attendance and missing education"),
    Person("Yasmin", "Ali", "ENHT", "Consultant paediatrician"),
    Person("Stephen", "Moore", "Children's Services", "Performance and data manager"),
    Person("Hannah", "Price", "ICB", "Audit and assurance lead"),
]

_STRATEGIC_MEMBERS = [
    ("Sarah", "Whitfield", MembershipRole.MEMBER),
    ("Mark", "Osei", MembershipRole.MEMBER),
    ("Clare", "Donnelly", MembershipRole.MEMBER),
    ("Natalie", "Brooks", MembershipRole.MEMBER),
    ("Fiona", "McLeod", MembershipRole.MEMBER),
    ("Anne", "Hughes", MembershipRole.MEMBER),
    ("Priya", "Shah", MembershipRole.SECRETARIAT),
]

# Seats by group function: (first, last, role).
SEATS = {
    GroupFunction.STRATEGIC_BOARD: [
        ("Margaret", "Ellison", MembershipRole.CHAIR),
        *_STRATEGIC_MEMBERS,
    ],
    GroupFunction.IMPROVING_OUTCOMES: [
        ("David", "Okafor", MembershipRole.CHAIR),
        ("Helen", "Marsh", MembershipRole.MEMBER),
        ("Rebecca", "Hart", MembershipRole.MEMBER),
        ("Kevin", "Walsh", MembershipRole.MEMBER),
        ("Emma", "Clarke", MembershipRole.MEMBER),
        ("Stephen", "Moore", MembershipRole.ADVISER),
        ("Priya", "Shah", MembershipRole.SECRETARIAT),
    ],
    GroupFunction.LEARNING_DEVELOPMENT: [
        ("Joanne", "Patel", MembershipRole.CHAIR),
        ("Louise", "Fenton", MembershipRole.MEMBER),
        ("Samuel", "Nwosu", MembershipRole.MEMBER),
        ("Emma", "Clarke", MembershipRole.MEMBER),
    ],
    GroupFunction.POLICY_PROCEDURES: [
        ("Robert", "Chen", MembershipRole.CHAIR),
        ("Peter", "Adeyemi", MembershipRole.MEMBER),
        ("Daniel", "Kowalski", MembershipRole.MEMBER),
        ("Lucy", "Thornton", MembershipRole.SECRETARIAT),
    ],
    GroupFunction.AUDIT: [
        ("Hannah", "Price", MembershipRole.CHAIR),
        ("Helen", "Marsh", MembershipRole.MEMBER),
        ("Louise", "Fenton", MembershipRole.MEMBER),
        ("Oliver", "Grant", MembershipRole.MEMBER),
    ],
    GroupFunction.PERFORMANCE: [
        ("Stephen", "Moore", MembershipRole.CHAIR),
        ("Grace", "Mensah", MembershipRole.MEMBER),
        ("Imran", "Qureshi", MembershipRole.MEMBER),
    ],
    GroupFunction.CASE_REVIEW: [
        ("Jonathan", "Pryce", MembershipRole.CHAIR),
        ("Gareth", "Lloyd", MembershipRole.MEMBER),
        ("Mark", "Osei", MembershipRole.MEMBER),
        ("Clare", "Donnelly", MembershipRole.MEMBER),
        ("Robert", "Chen", MembershipRole.MEMBER),
        ("Priya", "Shah", MembershipRole.SECRETARIAT),
    ],
    GroupFunction.CHILD_DEATH_OVERVIEW: [
        ("Yasmin", "Ali", MembershipRole.CHAIR),
        ("Aisha", "Begum", MembershipRole.VICE_CHAIR),
        ("Grace", "Mensah", MembershipRole.MEMBER),
        ("Sarah", "Whitfield", MembershipRole.MEMBER),
        ("Alan", "Fairbanks", MembershipRole.SECRETARIAT),
    ],
    GroupFunction.ADOLESCENTS: [
        ("Grace", "Mensah", MembershipRole.CHAIR),
        ("Kevin", "Walsh", MembershipRole.MEMBER),
        ("Oliver", "Grant", MembershipRole.MEMBER),
        ("Peter", "Adeyemi", MembershipRole.MEMBER),
    ],
}

# A seat that ended, and one about to, so the history and the secretariat's list show something.
ENDED = (GroupFunction.AUDIT, "Rebecca", "Hart", MembershipRole.MEMBER, 400, 60)
ENDING = (GroupFunction.PERFORMANCE, "Daniel", "Kowalski", MembershipRole.MEMBER, 300, -20)


@dataclass
class DemoReport:
    created_users: list[User] = field(default_factory=list)
    created_agencies: int = 0
    created_memberships: int = 0
    role_users: dict[str, str] = field(default_factory=dict)


class BoardNotLoaded(Exception):
    pass


@transaction.atomic
def demo_load(*, password: str, today: datetime.date | None = None) -> DemoReport:
    """Create what is missing of the demonstration data; change nothing that exists."""
    today = today or timezone.localdate()
    groups = {g.function: g for g in Group.objects.exclude(function="")}
    missing = [f for f in SEATS if f not in groups]
    if missing:
        raise BoardNotLoaded(f"The board's groups are not loaded ({len(missing)} missing).")
    report = DemoReport()

    agencies: dict[str, Agency] = {}
    for name, short, sector in AGENCIES:
        agency, created = Agency.objects.get_or_create(
            name=name, defaults={"short_name": short, "sector": sector}
        )
        agencies[short] = agency
        report.created_agencies += created

    password_hash = make_password(password)
    people: dict[tuple[str, str], User] = {}
    for person in [*ROLE_USERS.values(), *OTHER_PEOPLE]:
        user, created = User.objects.get_or_create(
            email=person.address,
            defaults={
                "first_name": person.first,
                "last_name": person.last,
                "job_title": person.title,
                "agency": agencies[person.agency],
                "password": password_hash,
            },
        )
        people[(person.first, person.last)] = user
        if created:
            report.created_users.append(user)
    report.role_users = {role: p.address for role, p in ROLE_USERS.items()}

    secretariat = people[(ROLE_USERS["secretariat"].first, ROLE_USERS["secretariat"].last)]
    if not secretariat.is_staff:
        secretariat.is_staff = True
        secretariat.save(update_fields=["is_staff"])
    secretariat.groups.add(PermissionGroup.objects.get(name=SECRETARIAT_GROUP))

    start = today - datetime.timedelta(days=365)
    for function, seats in SEATS.items():
        for first, last, role in seats:
            user = people[(first, last)]
            # Found by person and group, so a seat the secretariat has since changed is kept.
            _, created = Membership.objects.get_or_create(
                user=user,
                group=groups[function],
                defaults={"role": role, "agency": user.agency, "start_date": start},
            )
            report.created_memberships += created
    for function, first, last, role, began, ends in [ENDED, ENDING]:
        user = people[(first, last)]
        _, created = Membership.objects.get_or_create(
            user=user,
            group=groups[function],
            defaults={
                "role": role,
                "agency": user.agency,
                "start_date": today - datetime.timedelta(days=began),
                "end_date": today - datetime.timedelta(days=ends),
            },
        )
        report.created_memberships += created
    return report


def demo_set_password(*, password: str) -> int:
    """Give every demonstration account a new password; returns how many were changed."""
    users = list(User.objects.filter(email__endswith=f"@{DOMAIN}"))
    password_hash = make_password(password)
    for user in users:
        user.password = password_hash
    User.objects.bulk_update(users, ["password"])
    return len(users)
