"""Case review in a browser: agency staff notify a serious incident step by step and get their
reference and receipt; the Case Review subgroup records the national notification and its
consideration; the board chair decides, overriding the criteria with a reason; an action plan
action is added, reminded, and completed by its owner with evidence; lessons learnt are found
by a member of another group and refused to agency staff. axe-core checks every page."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from casereview.models import (
    Clock,
    ClockKind,
    Decision,
    Notification,
    NotificationStatus,
    PlanAction,
    PlanActionStatus,
    PracticeArea,
    Review,
)
from casereview.services.lessons import lesson_approve, lesson_create
from hscb.lib.workingdays import add_working_days
from hscb.services.reminders import reminders_send
from tests.e2e.browsing import follow, sign_in, sign_out, summary_value, visit
from tests.e2e.business import (
    choose_person,
    error_summary,
    fill_date,
    in_days,
    long_date,
    menu_link,
    success_banner,
)
from tests.e2e.casereview_helpers import (
    ASSESSMENT,
    POLICE,
    case_review_ready,
    consider,
    decided_review,
    notify,
    pdf,
    radio_group,
    table_rows,
)

FIRST, LAST = "Ruby", "Ashworth"
WHAT_HAPPENED = "Brought to hospital with a fractured arm; the explanation did not fit the injury."
SAFETY = "A strategy meeting was held; the child is staying with her grandmother."
RECOMMENDATION = "Health visitors tell the social worker about any bruise on a baby the same day."
ACTION = "Reissue the bruising protocol to every health visiting team"
EVIDENCE = "The protocol was reissued on 1 December; every team leader confirmed it was briefed."


@pytest.fixture
def review_types(board):
    """The review types and the police as a second agency (emptied after every browser test)."""
    return case_review_ready()


def test_agency_staff_notify_a_serious_incident_and_get_a_reference_and_a_receipt(
    page: Page, agency_staff, password, review_types
):
    today = timezone.localdate()
    born = today - datetime.timedelta(days=7 * 365 + 30)  # 7 years old today
    incident, aware = in_days(-3), in_days(-2)

    sign_in(page, agency_staff.email, password)
    follow(page, menu_link(page, "Notifications"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your agency's notifications")
    expect(page.get_by_role("main")).to_contain_text("You have no drafts.")
    expect(page.get_by_role("main")).to_contain_text(
        "Your agency has not submitted any notifications."
    )
    follow(page, page.get_by_role("button", name="Notify a serious incident"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Notify a serious incident")
    expect(page.get_by_role("main")).to_contain_text("within 5 working days")
    follow(page, page.get_by_role("button", name="Start now"))

    # Step 1: an age that disagrees with the date of birth is refused, keeping what was typed.
    expect(page.get_by_role("heading", level=1)).to_have_text("About the child")
    expect(page.locator(".govuk-caption-l")).to_contain_text("Step 1 of 5")
    page.get_by_label("First name", exact=True).fill(FIRST)
    page.get_by_label("Last name", exact=True).fill(LAST)
    fill_date(page, "Date of birth", born)
    age = page.get_by_label("Approximate age in years (if you do not know the date of birth)")
    age.fill("9")
    page.get_by_label("NHS number (optional)").fill("943 476 5919")
    follow(page, page.get_by_role("button", name="Continue"))

    message = (
        f"The approximate age does not match the date of birth: a child born on "
        f"{long_date(born)} is 7 today. Correct the age, or leave it blank"
    )
    expect(page).to_have_title(re.compile(r"^Error: About the child \(step 1 of 5\)"))
    expect(error_summary(page)).to_be_focused()
    expect(error_summary(page).get_by_role("link")).to_have_text(message)
    expect(page.locator(".govuk-error-message")).to_have_text(f"Error: {message}")
    expect(page.get_by_label("First name", exact=True)).to_have_value(FIRST)
    expect(page.get_by_label("NHS number (optional)")).to_have_value("943 476 5919")
    expect(age).to_have_value("9")
    draft = Notification.objects.get()
    assert (draft.status, draft.first_name, draft.age_years) == ("draft", "", None)

    age.fill("")
    follow(page, page.get_by_role("button", name="Continue"))

    # Step 2: the child's circumstances.
    expect(page.get_by_role("heading", level=1)).to_have_text("The child's circumstances")
    radio_group(page, "Sex").get_by_label("Female", exact=True).check()
    page.get_by_label("Ethnic group").select_option(
        label="White: English, Welsh, Scottish, Northern Irish or British"
    )
    page.get_by_label("Area the child lives in").select_option(label="Hertfordshire")
    radio_group(page, "Legal status").get_by_label("Child in need", exact=True).check()
    follow(page, page.get_by_role("button", name="Continue"))

    # Step 3: what happened.
    expect(page.get_by_role("heading", level=1)).to_have_text("What happened")
    fill_date(page, "Date of the incident", incident)
    page.get_by_label("What happened", exact=True).fill(WHAT_HAPPENED)
    fill_date(page, "Date your agency became aware", aware)
    radio_group(page, "Did the child die or were they seriously harmed?").get_by_label(
        "The child was seriously harmed"
    ).check()
    radio_group(page, "Is abuse or neglect known or suspected?").get_by_label(
        "Suspected", exact=True
    ).check()
    radio_group(page, "Was the child in custody or a secure setting?").get_by_label(
        "No", exact=True
    ).check()
    follow(page, page.get_by_role("button", name="Continue"))

    # Step 4: agencies and safety; the notifier's own agency is ticked to begin with, and
    # another agency is typed by its name (every agency is not listed).
    expect(page.get_by_role("heading", level=1)).to_have_text("Agencies and safety")
    involved = radio_group(page, "Agencies involved with the child")
    expect(involved.get_by_label(agency_staff.agency.label, exact=True)).to_be_checked()
    expect(involved.get_by_label("Police", exact=True)).to_have_count(0)
    page.get_by_label("Other agencies involved (optional)").fill("Police")
    page.get_by_label("Immediate safety action taken").fill(SAFETY)
    page.get_by_label("Your telephone number").fill("01632 960 001")
    follow(page, page.get_by_role("button", name="Continue"))

    # Step 5: a document.
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
    expect(page.get_by_role("main")).to_contain_text("You have not uploaded any documents.")
    page.get_by_label("Upload a document").set_input_files(pdf())
    page.get_by_label("Short description (optional)").fill("Strategy meeting minutes")
    follow(page, page.get_by_role("button", name="Upload this document"))
    expect(success_banner(page)).to_have_text("“strategy-meeting.pdf” has been uploaded.")
    expect(page.get_by_role("main").locator("dl dt")).to_have_text(["strategy-meeting.pdf"])
    follow(page, page.get_by_role("button", name="Continue"))

    # Check your answers, change one and come back.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting your notification"
    )
    expect(summary_value(page, "First name")).to_have_text(FIRST)
    expect(summary_value(page, "Date of birth")).to_have_text(long_date(born))
    expect(summary_value(page, "Approximate age")).to_have_text("Not given")
    expect(summary_value(page, "NHS number")).to_have_text("943 476 5919")
    expect(summary_value(page, "Home area")).to_have_text("Hertfordshire")
    expect(summary_value(page, "Date of the incident")).to_have_text(long_date(incident))
    expect(summary_value(page, "Agencies involved").locator("li")).to_have_text(
        sorted([agency_staff.agency.name, POLICE])
    )
    expect(summary_value(page, "Telephone number")).to_have_text("01632 960 001")
    expect(summary_value(page, "Documents")).to_contain_text("strategy-meeting.pdf")
    follow(page, page.get_by_role("link", name="Change telephone number"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Agencies and safety")
    expect(page.get_by_role("link", name="Back to check your answers")).to_be_visible()
    page.get_by_label("Your telephone number").fill("07700 900 982")
    follow(page, page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before submitting your notification"
    )
    expect(summary_value(page, "Telephone number")).to_have_text("07700 900 982")
    assert mail.outbox == []

    follow(page, page.get_by_role("button", name="Submit notification"))

    notification = Notification.objects.get()
    reference = notification.reference
    assert reference and notification.status == NotificationStatus.SUBMITTED
    expect(page.get_by_role("heading", level=1)).to_have_text("Notification submitted")
    expect(page.locator(".govuk-panel__body")).to_contain_text(reference)
    clock = Clock.objects.get(notification=notification, kind=ClockKind.PANEL_NOTIFICATION)
    assert clock.due_on == add_working_days(aware, 5)
    expect(page.get_by_role("main")).to_contain_text(
        f"must be notified by {long_date(clock.due_on)}"
    )
    assert (notification.first_name, notification.nhs_number) == (FIRST, "9434765919")
    assert notification.attachments.get().original_name == "strategy-meeting.pdf"

    # The receipt: the reference and a link, never the child.
    receipts = [m for m in mail.outbox if m.to == [agency_staff.email]]
    assert len(receipts) == 1
    receipt = receipts[0]
    assert receipt.subject == f"Serious incident notification received: {reference}"
    assert f"/notifications/{notification.pk}/" in receipt.body
    for text in (receipt.subject, receipt.body, receipt.alternatives[0][0]):
        assert FIRST not in text and LAST not in text and "9434765919" not in text

    follow(page, page.get_by_role("link", name="your agency's notifications"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your agency's notifications")
    expect(page.get_by_role("main")).to_contain_text("You have no drafts.")
    rows = table_rows(page, "1 notification submitted by your agency")
    expect(rows).to_have_count(1)
    expect(rows.locator("td")).to_have_text(
        [reference, long_date(today), agency_staff.get_full_name(), "Received"]
    )
    expect(page.get_by_role("main")).not_to_contain_text(LAST)


def test_the_case_review_subgroup_records_the_national_notification_and_its_consideration(
    page: Page, agency_staff, case_review_member, password, review_types
):
    # The agency became aware today: 5 working days to tell the national panel and Ofsted.
    notification = notify(agency_staff, first_name=FIRST, last_name=LAST, incident=in_days(-1))
    reference = notification.reference
    panel_clock = notification.clocks.get(kind=ClockKind.PANEL_NOTIFICATION)
    assert panel_clock.due_on == add_working_days(timezone.localdate(), 5)
    notified_on = timezone.localdate()

    sign_in(page, case_review_member.email, password)
    follow(page, menu_link(page, "Case review"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Serious incident cases")
    rows = table_rows(page, "1 case, newest first")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row.locator("td").first).to_have_text(reference)
    expect(row.locator(".govuk-tag")).to_have_text("With the subgroup")
    expect(row.locator("td").last).to_have_text(
        f"Notify the national panel and Ofsted\ndue {long_date(panel_clock.due_on)}\n"
        "5 working days left",
        use_inner_text=True,
    )
    follow(page, rows.first.get_by_role("link", name=reference))

    # The case, with its clock and due date.
    expect(page.get_by_role("heading", level=1)).to_have_text(reference)
    expect(page.locator("main h1 + p .govuk-tag")).to_have_text("With the subgroup")
    deadlines = table_rows(page, "Statutory deadlines")
    expect(deadlines).to_have_count(1)
    expect(deadlines.first.locator("th")).to_have_text("Notify the national panel and Ofsted")
    expect(deadlines.first.locator("td").nth(2)).to_have_text(long_date(panel_clock.due_on))
    expect(deadlines.first.locator("td").nth(3)).to_have_text("5 working days left")
    expect(summary_value(page, "Name")).to_have_text(f"{FIRST} {LAST}")

    follow(page, page.get_by_role("button", name="Record the national notification"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the national notification")
    fill_date(page, "When were the national panel and Ofsted notified?", notified_on)
    follow(page, page.get_by_role("button", name="Record the notification"))

    rapid_due = add_working_days(notified_on, 15)
    expect(success_banner(page)).to_have_text(
        f"The national notification of {reference} has been recorded. The rapid review is due "
        f"by {long_date(rapid_due)}."
    )
    deadlines = table_rows(page, "Statutory deadlines")
    expect(deadlines).to_have_count(2)
    expect(deadlines.locator("th")).to_have_text(
        ["Notify the national panel and Ofsted", "Rapid review completed"]
    )
    expect(deadlines.first.locator("td").nth(3)).to_have_text(f"Met on {long_date(notified_on)}")
    expect(deadlines.nth(1).locator("td").nth(2)).to_have_text(long_date(rapid_due))
    expect(page.get_by_role("main")).to_contain_text(
        f"The national panel and Ofsted were notified on {long_date(notified_on)}."
    )

    # The consideration: every criterion, the assessment and the recommendation.
    follow(page, page.get_by_role("button", name="Record the subgroup's consideration"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the subgroup's consideration")
    answers = {
        "Is abuse or neglect known or suspected?": "Yes",
        "Did the child die?": "No",
        "Was the child seriously harmed?": "Yes",
        "Is there cause for concern about how agencies worked together to safeguard the "
        "child?": "Yes",
        "Did the child die in custody or a secure setting?": "No",
    }
    for question, answer in answers.items():
        radio_group(page, question).get_by_label(answer, exact=True).check()
    page.get_by_label("The subgroup's assessment").fill(ASSESSMENT)
    radio_group(page, "What does the subgroup recommend?").get_by_label(
        "Local child safeguarding practice review"
    ).check()
    page.get_by_label("Reasons for the recommendation").fill("There is learning for all.")
    follow(page, page.get_by_role("button", name="Record the consideration"))

    expect(success_banner(page)).to_have_text(
        f"The subgroup's consideration of {reference} has been recorded: its answers meet the "
        "statutory criteria. It now awaits the board chair's decision."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(reference)
    expect(page.locator("main h1 + p .govuk-tag")).to_have_text(
        "Awaiting the board chair's decision"
    )
    expect(page.get_by_role("main")).to_contain_text("Awaiting the board chair's decision.")
    expect(summary_value(page, "The statutory criteria")).to_have_text("Met")
    expect(summary_value(page, "Recommendation")).to_have_text(
        "Local child safeguarding practice review"
    )
    expect(page.get_by_role("button", name="Record the subgroup's consideration")).to_have_count(0)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.CONSIDERED
    assert notification.panel_notified_on == notified_on
    assert notification.consideration.recorded_by == case_review_member


def test_the_board_chair_decides_against_the_criteria_with_a_reason(
    page: Page, agency_staff, case_review_member, board_chair, password, review_types
):
    notification = consider(notify(agency_staff), by=case_review_member, criteria_met=False)
    reference = notification.reference
    override = "The family moved between three areas: the learning is too important to lose."

    sign_in(page, board_chair.email, password)
    follow(page, menu_link(page, "Case decisions"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Decisions on serious incidents")
    waiting = table_rows(page, "Cases awaiting the board chair's decision, waiting longest first")
    expect(waiting).to_have_count(1)
    expect(waiting.first.locator("td").nth(1)).to_contain_text(
        "Partnership or multi-agency learning review"
    )
    expect(waiting.first.locator("td").nth(1)).to_contain_text("Criteria not met")
    expect(page.get_by_role("main")).to_contain_text("No decision has been recorded yet.")
    follow(page, waiting.first.get_by_role("link", name=reference))
    expect(page.get_by_role("heading", level=1)).to_have_text("Decide whether a review is held")

    # The case, now put to the board chair, with what the subgroup found.
    follow(page, page.get_by_role("link", name=f"Back to {reference}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(reference)
    expect(page.locator("main h1 + p .govuk-tag")).to_have_text(
        "Awaiting the board chair's decision"
    )
    expect(summary_value(page, "The statutory criteria")).to_have_text("Not met")
    expect(page.get_by_role("button", name="Record the national notification")).to_have_count(0)
    follow(page, page.get_by_role("button", name="Record your decision"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Decide whether a review is held")
    expect(page.locator("#criteria-result")).to_contain_text(
        "The subgroup found the statutory criteria not met."
    )
    expect(summary_value(page, "Recommendation")).to_have_text(
        "Partnership or multi-agency learning review"
    )
    decided = radio_group(page, "What have you decided?")
    # The subgroup's recommendation is chosen to begin with.
    expect(decided.get_by_label("Partnership or multi-agency learning review")).to_be_checked()
    decided.get_by_label("Local child safeguarding practice review").check()
    page.get_by_label("Reasons for the decision").fill("The learning reaches every agency.")
    follow(page, page.get_by_role("button", name="Record the decision"))

    message = (
        "The subgroup found the statutory criteria not met, and a local child safeguarding "
        "practice review needs them met. Give the reason for deciding against the criteria, "
        "or choose another outcome"
    )
    expect(page).to_have_title(re.compile(rf"^Error: Your decision on {reference} – "))
    expect(error_summary(page)).to_be_focused()
    expect(error_summary(page).get_by_role("link")).to_have_text(message)
    expect(page.get_by_label("Reasons for the decision")).to_have_value(
        "The learning reaches every agency."
    )
    expect(decided.get_by_label("Local child safeguarding practice review")).to_be_checked()
    assert not Decision.objects.exists()

    page.get_by_label("Reason for deciding against the criteria").fill(override)
    follow(page, page.get_by_role("button", name="Record the decision"))

    expect(success_banner(page)).to_have_text(
        f"Your decision on {reference} has been recorded: Local child safeguarding practice review."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(reference)
    expect(page.locator("main h1 + p .govuk-tag")).to_have_text("Decided")
    expect(summary_value(page, "Decision")).to_have_text("Local child safeguarding practice review")
    expect(summary_value(page, "Reason for deciding against the criteria")).to_have_text(override)
    decision = Decision.objects.get()
    assert (decision.decided_by, decision.criteria_met, decision.override_reason) == (
        board_chair,
        False,
        override,
    )
    review = Review.objects.get(notification=notification)
    decision_clock = notification.clocks.get(kind=ClockKind.DECISION)
    assert review.due_on == decision_clock.due_on
    # The board chair does not run the review: it is named, not linked.
    expect(
        page.get_by_role("link", name="The local child safeguarding practice review")
    ).to_have_count(0)

    # The subgroup finds the review opened.
    sign_out(page)
    sign_in(page, case_review_member.email, password)
    visit(page, notification.get_absolute_url())
    follow(page, page.get_by_role("link", name="The local child safeguarding practice review"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review {reference}")
    expect(page.locator(".govuk-caption-l")).to_have_text(
        "Local child safeguarding practice review"
    )
    expect(summary_value(page, "Started")).to_have_text(long_date(timezone.localdate()))
    expect(summary_value(page, "Due")).to_contain_text(long_date(decision_clock.due_on))
    expect(summary_value(page, "Lead reviewer")).to_have_text("Not appointed yet")


def test_an_action_plan_action_is_added_reminded_and_completed_by_its_owner(
    page: Page, agency_staff, case_review_member, board_chair, member, password, review_types
):
    review = decided_review(
        notifier=agency_staff, member=case_review_member, board_chair=board_chair
    )
    reference = review.notification.reference
    due = in_days(5)
    mail.outbox.clear()

    sign_in(page, case_review_member.email, password)
    visit(page, review.get_absolute_url())
    expect(page.get_by_role("main")).to_contain_text("No recommendations yet.")
    follow(page, page.get_by_role("button", name="Add a recommendation"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add recommendation 1")
    page.get_by_label("Recommendation", exact=True).fill(RECOMMENDATION)
    follow(page, page.get_by_role("button", name="Save recommendation"))
    expect(success_banner(page)).to_have_text("Recommendation 1 has been added.")
    expect(page.get_by_role("heading", level=3, name="Recommendation 1")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(RECOMMENDATION)

    follow(page, page.get_by_role("link", name="Add an action to recommendation 1"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an action")
    page.get_by_label("Action", exact=True).fill(ACTION)
    page.get_by_label("Lead agency", exact=True).select_option(label=POLICE)
    owner = f"{member.get_full_name()}, {member.agency.label}"
    choose_person(page, "Owner", owner)
    fill_date(page, "Due date", due)
    radio_group(page, "RAG status").get_by_label("Green: on track").check()
    follow(page, page.get_by_role("button", name="Save action"))

    expect(success_banner(page)).to_have_text(
        f"The action has been added to recommendation 1 and given to {member.get_full_name()}."
    )
    actions = table_rows(page, "Actions for recommendation 1")
    expect(actions).to_have_count(1)
    expect(actions.first.locator("td").nth(2)).to_have_text(member.get_full_name())
    action = PlanAction.objects.get()
    assert (action.owner, action.due_date, action.rag) == (member, due, "green")
    # The owner is told the action is theirs: the reference and a link, never the child.
    told = [m for m in mail.outbox if m.to == [member.email]]
    assert [m.subject for m in told] == [
        f"A review action plan action is yours: {reference}, recommendation 1"
    ]

    # The daily reminder run chases it, 7 days or less before it is due.
    mail.outbox.clear()
    report = reminders_send()
    assert (report.emails, report.items) == (1, 1)
    (reminder,) = mail.outbox
    assert reminder.to == [member.email]
    assert f"{reference}, recommendation 1: {ACTION}" in reminder.body
    assert f"/case-review/plan-actions/{action.pk}/" in reminder.body
    child = review.notification
    assert child.first_name not in reminder.body and child.last_name not in reminder.body
    assert reminders_send().emails == 0  # never twice

    # The owner finds it among their review actions and completes it with evidence.
    sign_out(page)
    sign_in(page, member.email, password)
    visit(page, "/case-review/plan-actions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your review actions")
    mine = table_rows(page, "1 action")
    expect(mine).to_have_count(1)
    expect(mine.first.locator("td").nth(1)).to_have_text(f"{reference}, recommendation 1")
    follow(page, mine.first.get_by_role("link", name=ACTION))
    expect(page.get_by_role("heading", level=1)).to_have_text("Action plan action")
    expect(summary_value(page, "Action")).to_have_text(ACTION)
    expect(summary_value(page, "Evidence of completion")).to_have_text("None yet")
    # The owner sees the action, not the review (which is part of the child's case).
    expect(page.get_by_role("link", name=f"Review {reference}")).to_have_count(0)

    follow(page, page.get_by_role("button", name="Update this action"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Update the action")
    radio_group(page, "Status").get_by_label(
        "Complete: it has been done (give the evidence below)"
    ).check()
    page.get_by_label("Progress note").fill("Done across the county.")
    follow(page, page.get_by_role("button", name="Save update"))
    expect(error_summary(page)).to_be_focused()
    expect(error_summary(page).get_by_role("link")).to_have_text(
        "Enter the evidence that the action is complete"
    )
    expect(page.get_by_label("Progress note")).to_have_value("Done across the county.")

    page.get_by_label("Evidence of completion").fill(EVIDENCE)
    follow(page, page.get_by_role("button", name="Save update"))

    expect(success_banner(page)).to_have_text(
        "Your update has been saved: the action is complete, RAG green."
    )
    expect(summary_value(page, "Evidence of completion")).to_have_text(EVIDENCE)
    history = page.get_by_role("main").locator("ol.govuk-list > li")
    expect(history).to_have_count(2)
    expect(history.first.get_by_role("heading", level=3)).to_contain_text(member.get_full_name())
    expect(history.first).to_contain_text("RAG: Green · Status: Complete")
    expect(history.first).to_contain_text("Done across the county.")
    expect(history.first).to_contain_text(EVIDENCE)
    expect(history.nth(1)).to_contain_text(f"Recorded and given to {member.get_full_name()}")
    action.refresh_from_db()
    assert (action.status, action.evidence, action.completed_on) == (
        PlanActionStatus.COMPLETE,
        EVIDENCE,
        timezone.localdate(),
    )
    assert action.reminder_next_on is None


def test_lessons_learnt_are_found_by_a_board_member_and_refused_to_agency_staff(
    page: Page,
    agency_staff,
    case_review_member,
    board_chair,
    member,
    secretariat,
    password,
    review_types,
):
    review = decided_review(
        notifier=agency_staff, member=case_review_member, board_chair=board_chair
    )
    bruising = "Bruising in babies who are not yet mobile"
    sharing = "Information held by one agency alone"
    for theme, text, area in [
        (
            bruising,
            "A bruise on a baby who cannot yet crawl is a sign of possible abuse.",
            PracticeArea.ASSESSMENT,
        ),
        (
            sharing,
            "Concerns in one agency's records do not protect a child until shared.",
            PracticeArea.INFORMATION_SHARING,
        ),
    ]:
        lesson = lesson_create(
            review=review, by=case_review_member, theme=theme, lesson=text, practice_area=area
        )
        lesson_approve(lesson=lesson, by=secretariat)

    sign_in(page, member.email, password)
    follow(page, menu_link(page, "Lessons learnt"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lessons learnt")
    expect(table_rows(page, "2 lessons")).to_have_count(2)
    page.get_by_label("Search").fill("bruise baby")
    page.get_by_label("Area of practice").select_option(label="Assessment and analysis of risk")
    follow(page, page.get_by_role("button", name="Search"))

    found = table_rows(page, "1 lesson")
    expect(found).to_have_count(1)
    expect(found.first.locator("td").first).to_contain_text(bruising)
    expect(found.first.locator("td").nth(1)).to_have_text("Assessment and analysis of risk")
    expect(found.first.locator("td").nth(3)).to_have_text(
        f"Local child safeguarding practice review, {review.started_on.year}"
    )
    expect(page.get_by_label("Search")).to_have_value("bruise baby")
    main = page.get_by_role("main")
    expect(main).not_to_contain_text(sharing)
    # A lesson never leads to the case: no reference, no child.
    expect(main).not_to_contain_text(review.notification.reference)
    expect(main).not_to_contain_text(review.notification.last_name)

    sign_out(page)
    sign_in(page, agency_staff.email, password)
    expect(menu_link(page, "Lessons learnt")).to_have_count(0)
    response = visit(page, "/lessons/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot do this")
    expect(page.get_by_role("table")).to_have_count(0)
