"""The secretariat's admin for the Child Death Overview Panel: the categories of death edited as
reference data (one in use kept), child deaths, reviews and referrals looked at (every look
logged, no child named in a list), annual reports listed; nobody else let in."""

from __future__ import annotations

import datetime
import re

import pytest
from auditlog.models import LogEntry
from django.utils.html import escape

from cdop.models import ChildDeath, DeathCategory, PanelReview, Referral, ReportStatus
from tests.cdop.factories import (
    AgencyInformationFactory,
    AnnualReportFactory,
    ChildDeathFactory,
    FactorFactory,
    PanelRecommendationFactory,
    PanelReviewFactory,
    ReferralFactory,
    ensure_categories,
)

pytestmark = pytest.mark.django_db

CATEGORIES = "/admin/cdop/deathcategory/"
DEATHS = "/admin/cdop/childdeath/"


@pytest.fixture
def admin_client(client, secretariat):
    ensure_categories()
    client.force_login(secretariat)
    return client


def accesses(obj, actor) -> int:
    return (
        LogEntry.objects.get_for_object(obj)
        .filter(action=LogEntry.Action.ACCESS, actor=actor)
        .count()
    )


def category(number: int) -> DeathCategory:
    return DeathCategory.objects.get(number=number)


def category_data(obj: DeathCategory, **changes: str | None) -> dict[str, str]:
    data = {
        "number": str(obj.number),
        "name": obj.name,
        "description": obj.description,
        "is_active": "on" if obj.is_active else None,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def death(board, agency_staff):
    return ChildDeathFactory(notifier=agency_staff, first_name="Isla", last_name="O'Driscoll")


# The categories of death


def test_the_secretariat_edits_a_category_and_its_history_is_kept(admin_client, secretariat):
    sudden = category(10)
    url = f"{CATEGORIES}{sudden.pk}/change/"
    response = admin_client.post(
        url, category_data(sudden, description="Sudden unexpected, unexplained death (SUDIC).")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    sudden.refresh_from_db()
    assert sudden.description == "Sudden unexpected, unexplained death (SUDIC)."
    entry = (
        LogEntry.objects.get_for_object(sudden)
        .filter(action=LogEntry.Action.UPDATE)
        .latest("timestamp")
    )
    assert entry.actor == secretariat
    assert entry.changes_dict["description"][1] == "Sudden unexpected, unexplained death (SUDIC)."
    history = admin_client.get(f"{CATEGORIES}{sudden.pk}/auditlog/")
    assert history.status_code == 200
    assert "(SUDIC)" in history.content.decode()


def test_a_category_is_made_inactive_from_the_list(admin_client):
    text = admin_client.get(CATEGORIES).content.decode()
    assert 'name="form-0-is_active"' in text
    assert "Deliberately inflicted injury, abuse or neglect" in text
    assert 'class="field-reviews_using">0<' in text


def test_the_category_list_counts_each_categorys_reviews(admin_client, board):
    PanelReviewFactory.create_batch(2, category=category(10))
    PanelReviewFactory(category=category(2))
    PanelReviewFactory(category=None)
    text = admin_client.get(f"{CATEGORIES}?o=4").content.decode()
    cells = re.findall(r'class="field-reviews_using">(\d+)<', text)
    assert sorted(map(int, cells)) == [0] * 8 + [1, 2]
    assert cells[0] == "0" and cells[-1] == "2"  # sorted by the count


def test_a_new_category_is_added(admin_client):
    response = admin_client.post(
        f"{CATEGORIES}add/",
        {"number": "11", "name": "Not yet categorised", "description": "", "is_active": "on"},
    )
    assert response.status_code == 302
    assert str(DeathCategory.objects.get(number=11)) == "11. Not yet categorised"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"number": "0"}, "number"),
        ({"number": "100"}, "number"),
        ({"number": "-1"}, "number"),
        ({"number": "three"}, "number"),
        ({"number": ""}, "number"),
        ({"number": "9"}, "number"),  # another category's number
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Sudden\x00 death"}, "name"),
        ({"description": "Unexplained\x00"}, "description"),
        ({"name": "Infection"}, "name"),  # another category's name
    ],
)
def test_bad_input_to_a_category_is_refused_with_a_message(admin_client, changes, field):
    sudden = category(10)
    before = DeathCategory.objects.values().get(pk=sudden.pk)
    response = admin_client.post(
        f"{CATEGORIES}{sudden.pk}/change/", category_data(sudden, **changes)
    )
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {field}
    assert "Please correct the error" in response.content.decode()
    assert DeathCategory.objects.values().get(pk=sudden.pk) == before


def test_a_category_a_review_uses_cannot_be_deleted(admin_client, board):
    review = PanelReviewFactory(category=category(10))
    used = review.category
    url = f"{CATEGORIES}{used.pk}/delete/"
    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    # Through the list's bulk action too: refused with a page, not an error.
    response = admin_client.post(
        CATEGORIES, {"action": "delete_selected", "_selected_action": [used.pk], "post": "yes"}
    )
    assert response.status_code == 200
    assert "<title>Cannot delete death category" in response.content.decode()
    assert DeathCategory.objects.filter(pk=used.pk).exists()
    assert PanelReview.objects.get(pk=review.pk).category == used


def test_an_unused_category_can_be_deleted(admin_client):
    unused = category(1)
    url = f"{CATEGORIES}{unused.pk}/delete/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not DeathCategory.objects.filter(pk=unused.pk).exists()


# Child deaths


def test_opening_a_child_death_in_the_admin_is_logged(admin_client, secretariat, death):
    AgencyInformationFactory(death=death)
    ReferralFactory(death=death, other_area=death.place_area)
    response = admin_client.get(f"{DEATHS}{death.pk}/change/")
    text = response.content.decode()
    assert response.status_code == 200
    assert escape("O'Driscoll") in text and death.reference in text
    assert f"/cdop/deaths/{death.pk}/" in text
    assert "information asked of agencies" in text.lower()
    assert accesses(death, secretariat) == 1


def test_reading_a_child_deaths_history_in_the_admin_is_logged(admin_client, secretariat, death):
    response = admin_client.get(f"{DEATHS}{death.pk}/auditlog/")
    assert response.status_code == 200
    assert accesses(death, secretariat) == 1
    assert admin_client.get(f"{DEATHS}999999/auditlog/").status_code == 404


def test_the_child_death_list_names_no_child_and_is_searched_by_reference(admin_client, death):
    response = admin_client.get(DEATHS)
    text = response.content.decode()
    assert list(response.context["cl"].result_list) == [death]
    assert death.reference in text and 'class="field-status">Notified<' in text
    assert escape("O'Driscoll") not in text and "Isla" not in text
    for name in ["Isla", "O'Driscoll", "driscoll"]:
        found = admin_client.get(DEATHS, {"q": name})
        assert list(found.context["cl"].result_list) == []
    by_reference = admin_client.get(DEATHS, {"q": death.reference.lower()})
    assert list(by_reference.context["cl"].result_list) == [death]
    assert not LogEntry.objects.get_for_object(death).filter(action=LogEntry.Action.ACCESS)


def test_child_deaths_are_view_only_in_the_admin(admin_client, death):
    url = f"{DEATHS}{death.pk}/change/"
    assert admin_client.post(url, {"first_name": "Changed", "status": "closed"}).status_code == 403
    assert admin_client.get(f"{DEATHS}add/").status_code == 403
    assert admin_client.post(f"{DEATHS}{death.pk}/delete/", {"post": "yes"}).status_code == 403
    death.refresh_from_db()
    assert (death.first_name, death.status) == ("Isla", "notified")
    assert ChildDeath.objects.filter(pk=death.pk).exists()


def test_the_child_death_list_runs_a_fixed_number_of_queries(
    admin_client, board, django_assert_max_num_queries
):
    def grow():
        for _ in range(3):
            ReferralFactory(death=AgencyInformationFactory().death)

    grow()
    with django_assert_max_num_queries(40) as few:
        admin_client.get(DEATHS)
    grow()
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(DEATHS)


@pytest.mark.parametrize(
    ("url", "make", "year_lookup"),
    [
        (DEATHS, lambda on: ChildDeathFactory(died_on=on), "died_on__year"),
        (
            "/admin/cdop/referral/",
            lambda on: ReferralFactory(sent_on=on, death=ChildDeathFactory(died_on=on)),
            "sent_on__year",
        ),
        (
            "/admin/cdop/panelreview/",
            lambda on: PanelReviewFactory(closed_on=on, death=ChildDeathFactory(died_on=on)),
            "closed_on__year",
        ),
    ],
)
def test_a_long_lists_years_run_from_its_first_date_to_its_last(
    admin_client, board, url, make, year_lookup
):
    make(datetime.date(2024, 5, 1))
    make(datetime.date(2026, 11, 2))
    text = admin_client.get(url).content.decode()
    years = re.findall(rf'href="\?{year_lookup}=(\d+)"', text)
    assert years == ["2024", "2025", "2026"]
    # A year lists its months with records, and its records; a year between, none.
    text = admin_client.get(f"{url}?{year_lookup}=2024").content.decode()
    month_lookup = year_lookup.replace("year", "month")
    assert f'href="?{month_lookup}=5&amp;{year_lookup}=2024"' in text
    assert "1 result (" in text
    assert "0 results (" in admin_client.get(f"{url}?{year_lookup}=2025").content.decode()


def test_a_filtered_long_list_is_not_counted_twice(admin_client, death):
    ChildDeathFactory(status="closed")
    text = admin_client.get(f"{DEATHS}?status__exact=closed").content.decode()
    assert "1 result (" in text
    assert "Show all" in text and "2 total" not in text


# The panel's review and the referrals: view-only, every look logged (the death's too)


def test_a_panel_review_is_view_only_and_opening_it_is_logged(admin_client, secretariat, death):
    review = PanelReviewFactory(death=death)
    FactorFactory(review=review, description="Parental smoking")
    PanelRecommendationFactory(review=review)
    url = f"/admin/cdop/panelreview/{review.pk}/change/"
    response = admin_client.get(url)
    text = response.content.decode()
    assert response.status_code == 200
    assert death.reference in text and "Parental smoking" in text
    assert "Repeat the safer sleep campaign" in text
    assert f"/cdop/deaths/{death.pk}/review/" in text
    assert accesses(review, secretariat) == 1 and accesses(death, secretariat) == 1
    assert admin_client.post(url, {"summary": "Changed"}).status_code == 403
    assert PanelReview.objects.get(pk=review.pk).summary != "Changed"
    history = admin_client.get(f"/admin/cdop/panelreview/{review.pk}/auditlog/")
    assert history.status_code == 200
    assert accesses(review, secretariat) == 2 and accesses(death, secretariat) == 2


def test_a_referral_is_view_only_and_opening_it_is_logged(admin_client, secretariat, board):
    referral = ReferralFactory()
    url = f"/admin/cdop/referral/{referral.pk}/change/"
    response = admin_client.get(url)
    text = response.content.decode()
    assert response.status_code == 200
    assert referral.death.reference in text and "Bedford Borough" in text
    assert f"/cdop/referrals/{referral.pk}/" in text
    assert accesses(referral, secretariat) == 1 and accesses(referral.death, secretariat) == 1
    assert admin_client.post(url, {"status": "agreed"}).status_code == 403
    assert Referral.objects.get(pk=referral.pk).status == "sent"
    listed = admin_client.get("/admin/cdop/referral/").content.decode()
    assert referral.death.reference in listed
    assert escape(referral.death.last_name) not in listed


def test_annual_reports_are_listed_view_only(admin_client, secretariat):
    AnnualReportFactory(
        year=2025, status=ReportStatus.RUNNING, progress=40, requested_by=secretariat
    )
    text = admin_client.get("/admin/cdop/annualreport/").content.decode()
    assert "2025" in text and "Being made" in text and "40%" in text
    assert secretariat.get_full_name() in text
    assert admin_client.get("/admin/cdop/annualreport/add/").status_code == 403


# Who may use it


@pytest.mark.parametrize(
    "role", ["board_chair", "group_chair", "member", "agency_staff", "cdop_member", "outsider"]
)
def test_no_one_but_the_secretariat_uses_the_child_death_admin(client, request, role, death):
    client.force_login(request.getfixturevalue(role))
    for url in [DEATHS, f"{DEATHS}{death.pk}/change/", f"{DEATHS}{death.pk}/auditlog/", CATEGORIES]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert not LogEntry.objects.get_for_object(death).filter(action=LogEntry.Action.ACCESS)
