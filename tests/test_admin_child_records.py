"""Every admin that shows part of a child's record: only the filters it shows (and its dates)
may be used as query-string lookups, its search is by reference only, and opening a record, or
either of its history pages, is logged.

The admins are found from the registry, not listed here: an admin added for a child record (a
model in `hscb.lib.access.CHILD_RECORD_MODELS`) is checked as soon as it is registered.
"""

from __future__ import annotations

from collections import deque
from urllib.parse import parse_qs, urlencode

import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.db.models import Model
from django.test import RequestFactory

from casereview.models import MatchReason, PossibleDuplicate
from hscb.admin.board import ChildRecordAdmin
from hscb.lib.access import CHILD_RECORD_MODELS
from tests.casereview.factories import (
    NotificationFactory,
    PlanActionFactory,
    RecommendationFactory,
    ReviewFactory,
    ensure_review_types,
)
from tests.cdop.factories import PanelReviewFactory, ReferralFactory, ensure_categories

pytestmark = pytest.mark.django_db

# What makes a model hold a child's details: the child's names, date of birth and NHS number.
CHILD_DETAILS = {"first_name", "last_name", "date_of_birth", "nhs_number"}
LOOKUPS = ["", "__iexact", "__icontains", "__in"]


def _holds_child_details(model: type[Model]) -> bool:
    return {f.name for f in model._meta.concrete_fields} >= CHILD_DETAILS


def paths_to_children(model: type[Model], depth: int = 3) -> list[tuple[str, type[Model]]]:
    """Every way from `model` to a model holding a child's details, through relations forward
    or back, in up to `depth` steps through other parts of a child's record: ("", model) when it
    holds them itself. A path ends at the first model holding a child's details."""
    found = [("", model)] if _holds_child_details(model) else []
    queue = deque([("", model, ())])
    while queue:
        path, current, seen = queue.popleft()
        for field in current._meta.get_fields():
            related = field.related_model if field.is_relation else None
            if related is None or related in seen:
                continue
            step = f"{path}__{field.name}" if path else field.name
            if _holds_child_details(related):
                found.append((step, related))
            elif related._meta.label_lower in CHILD_RECORD_MODELS and len(seen) < depth - 1:
                queue.append((step, related, (*seen, related)))
    return found


def child_record_admins() -> list[admin.ModelAdmin]:
    return [
        model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.label_lower in CHILD_RECORD_MODELS
    ]


def _child_of(obj: Model) -> Model:
    """The notification or child death a part of a child's record belongs to."""
    path = paths_to_children(type(obj))[0][0]
    for name in path.split("__") if path else []:
        obj = getattr(obj, name)
    return obj


@pytest.fixture
def records(board, secretariat) -> dict[type[Model], Model]:
    """One of each record a child-record admin shows, by model: a case with its consideration,
    decision, review, an action plan action and a possible duplicate; a child death with its
    panel review and a referral."""
    ensure_review_types()
    ensure_categories()
    review = ReviewFactory()
    action = PlanActionFactory(recommendation=RecommendationFactory(review=review))
    duplicate = PossibleDuplicate.objects.create(
        notification=NotificationFactory(),
        match=review.notification,
        reason=MatchReason.NAME_AND_DOB,
    )
    referral = ReferralFactory()
    panel_review = PanelReviewFactory(death=referral.death)
    notification = review.notification
    objs = [
        notification,
        notification.consideration,
        notification.decision,
        review,
        action,
        duplicate,
        referral.death,
        panel_review,
        referral,
    ]
    return {type(obj): obj for obj in objs}


@pytest.fixture
def admin_client(client, secretariat):
    client.force_login(secretariat)
    return client


def _changelist(model_admin: admin.ModelAdmin) -> str:
    opts = model_admin.model._meta
    return f"/admin/{opts.app_label}/{opts.model_name}/"


def _built_changelist(model_admin: admin.ModelAdmin, user, query: str = ""):
    """The list as its page builds it (filters, search and results), without drawing the page."""
    request = RequestFactory().get(_changelist(model_admin) + query)
    request.user = user
    return model_admin.get_changelist_instance(request)


def test_every_admin_of_a_child_record_is_a_child_record_admin(records):
    admins = child_record_admins()
    assert {type(a).__name__ for a in admins} >= {
        "NotificationAdmin",
        "PlanActionAdmin",
        "PossibleDuplicateAdmin",
        "ChildDeathAdmin",
        "ReferralAdmin",
    }
    for model_admin in admins:
        assert isinstance(model_admin, ChildRecordAdmin), type(model_admin).__name__
    # The fixture has a record for every one of them, for the tests below.
    assert {a.model for a in admins} <= set(records)


def test_no_admin_takes_a_lookup_on_a_childs_details(secretariat):
    """Every registered admin, child record or not (an agency reaches its notifications): no
    lookup of a child's details through the query string, however it is spelt."""
    request = RequestFactory().get("/admin/")
    request.user = secretariat
    checked = set()
    for model, model_admin in admin.site._registry.items():
        for path, _child in paths_to_children(model):
            prefix = f"{path}__" if path else ""
            for name in sorted(CHILD_DETAILS):
                for lookup in LOOKUPS:
                    parameter = f"{prefix}{name}{lookup}"
                    assert not model_admin.lookup_allowed(parameter, "Amelia", request), (
                        f"{type(model_admin).__name__} takes ?{parameter}="
                    )
            checked.add(model._meta.label_lower)
    assert {"casereview.notification", "cdop.childdeath", "casereview.planaction"} <= checked
    assert {"hscb.agency", "hscb.user", "casereview.reviewtype"} <= checked


def test_a_child_record_admin_takes_no_lookup_of_its_own_fields(secretariat):
    """Not a child's details only: nothing but a shown filter's parameters (a circumstance, an
    assessment, a reviewer's name could be tested as well)."""
    request = RequestFactory().get("/admin/")
    request.user = secretariat
    for model_admin in child_record_admins():
        for field in model_admin.model._meta.concrete_fields:
            for lookup in ["__iexact", "__icontains", "__gt"]:
                parameter = f"{field.name}{lookup}"
                assert not model_admin.lookup_allowed(parameter, "x", request), (
                    f"{type(model_admin).__name__} takes ?{parameter}="
                )


def test_a_lookup_on_a_childs_details_is_refused_and_shows_nothing(
    admin_client, records, secretariat
):
    for model_admin in child_record_admins():
        obj = records[model_admin.model]
        child = _child_of(obj)
        path = paths_to_children(model_admin.model)[0][0]
        prefix = f"{path}__" if path else ""
        tries = [(f"{prefix}first_name__iexact", child.first_name.upper())]
        if not path:  # the notification or death itself (every spelling is checked above)
            tries += [("nhs_number", "9434765919"), ("date_of_birth", str(child.date_of_birth))]
        for parameter, value in tries:
            response = admin_client.get(_changelist(model_admin), {parameter: value})
            where = f"{type(model_admin).__name__} ?{parameter}="
            # Django answers a refused lookup with 400 Bad Request: no list, no count.
            assert response.status_code == 400, where
            text = response.content.decode()
            assert child.reference not in text and child.last_name not in text, where
            assert "result_list" not in (response.context or {}), where
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_every_shown_filter_and_date_still_filters_a_child_record_list(
    admin_client, records, secretariat
):
    """Every kind of link of every filter a child-record list shows is taken (the lists are
    built as the page builds them, without drawing each page): links that differ only in the
    value they filter by are one kind, and the links of a kind are taken until one finds the
    record. One link that finds it is then followed as a page."""

    for model_admin in child_record_admins():
        obj = records[model_admin.model]
        url = _changelist(model_admin)
        name = type(model_admin).__name__
        cl = _built_changelist(model_admin, secretariat)

        def results(url: str, query: str, model_admin=model_admin) -> set[Model]:
            return set(_built_changelist(model_admin, secretariat, query).result_list)

        everything = set(cl.result_list)
        assert obj in everything, name
        finding = None
        kinds_taken = set()
        for spec in cl.filter_specs:
            for choice in spec.choices(cl):
                kind = frozenset(parse_qs(choice["query_string"][1:]))
                if finding and kind in kinds_taken:
                    continue
                kinds_taken.add(kind)
                shown = results(url, choice["query_string"])
                assert shown <= everything, f"{name} {choice['query_string']}"
                if obj in shown and not choice["selected"]:
                    finding = choice["query_string"]
        assert finding, f"{name}: no filter finds the record"
        # Ordering, counts beside the filters and "show all" are not lookups: they still work.
        page = admin_client.get(url + finding + "&o=1&_facets=True&all=")
        assert page.status_code == 200 and obj in page.context["cl"].result_list, name
        day = getattr(obj, model_admin.date_hierarchy)
        if day is not None:
            field = model_admin.date_hierarchy
            assert obj in results(url, f"?{field}__year={day.year}&{field}__month={day.month}")
            assert not results(url, f"?{field}__year={day.year - 5}"), name


def test_a_child_record_list_is_searched_by_reference_only(records, secretariat):
    for model_admin in child_record_admins():
        obj = records[model_admin.model]
        child = _child_of(obj)
        name = type(model_admin).__name__
        for term in [child.first_name, child.last_name, child.date_of_birth.isoformat()]:
            found = _built_changelist(model_admin, secretariat, "?" + urlencode({"q": term}))
            assert list(found.result_list) == [], f"{name} q={term}"
        by_reference = _built_changelist(model_admin, secretariat, f"?q={child.reference}")
        assert list(by_reference.result_list) == [obj], name


def _accesses(obj: Model, actor) -> int:
    return (
        LogEntry.objects.get_for_object(obj)
        .filter(action=LogEntry.Action.ACCESS, actor=actor)
        .count()
    )


def test_opening_any_child_record_or_its_history_in_the_admin_is_logged(
    admin_client, records, secretariat
):
    for model_admin in child_record_admins():
        obj = records[model_admin.model]
        base = f"{_changelist(model_admin)}{obj.pk}/"
        name = type(model_admin).__name__
        for count, page in enumerate(["change/", "auditlog/", "history/"], start=1):
            before = _accesses(_child_of(obj), secretariat)
            response = admin_client.get(base + page)
            assert response.status_code == 200, f"{name} {page}"
            assert _accesses(obj, secretariat) == count, f"{name} {page}"
            # The child's case (the notification or the death) is logged as seen with it.
            if _child_of(obj) != obj:
                assert _accesses(_child_of(obj), secretariat) == before + 1, f"{name} {page}"


def test_a_duplicate_page_logs_both_cases_and_an_action_page_its_case(
    admin_client, records, secretariat
):
    duplicate = records[PossibleDuplicate]
    admin_client.get(f"/admin/casereview/possibleduplicate/{duplicate.pk}/change/")
    assert _accesses(duplicate.notification, secretariat) == 1
    assert _accesses(duplicate.match, secretariat) == 1
    action = next(o for m, o in records.items() if m._meta.model_name == "planaction")
    case = action.recommendation.review.notification
    before = _accesses(case, secretariat)
    admin_client.get(f"/admin/casereview/planaction/{action.pk}/history/")
    assert _accesses(action, secretariat) == 1
    assert _accesses(case, secretariat) == before + 1
