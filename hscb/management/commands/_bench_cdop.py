"""The benchmark's child deaths: notified, in progress, reviewed and closed over several years,
with cross-area referrals both ways at every step, the panel's reviews with their factors, and
annual reports (used by `manage.py bench`)."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from hscb.lib.reminders import Ladder
from hscb.models import Agency, Area, Ethnicity, Group, GroupFunction, Meeting, Sex, User

from ._bench_cases import BENCH_USERS

CDOP_USERS = {
    "cdop": "cdop.member@bench.example",
    "cdop_chair": "cdop.chair@bench.example",
}

# Each twentieth of the deaths is at one of these stages, in turn. "out_*" is a child who lived
# in a neighbouring area and died here, its referral to that area's panel at the step named;
# "in_*" a child who lived here and died there, referred to us.
DEATH_STAGES = [
    "notified",
    "gathering",
    "review_meeting",
    "panel",
    "closed",
    "closed",
    "out_sent",
    "out_acknowledged",
    "out_agreed",
    "out_outcome_reported",
    "in_sent",
    "in_acknowledged",
    "in_agreed",
    "in_outcome_reported",
    "closed",
    "gathering",
    "panel",
    "closed",
    "notified",
    "closed",
]
REFERRAL_STEPS = ["sent", "acknowledged", "agreed", "outcome_reported"]
OPEN_REFERRAL_STAGES = {
    f"{way}_{step}" for way in ("out", "in") for step in ("sent", "acknowledged", "agreed")
}


def _status(stage: str) -> str:
    """The death's status at `stage`: a child referred out is reviewed by their own area's
    panel once the panels agree; one referred in is ours, and closed once the outcome is told."""
    if stage.startswith("out_"):
        return "elsewhere" if stage in ("out_agreed", "out_outcome_reported") else "notified"
    if stage.startswith("in_"):
        return {"in_agreed": "gathering", "in_outcome_reported": "closed"}.get(stage, "notified")
    return stage


def fill_cdop(people: list[User], *, share: float = 1.0) -> None:
    """Child deaths, one for every ten people (twenty at least on the first fill, so that every
    stage is there at any scale), at each stage of `DEATH_STAGES` in turn. A quarter are the
    benchmark agency staff's notifications, one in ten came through the public form. Deaths
    are spread over five years, but a referral still awaiting a step is of a death in the last
    two months. Each gathering information or further on has two agency reports (one
    received); each notified or gathering one may duplicate the one before it; each listed for
    the panel or closed has the panel's review with two factors and a recommendation. An
    annual report for every hundred people (three at least). `share` scales the number of
    deaths (a national scale has more deaths for its people)."""
    from cdop import models as cd
    from hscb.lib.names import child_name_key
    from hscb.lib.nhs import nhs_check_digit

    if not people:
        return
    from tests.cdop.factories import ensure_categories

    categories = ensure_categories()
    group = Group.objects.get(function=GroupFunction.CHILD_DEATH_OVERVIEW)
    staff = User.objects.get(email=BENCH_USERS["agency"])
    member = User.objects.get(email=CDOP_USERS["cdop"])
    home = Area.objects.get(is_home=True)
    neighbours = list(Area.objects.filter(is_neighbour=True).order_by("name"))
    for area in neighbours:
        if not area.cdop_email:
            area.cdop_email = f"cdop@{area.name.lower().replace(' ', '-')}.bench.example"
            area.save(update_fields=["cdop_email"])
    agencies = list(Agency.objects.filter(name__startswith="Bench agency").order_by("name"))
    meeting = Meeting.objects.filter(group=group).order_by("starts_at", "pk").first()
    today, now, ladder = timezone.localdate(), timezone.now(), Ladder.from_settings()
    start = cd.ChildDeath.objects.count()
    count = max(int(len(people) * share) // 10, 0 if start else len(DEATH_STAGES))
    stages = {i: DEATH_STAGES[i % len(DEATH_STAGES)] for i in range(start, start + count)}

    deaths = []
    for i, stage in stages.items():
        days_ago = 3 + (i * 37) % (5 * 365)
        if stage in OPEN_REFERRAL_STAGES:
            days_ago = 3 + i % 60  # a referral is answered in weeks, not years
        died = today - datetime.timedelta(days=days_ago)
        born = died - datetime.timedelta(days=[9, 200, 900, 2500, 4000, 6000][i % 6])
        via = "public_form" if i % 10 == 3 else "account"
        notifier = (
            None if via == "public_form" else staff if i % 4 == 0 else people[i % len(people)]
        )
        other = neighbours[i % len(neighbours)]
        out, inbound = stage.startswith("out_"), stage.startswith("in_")
        status = _status(stage)
        check = nhs_check_digit(f"{999200000 + i:09d}")
        deaths.append(
            cd.ChildDeath(
                reference=f"CDOP-B-{i:06d}",
                status=status,
                via="other_panel" if inbound else via,
                notifier=notifier,
                notifier_name=notifier.get_full_name() if notifier else "A professional",
                notifier_role="Consultant paediatrician",
                notifier_agency=notifier.agency if notifier else None,
                notifier_organisation="" if notifier else "A GP surgery",
                notifier_email=notifier.email if notifier else "gp@surgery.bench.example",
                notifier_phone="01632 960 001",
                first_name="Bench",
                last_name=f"Child {i}",
                nhs_number=f"{999200000 + i:09d}{check}" if check is not None else "",
                name_key=child_name_key("Bench", f"Child {i}"),
                date_of_birth=born,
                sex=Sex.values[i % 2],
                ethnicity=Ethnicity.values[i % len(Ethnicity.values)],
                died_on=died,
                place_area=other if inbound else home,
                place_setting=cd.PlaceSetting.values[i % len(cd.PlaceSetting.values)],
                residence_area=other if out else home,
                expectation=cd.Expectation.values[i % 2],
                circumstances="Collapsed at home and was taken to hospital.",
                age_days=(died - born).days,
                age_years=cd.age_in_years(born, died),
                band=cd.age_band(born, died),
                is_neonatal=(died - born).days < cd.NEONATAL_DAYS,
                reviewing_area=other if status == "elsewhere" else home,
                jar_started_on=died if i % 2 else None,
                jar_lead="DS A Officer" if i % 2 else "",
                jar_summary="A joint home visit was made." if i % 2 else "",
                review_meeting_on=died + datetime.timedelta(days=1)
                if status in ("review_meeting", "panel", "closed")
                else None,
                panel_meeting=meeting if status in ("panel", "closed") else None,
            )
        )
    cd.ChildDeath.objects.bulk_create(deaths)
    stage_of = {d.pk: stages[i] for i, d in zip(stages, deaths, strict=True)}

    gathered = [d for d in deaths if d.status in ("gathering", "review_meeting", "panel", "closed")]
    cd.AgencyInformation.objects.bulk_create(
        cd.AgencyInformation(
            death=d,
            agency=agencies[(d.pk + k) % len(agencies)],
            requested_on=d.died_on,
            received_on=d.died_on if k == 0 else None,
        )
        for d in gathered
        for k in (0, 1)
    )
    early = [d for d in deaths if d.status in ("notified", "gathering")]
    cd.DeathDuplicate.objects.bulk_create(
        cd.DeathDuplicate(death=d, match=before, reason=cd.MatchReason.NAME_AND_DOB)
        for before, d in itertools.pairwise(early)
    )
    _fill_referrals(deaths, stage_of, member, group, ladder, now)
    _fill_reviews(deaths, categories, member, today)

    cd.AnnualReport.objects.bulk_create(
        cd.AnnualReport(
            year=today.year - 1 - n % 5,
            status=cd.ReportStatus.values[n % len(cd.ReportStatus.values)],
            progress=[0, 40, 100, 60][n % 4],
            suppress_below=3,
            requested_by=member,
        )
        for n in range(max(3, len(people) // 100))
    )


def _fill_referrals(deaths, stage_of, member, group, ladder, now) -> None:
    """A referral for each death referred out or in, at the step its stage names."""
    from cdop import models as cd

    referrals = []
    for d in deaths:
        stage = stage_of[d.pk]
        if not stage.startswith(("out_", "in_")):
            continue
        out = stage.startswith("out_")
        step = REFERRAL_STEPS.index(stage.split("_", 1)[1])
        sent = d.died_on + datetime.timedelta(days=1)
        acknowledged = sent + datetime.timedelta(days=2) if step >= 1 else None
        agreed = sent + datetime.timedelta(days=5) if step >= 2 else None
        reported = sent + datetime.timedelta(days=60) if step >= 3 else None
        due = None if step == 3 else sent + datetime.timedelta(days=7 * (step + 1))
        referrals.append(
            cd.Referral(
                death=d,
                direction=cd.Direction.OUTBOUND if out else cd.Direction.INBOUND,
                other_area=d.residence_area if out else d.place_area,
                status=REFERRAL_STEPS[step],
                sent_on=sent,
                emailed_at=now if out and d.pk % 5 else None,
                acknowledged_on=acknowledged,
                agreed_on=agreed,
                reviewing_panel=(cd.ReviewingPanel.THEIRS if out else cd.ReviewingPanel.OURS)
                if agreed
                else "",
                how_told="By secure email." if agreed else "",
                outcome_reported_on=reported,
                outcome_note="No modifiable factors." if reported else "",
                next_step_due=due,
                owner=member,
                group=group,
                reminder_next_on=ladder.next_on(due=due, last_sent=None) if due else None,
            )
        )
    cd.Referral.objects.bulk_create(referrals)


def _fill_reviews(deaths, categories, member, today) -> None:
    """The panel's review of each death listed for it or closed: a category, the modifiable
    judgement, two factors and a recommendation; closed ones with the day they closed."""
    from cdop import models as cd

    reviewed = [d for d in deaths if d.status in ("panel", "closed")]
    reviews = cd.PanelReview.objects.bulk_create(
        cd.PanelReview(
            death=d,
            category=categories[d.pk % len(categories)],
            modifiable=cd.Modifiable.values[d.pk % len(cd.Modifiable.values)],
            summary="The panel's analysis is in its minutes.",
            closed_on=min(today, d.died_on + datetime.timedelta(days=120))
            if d.status == "closed"
            else None,
            updated_by=member,
        )
        for d in reviewed
    )
    cd.Factor.objects.bulk_create(
        cd.Factor(
            review=r,
            domain=cd.Domain.values[(r.pk + k) % len(cd.Domain.values)],
            description="Unsafe sleeping arrangement",
            influence=cd.Influence.values[(r.pk + k) % len(cd.Influence.values)],
        )
        for r in reviews
        for k in (0, 1)
    )
    cd.PanelRecommendation.objects.bulk_create(
        cd.PanelRecommendation(review=r, text="Repeat the safer sleep campaign.", added_by=member)
        for r in reviews
    )
