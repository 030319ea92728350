"""Every select on every form of the site is a GOV.UK select: the `govuk-select` class (which
gives it GOV.UK's size, 40 pixels high, and border), its error state when its answer is wrong,
and its hint's and errors' ids in `aria-describedby`.

`QuickSelect` writes its own markup for speed, and crispy-forms-gds gives a widget its GOV.UK
class by the widget's class name, so QuickSelects came out as the browser's bare selects. The
forms are found by walking the apps' `forms` and `filters` modules, so a new form is checked
without being listed here; a form that needs something to be made is given it by the name of
its argument (`ARGUMENTS`), and a new argument name fails the test until it is added."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator

import django_filters
import pytest
from crispy_forms.utils import render_crispy_form
from django import forms

from casereview.models import ReviewType
from casereview.services import notifications as notification_services
from cdop.models import DeathCategory
from hscb.forms.actions import ActionCreateForm
from hscb.forms.board import QuickSelect
from hscb.models import Agency, Area, Group, Meeting, Priority
from subgroups.models import GoodPractice
from tests.casereview.factories import PlanActionFactory, ReviewFactory, ensure_review_types
from tests.cdop.factories import PanelReviewFactory, ensure_categories, other_area
from tests.hscb.factories import ActionFactory, AreaFactory, MeetingFactory
from tests.subgroups.factories import IssueFactory

pytestmark = pytest.mark.django_db

APPS = ["hscb", "casereview", "cdop", "subgroups", "audits"]
SELECT = re.compile(r"<select\b[^>]*>")


def project_forms() -> list[type]:
    """Every form and FilterSet class defined in the apps' `forms` and `filters` modules, but
    the bases others are made from (a step of a form, all the filter forms' base): they are
    checked through the forms made from them."""
    found = set(_defined_forms())
    return sorted(
        (f for f in found if not any(o is not f and issubclass(o, f) for o in found)),
        key=lambda f: (f.__module__, f.__qualname__),
    )


def _defined_forms() -> Iterator[type]:
    for app in APPS:
        for package in (f"{app}.forms", f"{app}.filters"):
            try:
                top = importlib.import_module(package)
            except ModuleNotFoundError:
                continue
            modules = [top]
            if hasattr(top, "__path__"):
                modules += [
                    importlib.import_module(f"{package}.{info.name}")
                    for info in pkgutil.iter_modules(top.__path__)
                ]
            for module in modules:
                for obj in vars(module).values():
                    if (
                        inspect.isclass(obj)
                        and obj.__module__ == module.__name__
                        and issubclass(obj, forms.BaseForm | django_filters.FilterSet)
                        and not obj.__name__.startswith("_")
                    ):
                        yield obj


def once(world: dict, key: str, make: Callable[[], object]) -> object:
    """A record made the first time a form asks for it, and given again after."""
    if key not in world:
        world[key] = make()
    return world[key]


def _owner_choices(world: dict) -> list[tuple[str, str]]:
    return [("", "Choose"), (str(world["member"].pk), str(world["member"]))]


# What each form is made with, by the name of its argument.
ARGUMENTS: dict[str, Callable[[dict, type], object]] = {
    "meeting": lambda w, form: w["meeting"],
    "meetings": lambda w, form: Meeting.objects.all(),
    "owner_choices": lambda w, form: _owner_choices(w),
    "action": lambda w, form: (
        once(w, "plan_action", PlanActionFactory)
        if form.__module__.startswith("casereview")
        else once(w, "action", ActionFactory)
    ),
    "seen_update": lambda w, form: None,
    "submit_label": lambda w, form: "Confirm",
    "limit": lambda w, form: "20.0 MB",
    "uploading": lambda w, form: False,
    "seats": lambda w, form: {w["member"].pk: w["seat"]},
    "attendance": lambda w, form: [],
    "groups": lambda w, form: Group.objects.all(),
    "group": lambda w, form: w["seat"].group,
    "review_types": lambda w, form: ReviewType.objects.all(),
    "notification": lambda w, form: w["draft"],
    "areas": lambda w, form: Area.objects.all(),
    "other_area": lambda w, form: once(w, "other_area", other_area),
    "default": lambda w, form: "",
    "agencies": lambda w, form: Agency.objects.all(),
    "review": lambda w, form: (
        once(w, "panel_review", PanelReviewFactory)
        if form.__module__.startswith("cdop")
        else once(w, "review", ReviewFactory)
    ),
    "user": lambda w, form: w["member"],
    "categories": lambda w, form: DeathCategory.objects.all(),
    "years": lambda w, form: [2025, 2026],
    "issue": lambda w, form: once(w, "issue", IssueFactory),
    "priorities": lambda w, form: Priority.objects.all(),
    "good_practice": lambda w, form: GoodPractice.objects.all(),
}


def build(form_class: type, world: dict, data: dict | None):
    """The form (a FilterSet's form) made as its view makes it, bound to `data` if given. The
    arguments it needs are those its `__init__` asks for, and those a base asks for that it
    passes on (learnt from the TypeError that names them)."""
    needed = [
        p.name
        for p in inspect.signature(form_class.__init__).parameters.values()
        if p.kind == p.KEYWORD_ONLY and p.default is p.empty
    ]
    while True:
        unknown = [name for name in needed if name not in ARGUMENTS]
        assert not unknown, f"{form_class.__qualname__} needs {unknown}: add them to ARGUMENTS"
        kwargs = {name: ARGUMENTS[name](world, form_class) for name in needed}
        try:
            if issubclass(form_class, django_filters.FilterSet):
                return form_class(data, **kwargs).form
            return form_class(data, **kwargs)
        except TypeError as error:
            missing = re.findall(r"'(\w+)'", str(error).partition("argument")[2])
            if "required keyword-only" not in str(error) or not missing:
                raise
            needed += missing


@pytest.fixture
def world(board, member, agency_staff) -> dict:
    ensure_review_types()
    ensure_categories()
    AreaFactory.create_batch(2)
    seat = member.memberships.select_related("group", "agency").get()
    return {
        "member": member,
        "seat": seat,
        "meeting": MeetingFactory(group=seat.group),
        "draft": notification_services.notification_start(by=agency_staff),
    }


def selects_of(form) -> list[str]:
    return SELECT.findall(str(render_crispy_form(form)))


def classes(tag: str) -> list[str]:
    found = re.search(r'class="([^"]*)"', tag)
    return found.group(1).split() if found else []


def test_every_select_on_every_form_is_a_govuk_select(world):
    checked: list[str] = []
    for form_class in project_forms():
        for data in (None, {}):  # as first shown, and sent back empty (with its errors)
            form = build(form_class, world, data)
            if not any(isinstance(f.widget, forms.Select) for f in form.fields.values()):
                break  # no select to check
            if data is not None:
                form.is_valid()
            for tag in selects_of(form):
                name = re.search(r'name="([^"]+)"', tag).group(1)
                where = f"{form_class.__module__}.{form_class.__qualname__}: {tag}"
                assert "govuk-select" in classes(tag), where
                field = form[name.removeprefix(f"{form.prefix}-") if form.prefix else name]
                if field.errors:
                    assert {"govuk-select--error", "govuk-input--error"} & set(classes(tag)), where
                    assert f"{field.auto_id}_1_error" in tag, where
                if field.help_text:
                    assert f"{field.auto_id}_hint" in tag, where
                checked.append(f"{form_class.__qualname__}.{name}")
    # QuickSelects on their own forms and on ones built in __init__ were among them.
    substitute = f"AttendanceForm.substitute_{world['member'].pk}"
    assert {"AttendanceForm.guest_1", substitute, "ItemForm.presenter"} <= set(checked)
    assert len(set(checked)) >= 30


def test_a_quick_select_with_an_error_is_marked_as_a_govuk_select_in_error(world):
    form = ActionCreateForm(
        {"owner": "not a person"},
        meeting=world["meeting"],
        owner_choices=_owner_choices(world),
    )
    assert isinstance(form.fields["owner"].widget, QuickSelect)
    form.is_valid()
    tag = next(t for t in selects_of(form) if 'name="owner"' in t)

    assert classes(tag)[:2] == ["govuk-select", "govuk-select--error"]
    assert "quickselect" not in classes(tag)
    assert 'aria-invalid="true"' in tag
    describedby = re.search(r'aria-describedby="([^"]*)"', tag).group(1).split()
    assert "id_owner_1_error" in describedby
    assert 'id="id_owner_1_error"' in str(render_crispy_form(form))
