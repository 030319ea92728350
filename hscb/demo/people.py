"""Demonstration people: the partner agencies, one account for each role, the other people
who sit on the board's groups, and their seats."""

from __future__ import annotations

from dataclasses import dataclass

from hscb.models import GroupFunction, MembershipRole, Sector

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
