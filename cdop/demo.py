"""Demonstration child deaths at each stage of the Child Death Overview Panel's work, written
through the app's services as agency staff, the panel's coordinator and its members would:

- a death just notified by the agency staff account: unexpected, its joint agency response
  recorded;
- a death with information being gathered: three agencies asked, one has answered;
- a neonatal death (expected), its child death review meeting held, listed for the panel's
  next meeting;
- a sudden infant death the panel has reviewed and closed: category, factors in two domains,
  modifiable factors found, and a recommendation made an action of the panel;
- the death here of a child who lived in Luton: referred out to Luton's panel, which
  acknowledged it and agreed to review it (the outcome is awaited);
- the death in Cambridgeshire of a child who lived here, as that area's panel told us: awaiting
  our acknowledgement;
- the deaths of the two years before, each reviewed and closed at one of that year's panel
  meetings (put in the panel's calendar for them), so the statistics show trends: among them
  a referral out whose outcome was reported, and one referred in that our panel reviewed.

Registered with `hscb.demo.register_demo`; only `manage.py load_demo` runs it. Made only while
there are no child deaths, so running it again adds nothing twice. Every child, like every
person, is invented; the NHS numbers are valid but in the 999 range the NHS keeps for testing.
The other areas' panels are given addresses on the reserved `.example` domain when they have
none, so the referral emails reach nobody.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from hscb.demo import DemoContext
from hscb.lib.nhs import nhs_check_digit
from hscb.models import Area, Ethnicity, GroupFunction, Meeting, MeetingStatus, Sex, User

from .models import (
    ChildDeath,
    DeathCategory,
    Domain,
    Expectation,
    Influence,
    Modifiable,
    NotifiedVia,
    PlaceSetting,
    Referral,
    ReviewingPanel,
)
from .services import deaths, progress, referrals, review

VENUE = "Lister Hospital, Coreys Mill Lane, Stevenage SG1 4AB (Education Centre)"
PHONE = "01632 960 {:03d}"


def nhs_number(serial: int) -> str:
    """A valid NHS number in the 999 test range: the first with a check digit from `serial`."""
    while True:
        first_nine = f"{999100000 + serial:09d}"
        check = nhs_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"
        serial += 500


def _weekday(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def meeting_day(meeting: Meeting) -> datetime.date:
    return timezone.localdate(meeting.starts_at)


def _at(day: datetime.date, hour: int = 13) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@dataclass(frozen=True)
class Past:
    """A death in an earlier year, reviewed and closed by the panel."""

    years_ago: int
    died: tuple[int, int]  # month, day
    first: str
    last: str
    age_days: int
    sex: str
    ethnicity: str
    expected: bool
    setting: str
    category: int
    modifiable: str
    factors: tuple[tuple[str, str, str], ...] = ()


# One death a line, as a table: the formatter would give each field a line of its own.
# fmt: off
PAST = (
    Past(2, (1, 18), "Mason", "Trevelyan", 9, Sex.MALE, Ethnicity.WHITE_BRITISH, True,
         PlaceSetting.HOSPITAL, 8, Modifiable.NO),
    Past(2, (2, 27), "Ava", "Lindqvist", 140, Sex.FEMALE, Ethnicity.WHITE_OTHER, False,
         PlaceSetting.HOME, 10, Modifiable.YES,
         ((Domain.FAMILY, "Baby put to sleep on a sofa", Influence.CONTRIBUTED),)),
    Past(2, (4, 9), "Zayn", "Chaudhry", 3 * 365 + 50, Sex.MALE, Ethnicity.ASIAN_PAKISTANI, True,
         PlaceSetting.HOSPITAL, 7, Modifiable.NO),
    Past(2, (6, 2), "Ruby", "Ashdown", 11 * 365 + 20, Sex.FEMALE, Ethnicity.WHITE_BRITISH, True,
         PlaceSetting.HOME, 4, Modifiable.NO),
    Past(2, (7, 21), "Kai", "Osei-Bonsu", 16 * 365 + 90, Sex.MALE, Ethnicity.BLACK_AFRICAN,
         False, PlaceSetting.PUBLIC_PLACE, 3, Modifiable.YES,
         ((Domain.SERVICES, "No safe crossing on the route to school", Influence.CONTRIBUTED),)),
    Past(2, (9, 14), "Isabelle", "Marchetti", 15 * 365 + 200, Sex.FEMALE,
         Ethnicity.WHITE_OTHER, False, PlaceSetting.HOME, 2, Modifiable.YES,
         ((Domain.SERVICES, "Long wait for a mental health assessment", Influence.CONTRIBUTED),
          (Domain.INTRINSIC, "Earlier self-harm known to her school", Influence.UNLIKELY))),
    Past(2, (10, 3), "Harvey", "Pendlebury", 20, Sex.MALE, Ethnicity.WHITE_BRITISH, True,
         PlaceSetting.HOSPITAL, 8, Modifiable.INSUFFICIENT),
    Past(1, (1, 11), "Eliza", "Fairweather", 2 * 365 + 100, Sex.FEMALE,
         Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN, False, PlaceSetting.HOSPITAL, 9, Modifiable.NO),
    Past(1, (2, 8), "Theo", "Blackwood", 70, Sex.MALE, Ethnicity.WHITE_BRITISH, False,
         PlaceSetting.HOME, 10, Modifiable.YES,
         ((Domain.FAMILY, "Parents smoked in the home", Influence.CONTRIBUTED),
          (Domain.PARENTING, "Baby shared a bed after parental alcohol use",
           Influence.CONTRIBUTED))),
    Past(1, (3, 19), "Amara", "Nwachukwu", 6, Sex.FEMALE, Ethnicity.BLACK_AFRICAN, True,
         PlaceSetting.HOSPITAL, 8, Modifiable.NO),
    Past(1, (4, 30), "Finley", "Hargreaves", 8 * 365 + 30, Sex.MALE, Ethnicity.WHITE_BRITISH,
         True, PlaceSetting.HOSPITAL, 4, Modifiable.NO),
    Past(1, (6, 12), "Maya", "Rosenthal", 1 * 365 + 60, Sex.FEMALE, Ethnicity.WHITE_OTHER, False,
         PlaceSetting.HOME, 3, Modifiable.YES,
         ((Domain.FAMILY, "Blind cord within reach of the cot", Influence.CONTRIBUTED),)),
    Past(1, (7, 7), "Rohan", "Mistry", 13 * 365 + 150, Sex.MALE, Ethnicity.ASIAN_INDIAN, True,
         PlaceSetting.HOSPITAL, 6, Modifiable.NO),
    Past(1, (8, 25), "Poppy", "Aldridge", 200, Sex.FEMALE, Ethnicity.WHITE_BRITISH, False,
         PlaceSetting.HOSPITAL, 9, Modifiable.INSUFFICIENT),
    Past(1, (9, 30), "Jacob", "Whitmore", 17 * 365 + 10, Sex.MALE, Ethnicity.WHITE_BRITISH,
         False, PlaceSetting.PUBLIC_PLACE, 3, Modifiable.YES,
         ((Domain.SERVICES, "Unlit stretch of a rural road", Influence.UNLIKELY),)),
)
# fmt: on


class Loader:
    """Writes the demonstration deaths through the services, as each person would."""

    def __init__(self, context: DemoContext) -> None:
        self.context = context
        self.today = min(context.today, timezone.localdate())
        people = context.people
        self.agency_staff = people["Tom Reilly"]
        self.coordinator = people["Alan Fairbanks"]
        self.member = people["Aisha Begum"]
        self.secretariat = context.secretariat
        self.notifiers = [
            people["Rebecca Hart"],
            people["Grace Mensah"],
            people["Yasmin Ali"],
            self.agency_staff,
            people["Louise Fenton"],
            people["Imran Qureshi"],
        ]
        self.agencies = context.agencies
        self.group = context.groups[GroupFunction.CHILD_DEATH_OVERVIEW]
        self.home = Area.objects.get(is_home=True)
        self.categories = {c.number: c for c in DeathCategory.objects.filter(is_active=True)}
        self.serial = 0

    def days_ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    # Writing through the services ----------------------------------------------------------

    def notify(
        self,
        *,
        by: User,
        first: str,
        last: str,
        born: datetime.date,
        died: datetime.date,
        sex: str,
        ethnicity: str,
        expected: bool,
        setting: str,
        detail: str = "",
        circumstances: str,
        lived: Area | None = None,
        notified: datetime.date | None = None,
    ) -> ChildDeath:
        """A death notified from `by`'s account on `notified` (the day after it, by default)."""
        self.serial += 1
        data: dict[str, Any] = {
            "born_alive": True,
            "first_name": first,
            "last_name": last,
            "nhs_number": nhs_number(self.serial),
            "date_of_birth": born,
            "sex": sex,
            "ethnicity": ethnicity,
            "died_on": died,
            "died_at_time": None,
            "place_area": self.home,
            "place_setting": setting,
            "place_detail": detail,
            "residence_area": lived or self.home,
            "looked_after": False,
            "looked_after_by": None,
            "expectation": Expectation.EXPECTED if expected else Expectation.UNEXPECTED,
            "circumstances": circumstances,
            "notifier_role": by.job_title,
            "notifier_phone": PHONE.format(100 + self.serial),
        }
        notified = notified or min(died + datetime.timedelta(days=1), self.today)
        return deaths.death_notify(via=NotifiedVia.ACCOUNT, by=by, data=data, today=notified)

    def ask(self, death: ChildDeath, names: list[str], on: datetime.date, received=()):
        for name in names:
            report = progress.agency_information_request(
                death=death, agency=self.agencies[name], requested_on=on, by=self.coordinator
            )
            if name in dict(received):
                progress.agency_information_receive(
                    report=report, received_on=dict(received)[name], by=self.coordinator
                )

    def jar(self, death: ChildDeath, lead: str, summary: str) -> None:
        progress.death_record_jar(
            death=death, started_on=death.died_on, lead=lead, summary=summary, by=self.coordinator
        )

    def review_and_close(
        self,
        death: ChildDeath,
        *,
        meeting: Meeting,
        category: int,
        modifiable: str,
        summary: str,
        factors=(),
    ) -> None:
        if death.is_unexpected and death.jar_started_on is None:
            self.jar(
                death,
                "DS Kate Rowley, Hertfordshire Constabulary, and the designated paediatrician",
                "A joint home visit was made the same day; its findings went to the panel.",
            )
        held_on = min(death.died_on + datetime.timedelta(days=40), meeting_day(meeting))
        progress.death_record_review_meeting(death=death, held_on=held_on, by=self.coordinator)
        progress.death_list_for_panel(death=death, meeting=meeting, by=self.coordinator)
        review.panel_review_save(
            death=death,
            by=self.member,
            category=self.categories[category],
            modifiable=modifiable,
            summary=summary,
            abuse_or_neglect_factor=False,
        )
        for domain, description, influence in factors:
            review.factor_create(
                death=death,
                by=self.member,
                domain=domain,
                description=description,
                influence=influence,
            )
        death.refresh_from_db()
        review.death_close(death=death, by=self.member, closed_on=meeting_day(meeting))

    # The panel's meetings --------------------------------------------------------------------

    def held_meeting(self) -> Meeting:
        """The panel's last meeting held (the core's demonstration holds one about three weeks
        ago); one is made if there is none."""
        meeting = (
            Meeting.objects.filter(group=self.group, starts_at__lt=_at(self.today, 0))
            .exclude(status=MeetingStatus.CANCELLED)
            .order_by("-starts_at", "-pk")
            .first()
        )
        return meeting or self.meeting(_weekday(self.days_ago(24)), held=True)

    def coming_meeting(self) -> Meeting:
        meeting = (
            Meeting.objects.filter(group=self.group, starts_at__gt=timezone.now())
            .exclude(status=MeetingStatus.CANCELLED)
            .order_by("starts_at", "pk")
            .first()
        )
        return meeting or self.meeting(_weekday(self.today + datetime.timedelta(days=30)))

    def meeting(self, day: datetime.date, *, held: bool = False) -> Meeting:
        starts = _at(day)
        return Meeting.objects.create(
            group=self.group,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2, minutes=30),
            venue=VENUE,
            status=MeetingStatus.HELD if held else MeetingStatus.SCHEDULED,
            created_by=self.secretariat,
        )

    def past_meetings(self) -> list[Meeting]:
        """The panel's quarterly meetings of the two years before this one, in its calendar
        only: the demonstration's seats begin a year ago, so nobody could be recorded as
        attending them, and a meeting is marked held with its attendance (hscb.demo)."""
        meetings = []
        for year in (self.today.year - 2, self.today.year - 1):
            for month in (3, 6, 9, 12):
                day = _weekday(datetime.date(year, month, 15))
                existing = Meeting.objects.filter(group=self.group, starts_at__date=day).first()
                meetings.append(existing or self.meeting(day))
        return meetings

    # Other areas' panels -----------------------------------------------------------------

    def other_panel(self, name: str) -> Area:
        """A neighbour's panel, given an address on the reserved `.example` domain if it has
        none (the referral emails then reach nobody)."""
        area = Area.objects.get(name=name)
        if not area.cdop_email:
            slug = name.lower().replace(" ", "-")
            area.cdop_email = f"child.deaths@{slug}-cdop.example"
            area.cdop_name = area.cdop_name or f"{name} Child Death Overview Panel"
            area.save(update_fields=["cdop_email", "cdop_name"])
        return area

    # The deaths ------------------------------------------------------------------------------

    def load(self) -> int:
        held, coming = self.held_meeting(), self.coming_meeting()
        self.past_years(self.past_meetings())
        self.closed(held)
        self.referred_out()
        self.neonatal(coming)
        self.gathering()
        self.referred_in()
        self.just_notified()
        return ChildDeath.objects.count()

    def just_notified(self) -> None:
        died = self.days_ago(1)
        death = self.notify(
            by=self.agency_staff,
            first="Leo",
            last="Hartington",
            born=died - datetime.timedelta(days=4 * 365 + 120),
            died=died,
            sex=Sex.MALE,
            ethnicity=Ethnicity.WHITE_BRITISH,
            expected=False,
            setting=PlaceSetting.HOME,
            circumstances="Found unresponsive in the garden pond by his mother. Paramedics "
            "could not revive him. The family is known to early help.",
            notified=self.today,
        )
        self.jar(
            death,
            "DS Kate Rowley, Hertfordshire Constabulary, and Dr Yasmin Ali, paediatrician",
            "A joint home visit was made the same evening. The pond had no cover or fence. "
            "His two sisters are safe at home with their mother; early help is offering support.",
        )

    def gathering(self) -> None:
        died = self.days_ago(23)
        death = self.notify(
            by=self.notifiers[0],
            first="Chloe",
            last="Abernethy",
            born=died - datetime.timedelta(days=14 * 365 + 75),
            died=died,
            sex=Sex.FEMALE,
            ethnicity=Ethnicity.WHITE_IRISH,
            expected=False,
            setting=PlaceSetting.HOSPITAL,
            detail="Lister Hospital, emergency department",
            circumstances="Hit by a car while cycling home from school; died in hospital the "
            "same evening.",
        )
        self.jar(
            death,
            "DI Mark Osei, Hertfordshire Constabulary",
            "The collision is being investigated by the roads policing unit. Her school has "
            "support in place for her classmates.",
        )
        self.ask(
            death,
            ["Police", "Children's Services", "Education Services"],
            self.days_ago(18),
            received=[("Police", self.days_ago(6))],
        )

    def neonatal(self, coming: Meeting) -> None:
        died = self.days_ago(36)
        death = self.notify(
            by=self.context.people["Yasmin Ali"],
            first="Baby",
            last="Okonkwo",
            born=died - datetime.timedelta(days=4),
            died=died,
            sex=Sex.FEMALE,
            ethnicity=Ethnicity.BLACK_AFRICAN,
            expected=True,
            setting=PlaceSetting.HOSPITAL,
            detail="Lister Hospital, neonatal intensive care unit",
            circumstances="Born at 24 weeks. Died on the neonatal unit with her parents "
            "present, after intensive care was withdrawn.",
        )
        self.ask(death, ["ENHT"], self.days_ago(33), received=[("ENHT", self.days_ago(20))])
        progress.death_record_review_meeting(
            death=death, held_on=self.days_ago(14), by=self.coordinator
        )
        death.refresh_from_db()
        progress.death_list_for_panel(death=death, meeting=coming, by=self.coordinator)

    def closed(self, held: Meeting) -> None:
        """A sudden infant death reviewed at the panel's last meeting and closed there."""
        met_on = meeting_day(held)
        died = met_on - datetime.timedelta(days=100)
        death = self.notify(
            by=self.context.people["Grace Mensah"],
            first="Alfie",
            last="Brightwell",
            born=died - datetime.timedelta(days=95),
            died=died,
            sex=Sex.MALE,
            ethnicity=Ethnicity.WHITE_BRITISH,
            expected=False,
            setting=PlaceSetting.HOME,
            circumstances="Found unresponsive in his parents' bed in the morning.",
        )
        self.jar(
            death,
            "DS Kate Rowley, Hertfordshire Constabulary, and Clare Donnelly, designated nurse",
            "A joint home visit found the baby had slept in the parents' bed after they had "
            "been drinking. No injuries were found at the post-mortem examination.",
        )
        asked = died + datetime.timedelta(days=4)
        self.ask(
            death,
            ["Police", "HCT", "Children's Services"],
            asked,
            received=[
                ("Police", asked + datetime.timedelta(days=20)),
                ("HCT", asked + datetime.timedelta(days=25)),
                ("Children's Services", asked + datetime.timedelta(days=30)),
            ],
        )
        progress.death_record_review_meeting(
            death=death, held_on=died + datetime.timedelta(days=60), by=self.coordinator
        )
        death.refresh_from_db()
        progress.death_list_for_panel(death=death, meeting=held, by=self.coordinator)
        review.panel_review_save(
            death=death,
            by=self.member,
            category=self.categories[10],
            modifiable=Modifiable.YES,
            summary="A sudden unexpected death in infancy while co-sleeping after parental "
            "alcohol use. Safer sleep advice had been given at birth but not repeated.",
            abuse_or_neglect_factor=False,
        )
        for domain, description, influence in [
            (Domain.FAMILY, "Baby shared an adult bed after parental alcohol use", "2"),
            (Domain.SERVICES, "Safer sleep advice not repeated after the birth visit", "1"),
        ]:
            review.factor_create(
                death=death,
                by=self.member,
                domain=domain,
                description=description,
                influence=influence,
            )
        recommendation = review.recommendation_create(
            death=death,
            by=self.member,
            text="Health visitors repeat safer sleep advice, including about alcohol and "
            "co-sleeping, at every contact until a baby is six months old.",
        )
        death.refresh_from_db()
        review.death_close(death=death, by=self.member, closed_on=met_on)
        review.recommendation_make_action(
            recommendation=recommendation,
            by=self.coordinator,
            title="Add safer sleep advice to every health visitor contact up to six months",
            description="A recommendation of the panel from its review of a sudden infant death.",
            owner=self.member,
            due_date=self.today + datetime.timedelta(days=45),
            meeting=held,
        )

    def referred_out(self) -> None:
        """A child who lived in Luton and died here: Luton's panel agreed to review it."""
        luton = self.other_panel("Luton")
        died = self.days_ago(52)
        death = self.notify(
            by=self.notifiers[0],
            first="Nathan",
            last="Kowalczyk",
            born=died - datetime.timedelta(days=16 * 365 + 40),
            died=died,
            sex=Sex.MALE,
            ethnicity=Ethnicity.WHITE_OTHER,
            expected=False,
            setting=PlaceSetting.HOSPITAL,
            detail="Lister Hospital, intensive care unit",
            circumstances="A passenger in a car that left the A1(M) at night. Taken to hospital "
            "here, where he died two days later.",
            lived=luton,
        )
        referral = Referral.objects.get(death=death)
        self.steps(
            referral,
            acknowledged=died + datetime.timedelta(days=5),
            agreed=died + datetime.timedelta(days=12),
            panel=ReviewingPanel.THEIRS,
            how_told="Luton's panel sends us its analysis form by secure email when its "
            "review is complete.",
        )

    def referred_in(self) -> None:
        """A child who lived here and died in Cambridgeshire, as that area's panel told us."""
        died = self.days_ago(12)
        referrals.referral_record_inbound(
            by=self.coordinator,
            first_name="Evie",
            last_name="Castellano",
            nhs_number=nhs_number(90),
            date_of_birth=died - datetime.timedelta(days=7 * 365 + 210),
            sex=Sex.FEMALE,
            ethnicity=Ethnicity.MIXED_OTHER,
            born_alive=True,
            died_on=died,
            place_area=Area.objects.get(name="Cambridgeshire"),
            place_setting=PlaceSetting.HOSPITAL,
            place_detail="Addenbrooke's Hospital, paediatric intensive care unit",
            expectation=Expectation.EXPECTED,
            circumstances="A long-term heart condition; she died after surgery there.",
            contact_name="Dr Helen Carter, child death review coordinator",
            contact_email="child.deaths@cambridgeshire-cdop.example",
            contact_phone="01632 960 870",
            received_on=self.days_ago(9),
        )

    def steps(
        self,
        referral: Referral,
        *,
        acknowledged: datetime.date,
        agreed: datetime.date,
        panel: str,
        how_told: str,
        outcome: tuple[datetime.date, str] | None = None,
    ) -> None:
        referral = referrals.referral_acknowledge(
            referral=referral, acknowledged_on=acknowledged, by=self.coordinator
        )
        referral = referrals.referral_agree(
            referral=referral,
            agreed_on=agreed,
            reviewing_panel=panel,
            how_told=how_told,
            by=self.coordinator,
        )
        if outcome is not None:
            referrals.referral_report_outcome(
                referral=referral, reported_on=outcome[0], note=outcome[1], by=self.coordinator
            )

    # Earlier years -------------------------------------------------------------------------

    def past_years(self, meetings: list[Meeting]) -> None:
        """Each death of the two years before, reviewed and closed at the first of that year's
        meetings at least two months after it."""
        for n, past in enumerate(PAST):
            died = datetime.date(self.today.year - past.years_ago, *past.died)
            meeting = self.first_meeting_after(meetings, died + datetime.timedelta(days=60))
            death = self.notify(
                by=self.notifiers[n % len(self.notifiers)],
                first=past.first,
                last=past.last,
                born=died - datetime.timedelta(days=past.age_days),
                died=died,
                sex=past.sex,
                ethnicity=past.ethnicity,
                expected=past.expected,
                setting=past.setting,
                circumstances="Recorded for the panel's review.",
            )
            self.ask(
                death,
                ["ENHT", "Children's Services"],
                died + datetime.timedelta(days=3),
                received=[
                    ("ENHT", died + datetime.timedelta(days=30)),
                    ("Children's Services", died + datetime.timedelta(days=35)),
                ],
            )
            self.review_and_close(
                death,
                meeting=meeting,
                category=past.category,
                modifiable=past.modifiable,
                summary="The panel's analysis is in the minutes of the meeting.",
                factors=past.factors,
            )
        self.past_referrals(meetings)

    @staticmethod
    def first_meeting_after(meetings: list[Meeting], day: datetime.date) -> Meeting:
        for meeting in meetings:
            if meeting_day(meeting) >= day:
                return meeting
        return meetings[-1]

    def past_referrals(self, meetings: list[Meeting]) -> None:
        """Last year: a child of Central Bedfordshire who died here (their panel reviewed it and
        told us the outcome), and one of ours who died in Essex (ours reviewed it)."""
        year = self.today.year - 1
        died = datetime.date(year, 5, 20)
        death = self.notify(
            by=self.notifiers[0],
            first="Arthur",
            last="Lindenberg",
            born=died - datetime.timedelta(days=5 * 365 + 30),
            died=died,
            sex=Sex.MALE,
            ethnicity=Ethnicity.WHITE_BRITISH,
            expected=True,
            setting=PlaceSetting.HOSPITAL,
            detail="Lister Hospital, children's ward",
            circumstances="A brain tumour diagnosed two years before.",
            lived=self.other_panel("Central Bedfordshire"),
        )
        self.steps(
            Referral.objects.get(death=death),
            acknowledged=died + datetime.timedelta(days=4),
            agreed=died + datetime.timedelta(days=10),
            panel=ReviewingPanel.THEIRS,
            how_told="Their panel writes to our coordinator with its conclusions.",
            outcome=(
                died + datetime.timedelta(days=150),
                "Reviewed by Central Bedfordshire's panel: malignancy; no modifiable factors.",
            ),
        )

        died = datetime.date(year, 3, 3)
        referral = referrals.referral_record_inbound(
            by=self.coordinator,
            first_name="Sofia",
            last_name="Papadakis",
            nhs_number=nhs_number(91),
            date_of_birth=died - datetime.timedelta(days=9 * 365 + 40),
            sex=Sex.FEMALE,
            ethnicity=Ethnicity.WHITE_OTHER,
            born_alive=True,
            died_on=died,
            place_area=Area.objects.get(name="Essex"),
            place_setting=PlaceSetting.HOSPITAL,
            place_detail="Princess Alexandra Hospital, Harlow",
            expectation=Expectation.UNEXPECTED,
            circumstances="Sepsis after a short illness.",
            contact_name="Mark Ellis, child death review manager",
            contact_email="child.deaths@essex-cdop.example",
            contact_phone="01632 960 871",
            received_on=died + datetime.timedelta(days=2),
        )
        meeting = self.first_meeting_after(meetings, died + datetime.timedelta(days=60))
        self.steps(
            referral,
            acknowledged=died + datetime.timedelta(days=3),
            agreed=died + datetime.timedelta(days=8),
            panel=ReviewingPanel.OURS,
            how_told="We send Essex's panel a summary of our conclusions.",
        )
        death = referral.death
        self.ask(
            death,
            ["WHTH", "Children's Services"],
            died + datetime.timedelta(days=9),
            received=[("WHTH", died + datetime.timedelta(days=30))],
        )
        death.refresh_from_db()
        self.review_and_close(
            death,
            meeting=meeting,
            category=9,
            modifiable=Modifiable.NO,
            summary="Overwhelming infection; the care she received was timely.",
        )
        closed = meeting_day(meeting)
        referrals.referral_report_outcome(
            referral=Referral.objects.get(pk=referral.pk),
            reported_on=closed + datetime.timedelta(days=7),
            note="Our panel found the death was due to infection, with no modifiable factors.",
            by=self.coordinator,
        )


def load_deaths(context: DemoContext) -> str:
    if ChildDeath.objects.exists():
        return ""
    if not Area.objects.filter(is_home=True).exists() or not DeathCategory.objects.exists():
        return ""  # the board's areas or the categories of death are not there
    count = Loader(context).load()
    return f"{count} child deaths (six recent ones at every stage, and two earlier years' reviews)"


def register() -> None:
    from hscb.demo import register_demo

    register_demo("cdop.deaths", load_deaths)
