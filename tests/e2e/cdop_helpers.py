"""Helpers for the browser tests of the Child Death Overview Panel: notifications, cross-area
referrals, the panel's review, statistics and the annual report.

The records a test starts from are made with the app's own services (as agency staff and the
panel would make them through the pages), so they are exactly what the pages make: a death has
its reference and derived fields, a death of a child who lived elsewhere its outbound referral.
Like `business.py`, the page helpers only find things and fill in forms; moving to another page
is left to `follow` and `visit`.
"""

from __future__ import annotations

import datetime

from playwright.sync_api import Page

from cdop.models import ChildDeath, DeathStatus, Expectation, NotifiedVia, PlaceSetting
from cdop.services import deaths, progress
from hscb.models import Area, Ethnicity, GroupFunction, Meeting, Sex, User
from tests.casereview.factories import ensure_review_types
from tests.cdop.factories import ensure_categories
from tests.e2e.business import fill_date, in_days
from tests.e2e.casereview_helpers import radio_group
from tests.hscb.factories import AgencyFactory, MeetingFactory

NEIGHBOUR = "Luton"
NEIGHBOUR_PANEL = "child.deaths@luton-cdop.example"
TRUST = "East and North Hertfordshire NHS Trust"


def cdop_ready() -> Area:
    """The reference data the live server's flush removes (the categories of death, the review
    types), an NHS trust to ask for information, and a neighbour whose panel has an email
    address. Returns the neighbour."""
    ensure_categories()
    ensure_review_types()
    AgencyFactory(name=TRUST, short_name="ENHT", sector="health")
    Area.objects.filter(name=NEIGHBOUR).update(
        cdop_name=f"{NEIGHBOUR} Child Death Overview Panel", cdop_email=NEIGHBOUR_PANEL
    )
    return Area.objects.get(name=NEIGHBOUR)


def home() -> Area:
    return Area.objects.get(is_home=True)


def notify(
    by: User,
    *,
    first_name: str,
    last_name: str,
    lived: Area | None = None,
    died: datetime.date | None = None,
    age_days: int = 200,
    expected: bool = False,
) -> ChildDeath:
    """A death notified from `by`'s account, as the signed-in form sends it."""
    died = died or in_days(-10)
    data = {
        "born_alive": True,
        "first_name": first_name,
        "last_name": last_name,
        "nhs_number": "",
        "date_of_birth": died - datetime.timedelta(days=age_days),
        "sex": Sex.MALE,
        "ethnicity": Ethnicity.WHITE_BRITISH,
        "died_on": died,
        "died_at_time": None,
        "place_area": home(),
        "place_setting": PlaceSetting.HOSPITAL,
        "place_detail": "Lister Hospital",
        "residence_area": lived or home(),
        "looked_after": False,
        "looked_after_by": None,
        "expectation": Expectation.EXPECTED if expected else Expectation.UNEXPECTED,
        "circumstances": "Collapsed at home and was taken to hospital.",
        "notifier_role": "Consultant paediatrician",
        "notifier_phone": "01632 960 001",
    }
    return deaths.death_notify(via=NotifiedVia.ACCOUNT, by=by, data=data, today=died)


def listed_for_panel(death: ChildDeath, *, by: User) -> ChildDeath:
    """Information asked of the NHS trust, the child death review meeting held, and the case
    listed for the panel's next meeting."""
    from hscb.models import Agency, Group

    panel = Group.objects.get(function=GroupFunction.CHILD_DEATH_OVERVIEW)
    meeting: Meeting = MeetingFactory(group=panel)
    progress.agency_information_request(
        death=death, agency=Agency.objects.get(name=TRUST), requested_on=in_days(-5), by=by
    )
    progress.death_record_review_meeting(death=death, held_on=in_days(-2), by=by)
    progress.death_list_for_panel(death=death, meeting=meeting, by=by)
    death.refresh_from_db()
    assert death.status == DeathStatus.PANEL
    return death


def fill_public_form(
    page: Page,
    *,
    first_name: str,
    last_name: str,
    born: datetime.date,
    died: datetime.date,
    lived: str,
) -> None:
    """Answer every question of the notification form, as a professional without an account."""
    radio_group(page, "Was the child born alive?").get_by_label("Yes", exact=True).check()
    page.get_by_label("First name", exact=True).fill(first_name)
    page.get_by_label("Last name", exact=True).fill(last_name)
    fill_date(page, "Date of birth", born)
    radio_group(page, "Sex").get_by_label("Female", exact=True).check()
    page.get_by_label("Ethnic group").select_option(
        label="White: English, Welsh, Scottish, Northern Irish or British"
    )
    fill_date(page, "Date of death", died)
    page.get_by_label("Area where the child died").select_option(label="Hertfordshire")
    radio_group(page, "Where did the child die?").get_by_label("Hospital", exact=True).check()
    page.get_by_label("Place of death in more detail (optional)").fill("Lister Hospital")
    page.get_by_label("Area where the child normally lived").select_option(label=lived)
    radio_group(page, "Was the child looked after by a local authority?").get_by_label(
        "No", exact=True
    ).check()
    radio_group(page, "Was the death expected or unexpected?").get_by_label(
        "Unexpected", exact=True
    ).check()
    page.get_by_label("Known circumstances (optional)").fill(
        "Brought to the emergency department after a fall at a friend's house."
    )
    page.get_by_label("Your full name").fill("Dr Nadia Rahman")
    page.get_by_label("Your job title or role").fill("Emergency department consultant")
    page.get_by_label("Your organisation", exact=True).fill(
        "Luton and Dunstable University Hospital"
    )
    page.get_by_label("Your email address").fill("nadia.rahman@hospital.example")
    page.get_by_label("Your telephone number").fill("01632 960 245")
