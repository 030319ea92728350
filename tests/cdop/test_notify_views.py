"""The notification pages: the public form (no sign-in, rate-limited, showing the reference once
and nothing else), the signed-in form, their confirmations, and the agency's list (its own
notifications' references and status only, in a fixed number of queries)."""

from __future__ import annotations

import datetime
import re

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from cdop.forms.notify import AccountDeathForm, PublicDeathForm
from cdop.forms.referrals import InboundForm
from cdop.models import ChildDeath, DeathDuplicate, DeathStatus, NotifiedVia, Referral
from tests.cdop.factories import ChildDeathFactory, home_area, other_area
from tests.cdop.test_notify_services import VALID_NHS, birthday, days_ago
from tests.hscb.factories import AgencyFactory, UserFactory
from tests.hscb.test_bad_input import assert_error_page

pytestmark = pytest.mark.django_db

PUBLIC = "/report-a-child-death/"
PUBLIC_SENT = "/report-a-child-death/sent/"
SIGNED_IN = "/child-deaths/notify/"
SIGNED_IN_SENT = "/child-deaths/notify/sent/"
LIST = "/child-deaths/"


@pytest.fixture(autouse=True)
def _empty_cache():
    """The rate limit counts in the cache: every test starts with none counted."""
    cache.clear()
    yield
    cache.clear()


def date_fields(name: str, day: datetime.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


def form_post(**changes) -> dict[str, str]:
    """What a person types on the signed-in form, all of it valid."""
    died = days_ago(3)
    data = {
        "born_alive": "yes",
        "first_name": "Amelia",
        "last_name": "O'Brien",
        "nhs_number": "943 476 5919",
        **date_fields("date_of_birth", birthday(6, died)),
        "sex": "female",
        "ethnicity": "white_irish",
        **date_fields("died_on", died),
        "died_at_time": "14:30",
        "place_area": str(home_area().pk),
        "place_setting": "hospital",
        "place_detail": "Lister Hospital",
        "residence_area": str(home_area().pk),
        "looked_after": "no",
        "looked_after_by": "",
        "expectation": "unexpected",
        "circumstances": "Collapsed at school and could not be revived.",
        "notifier_role": "School nurse",
        "notifier_phone": "01632 960 001",
    }
    data.update(changes)
    return data


def public_post(**changes) -> dict[str, str]:
    data = form_post(
        notifier_name="Dr Priya Shah",
        notifier_organisation="Private ambulance service",
        notifier_email="priya.shah@ambulance.example",
    )
    data.update(changes)
    return data


FORMS = {
    "public": (PUBLIC, public_post, None),
    "signed in": (SIGNED_IN, form_post, "agency_staff"),
}


@pytest.fixture(params=list(FORMS))
def either_form(request, client, board):
    """(client, url, post data maker) for each form, signed in as needed."""
    url, make, who = FORMS[request.param]
    if who:
        client.force_login(request.getfixturevalue(who))
    return client, url, make


# The public form -----------------------------------------------------------------------------


def test_the_public_form_needs_no_sign_in_and_says_what_happens_to_the_information(client, board):
    response = client.get(PUBLIC)
    text = response.content.decode()
    assert response.status_code == 200
    assert "<h1" in text and "Tell the panel about a child’s death" in text
    assert "What happens to the information you give" in text
    assert 'name="csrfmiddlewaretoken"' in text
    for legend in ("The child", "The death", "About you"):
        assert f'<h2 class="govuk-fieldset__heading">\n      {legend}' in text or legend in text
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_public_notification_is_confirmed_with_its_reference_once(client, board):
    response = client.post(PUBLIC, public_post())
    assert response.status_code == 302
    assert response["Location"] == PUBLIC_SENT
    death = ChildDeath.objects.get()
    assert death.via == NotifiedVia.PUBLIC_FORM
    assert death.status == DeathStatus.NOTIFIED

    text = client.get(PUBLIC_SENT).content.decode()
    assert "govuk-panel--confirmation" in text
    assert death.reference in text
    # The reference and nothing else of the record.
    assert "Amelia" not in text and escape("O'Brien") not in text
    assert "Collapsed at school" not in text
    # Shown once.
    again = client.get(PUBLIC_SENT)
    assert again.status_code == 302
    assert again["Location"] == PUBLIC


def test_the_public_form_lists_no_agency_however_many_there_are(client, board):
    AgencyFactory(name="Hertfordshire Constabulary")
    text = client.get(PUBLIC).content.decode()
    assert "Hertfordshire Constabulary" not in text
    assert 'name="notifier_organisation"' in text
    assert 'name="notifier_agency"' not in text


@pytest.mark.parametrize("typed", ["Hertfordshire Constabulary", "  herts   POLICE "])
def test_a_partner_agencys_name_typed_on_the_public_form_is_recorded_as_the_agency(
    client, board, typed
):
    police = AgencyFactory(name="Hertfordshire Constabulary", short_name="Herts Police")
    client.post(PUBLIC, public_post(notifier_organisation=typed))
    death = ChildDeath.objects.get()
    assert death.notifier_agency == police
    assert death.notifier_organisation == ""


@pytest.mark.parametrize("typed", ["Hertfordshire", "Old Constabulary"])
def test_another_name_typed_on_the_public_form_is_kept_as_the_organisations(client, board, typed):
    AgencyFactory(name="Hertfordshire Constabulary")
    AgencyFactory(name="Old Constabulary", is_active=False)
    client.post(PUBLIC, public_post(notifier_organisation=typed))
    death = ChildDeath.objects.get()
    assert death.notifier_agency is None
    assert death.notifier_organisation == typed


def test_the_public_confirmation_with_nothing_sent_goes_to_the_form(client, board):
    response = client.get(PUBLIC_SENT)
    assert response.status_code == 302
    assert response["Location"] == PUBLIC


def test_the_public_form_never_says_a_child_was_notified_before(client, board):
    ChildDeathFactory(nhs_number=VALID_NHS, first_name="Amelia", last_name="O'Brien")
    client.post(PUBLIC, public_post())
    first = client.get(PUBLIC_SENT).content.decode()
    client.post(PUBLIC, public_post(nhs_number="", first_name="Someone", last_name="New"))
    second = client.get(PUBLIC_SENT).content.decode()
    new = ChildDeath.objects.filter(via=NotifiedVia.PUBLIC_FORM).order_by("pk")
    assert DeathDuplicate.objects.filter(death=new[0]).exists()
    assert not DeathDuplicate.objects.filter(death=new[1]).exists()

    # The two confirmations differ only in the reference (and the page's script nonce).
    def page(text: str, reference: str) -> str:
        return re.sub(r'nonce="[^"]*"', "", text.replace(reference, "REF"))

    assert page(first, new[0].reference) == page(second, new[1].reference)
    assert "duplicate" not in first.lower() and "already" not in first.lower()


def test_a_signed_in_visitor_may_use_the_public_form(client, agency_staff):
    client.force_login(agency_staff)
    assert client.get(PUBLIC).status_code == 200
    assert client.post(PUBLIC, public_post()).status_code == 302
    assert ChildDeath.objects.get().notifier is None


def test_a_public_notification_for_a_child_who_lived_elsewhere_is_referred_out(
    client, board, django_capture_on_commit_callbacks
):
    bedford = other_area("Bedford Borough")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PUBLIC, public_post(residence_area=str(bedford.pk)))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.other_area == bedford
    # Not emailed to the other panel until our panel has checked the notification: the public
    # form must not be a way to send another panel whatever a stranger typed.
    assert referral.emailed_at is None
    assert not [m for m in mail.outbox if m.to == ["cdop@bedford-borough.example"]]


# Rate limit ----------------------------------------------------------------------------------


@pytest.fixture
def small_limit(settings):
    settings.CDOP_PUBLIC_FORM_LIMIT = 2
    settings.CDOP_PUBLIC_FORM_WINDOW_MINUTES = 10


def test_accepted_notifications_over_the_limit_are_refused_keeping_what_was_typed(
    client, board, small_limit
):
    assert client.post(PUBLIC, public_post(first_name="First")).status_code == 302
    assert client.post(PUBLIC, public_post(first_name="Second")).status_code == 302
    response = client.post(PUBLIC, public_post(first_name="Third", place_detail="Ward <b>9</b>"))
    text = response.content.decode()
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    # The form again, with what was typed, and the reason in a GOV.UK error summary.
    assert "govuk-error-summary" in text and "There is a problem" in text
    assert "Too many notifications have been sent from your network in the last 10 minutes" in text
    assert re.search(r"Wait (10 minutes|[1-9] minutes?) and try again", text)
    assert 'value="Third"' in text
    assert 'value="Ward &lt;b&gt;9&lt;/b&gt;"' in text
    assert "<b>9</b>" not in text
    assert 'name="csrfmiddlewaretoken"' in text
    # Nothing of the third was processed, nor checked: the only error is the limit's.
    assert ChildDeath.objects.count() == 2
    assert text.count("govuk-error-message") == 0


def test_a_few_mistyped_forms_do_not_use_up_the_limit(client, board, small_limit):
    # A flood limit of four times the limit (8): seven refused forms, then two accepted.
    for _ in range(6):
        assert client.post(PUBLIC, {"first_name": "garbage"}).status_code == 200
    assert client.post(PUBLIC, public_post(first_name="First")).status_code == 302
    assert client.post(PUBLIC, public_post(first_name="Second")).status_code == 302
    assert ChildDeath.objects.count() == 2


def test_a_notification_refused_by_the_rules_does_not_count_as_accepted(client, board, small_limit):
    for _ in range(3):
        assert client.post(PUBLIC, public_post(born_alive="no")).status_code == 200
    assert client.post(PUBLIC, public_post(first_name="First")).status_code == 302
    assert client.post(PUBLIC, public_post(first_name="Second")).status_code == 302


def test_a_flood_of_posts_is_refused_before_anything_is_read(client, board, small_limit):
    for _ in range(8):
        assert client.post(PUBLIC, {}).status_code == 200
    response = client.post(PUBLIC, public_post())
    assert response.status_code == 429
    assert "Too many notifications have been sent from your network" in response.content.decode()
    assert not ChildDeath.objects.exists()


def test_the_limit_is_counted_per_client_address(client, board, small_limit):
    for _ in range(8):
        client.post(PUBLIC, {}, REMOTE_ADDR="192.0.2.10")
    assert client.post(PUBLIC, {}, REMOTE_ADDR="192.0.2.10").status_code == 429
    assert client.post(PUBLIC, public_post(), REMOTE_ADDR="192.0.2.11").status_code == 302


def test_ipv6_clients_are_counted_by_their_64(client, board, small_limit):
    assert client.post(PUBLIC, public_post(), REMOTE_ADDR="2001:db8:1:2::1").status_code == 302
    assert client.post(PUBLIC, public_post(), REMOTE_ADDR="2001:db8:1:2::2").status_code == 302
    assert client.post(PUBLIC, public_post(), REMOTE_ADDR="2001:db8:1:2::3").status_code == 429
    assert client.post(PUBLIC, public_post(), REMOTE_ADDR="2001:db8:1:3::1").status_code == 302


def test_clients_without_a_readable_address_share_one_count(client, board, small_limit):
    assert client.post(PUBLIC, public_post(), REMOTE_ADDR="").status_code == 302
    assert client.post(PUBLIC, public_post(), REMOTE_ADDR="").status_code == 302
    assert client.post(PUBLIC, public_post(), REMOTE_ADDR="garbled").status_code == 429
    assert client.post(PUBLIC, public_post(), REMOTE_ADDR="192.0.2.20").status_code == 302


def test_reading_the_public_form_is_not_limited(client, board, small_limit):
    for _ in range(12):
        assert client.get(PUBLIC).status_code == 200


def test_the_over_the_limit_message_gives_the_panels_telephone_number(client, board, small_limit):
    home = home_area()
    home.cdop_phone = "01992 555 123"
    home.save()
    for _ in range(8):
        client.post(PUBLIC, {})
    text = client.post(PUBLIC, {}).content.decode()
    assert "01992 555 123" in text
    assert "telephone the" in text


# The signed-in form --------------------------------------------------------------------------


def test_the_signed_in_form_shows_the_notifier_from_their_account(client, agency_staff):
    client.force_login(agency_staff)
    text = client.get(SIGNED_IN).content.decode()
    for value in (agency_staff.get_full_name(), agency_staff.email, agency_staff.agency.name):
        assert f'<dd class="govuk-summary-list__value">{escape(value)}</dd>' in text
    assert 'name="notifier_name"' not in text
    assert 'name="notifier_email"' not in text
    assert 'value="Practitioner"' in text  # the role from their job title, to change


def test_someone_without_an_agency_may_not_notify_signed_in(client, outsider):
    client.force_login(outsider)
    assert client.get(SIGNED_IN).status_code == 403
    assert client.post(SIGNED_IN, form_post()).status_code == 403
    assert client.get(LIST).status_code == 403
    assert not ChildDeath.objects.exists()


def test_the_signed_in_pages_need_a_sign_in(client, board):
    for url in (SIGNED_IN, SIGNED_IN_SENT, LIST):
        response = client.get(url)
        assert response.status_code == 302
        assert "sign-in" in response["Location"]


def test_a_signed_in_notification_is_confirmed_once_and_the_view_logged(client, agency_staff):
    client.force_login(agency_staff)
    response = client.post(SIGNED_IN, form_post())
    assert response.status_code == 302
    assert response["Location"] == SIGNED_IN_SENT
    death = ChildDeath.objects.get()
    assert death.notifier == agency_staff
    assert death.notifier_role == "School nurse"

    text = client.get(SIGNED_IN_SENT).content.decode()
    assert death.reference in text
    assert escape("Amelia O'Brien") in text
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, object_id=death.pk)
    assert entry.actor == agency_staff
    assert client.get(SIGNED_IN_SENT)["Location"] == SIGNED_IN
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == 1


def test_the_signed_in_confirmation_with_nothing_sent_goes_to_the_form(client, agency_staff):
    client.force_login(agency_staff)
    response = client.get(SIGNED_IN_SENT)
    assert response["Location"] == SIGNED_IN
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_the_confirmation_is_only_for_the_person_who_notified(client, agency_staff):
    death = ChildDeathFactory()
    client.force_login(agency_staff)
    session = client.session
    session["cdop_account_notification"] = death.pk
    session.save()
    assert client.get(SIGNED_IN_SENT)["Location"] == SIGNED_IN
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_a_refused_form_shows_no_record_and_logs_nothing(client, agency_staff):
    client.force_login(agency_staff)
    assert_error_page(client.post(SIGNED_IN, form_post(born_alive="no")), "born_alive_1")
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


# Each rule, through both forms -----------------------------------------------------------------


def _rules():
    tomorrow = days_ago(-1)
    died = days_ago(1)
    return [
        (
            "death before birth",
            {**date_fields("died_on", days_ago(10)), **date_fields("date_of_birth", days_ago(9))},
            "died_on",
            "must be the same as or after the date of birth",
        ),
        (
            "death in the future",
            date_fields("died_on", tomorrow),
            "died_on",
            "The date of death must be today or in the past",
        ),
        (
            "birth in the future",
            date_fields("date_of_birth", tomorrow),
            "date_of_birth",
            "The date of birth must be today or in the past",
        ),
        (
            "18 or over",
            {**date_fields("died_on", died), **date_fields("date_of_birth", birthday(18, died))},
            "date_of_birth",
            "safeguarding adults review",
        ),
        ("stillbirth", {"born_alive": "no"}, "born_alive_1", "Perinatal Mortality Review Tool"),
        (
            "invalid NHS number",
            {"nhs_number": "485 777 3456"},
            "nhs_number",
            "Enter a valid NHS number",
        ),
        (
            "looked after, no authority",
            {"looked_after": "yes"},
            "looked_after_by",
            "Select the local authority that was looking after the child",
        ),
    ]


@pytest.mark.parametrize(
    ("name", "changes", "field", "words"), _rules(), ids=[r[0] for r in _rules()]
)
def test_each_rule_is_refused_through_both_forms(either_form, name, changes, field, words):
    client, url, make = either_form
    text = assert_error_page(client.post(url, make(**changes)), field)
    assert escape(words) in text
    assert not ChildDeath.objects.exists()
    # What was typed is shown again.
    assert 'value="School nurse"' in text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9" * 26, "NHS number must be 10 digits"),
        ("12345", "NHS number must be 10 digits"),
        ("x" * 30, "NHS number must only include numbers"),
    ],
)
def test_a_wrong_nhs_number_is_said_once_through_both_forms(either_form, typed, message):
    client, url, make = either_form
    text = assert_error_page(client.post(url, make(nhs_number=typed)), "nhs_number")
    summary = text.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert summary.count('href="#id_nhs_number"') == 1
    assert summary.count(message) == 1
    # Once in the summary and once above the field.
    assert text.count(message) == 2
    assert not ChildDeath.objects.exists()


@pytest.mark.parametrize("form", [AccountDeathForm, PublicDeathForm, InboundForm])
def test_every_child_death_form_has_one_message_for_a_long_nhs_number(form):
    with pytest.raises(ValidationError) as refused:
        form.base_fields["nhs_number"].clean("9" * 26)
    assert refused.value.messages == ["NHS number must be 10 digits"]


def test_both_areas_elsewhere_is_refused_through_both_forms_naming_the_panel(either_form):
    client, url, make = either_form
    bedford, keynes = other_area("Bedford Borough"), other_area("Milton Keynes")
    response = client.post(url, make(residence_area=str(bedford.pk), place_area=str(keynes.pk)))
    text = assert_error_page(response, "place_area")
    assert "Bedford Borough Child Death Overview Panel (cdop@bedford-borough.example)" in text
    assert not ChildDeath.objects.exists()


def test_a_looked_after_child_of_ours_who_lived_and_died_elsewhere_is_accepted_through_both_forms(
    either_form,
):
    client, url, make = either_form
    response = client.post(
        url,
        make(
            residence_area=str(other_area("Bedford Borough").pk),
            place_area=str(other_area("Milton Keynes").pk),
            looked_after="yes",
            looked_after_by=str(home_area().pk),
        ),
    )
    assert response.status_code == 302
    death = ChildDeath.objects.get()
    assert death.reviewing_area == home_area()
    assert not Referral.objects.exists()


def test_a_child_of_17_years_364_days_is_accepted_and_a_newborn_is_neonatal(either_form):
    client, url, make = either_form
    died = days_ago(1)
    born = birthday(18, died) + datetime.timedelta(days=1)
    client.post(url, make(**date_fields("died_on", died), **date_fields("date_of_birth", born)))
    client.post(
        url,
        make(
            first_name="Baby",
            nhs_number="",
            **date_fields("died_on", died),
            **date_fields("date_of_birth", died - datetime.timedelta(days=27)),
        ),
    )
    older, baby = ChildDeath.objects.order_by("pk")
    assert (older.age_years, older.is_neonatal) == (17, False)
    assert (baby.age_days, baby.is_neonatal) == (27, True)


# The agency's list ---------------------------------------------------------------------------


def test_the_agencys_list_shows_its_notifications_reference_date_and_status_only(
    client, agency_staff
):
    colleague = UserFactory(agency=agency_staff.agency)
    ours = ChildDeathFactory(notifier=colleague, first_name="Amelia", last_name="Zebedee")
    closed = ChildDeathFactory(notifier=agency_staff, status=DeathStatus.CLOSED)
    theirs = ChildDeathFactory(notifier=UserFactory(agency=AgencyFactory()))
    client.force_login(agency_staff)
    response = client.get(LIST)
    text = response.content.decode()
    assert response.status_code == 200
    assert ours.reference in text and closed.reference in text
    assert theirs.reference not in text
    assert "Received" in text and "Review completed" in text
    assert "Amelia" not in text and "Zebedee" not in text
    assert ours.circumstances not in text
    assert f'href="{SIGNED_IN}"' in text
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_a_public_notification_naming_the_agency_is_not_on_its_list(client, agency_staff):
    # Anyone can pick an agency on the public form: that does not make it the agency's.
    claimed = ChildDeathFactory(
        via=NotifiedVia.PUBLIC_FORM, notifier=None, notifier_agency=agency_staff.agency
    )
    client.force_login(agency_staff)
    assert claimed.reference not in client.get(LIST).content.decode()
    assert not agency_staff.has_perm("cdop.see_own_death_notification", claimed)


def test_the_agencys_list_reads_nothing_that_names_the_child(client, agency_staff):
    ChildDeathFactory(notifier=agency_staff)
    client.force_login(agency_staff)
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST)
    death_queries = [q["sql"] for q in queries if 'FROM "cdop_childdeath"' in q["sql"]]
    assert death_queries
    for sql in death_queries:
        assert "first_name" not in sql and "date_of_birth" not in sql


def test_the_agencys_list_runs_a_fixed_number_of_queries(client, agency_staff):
    ChildDeathFactory(notifier=agency_staff)
    client.force_login(agency_staff)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    for _ in range(30):
        ChildDeathFactory(notifier=agency_staff)
    with CaptureQueriesContext(connection) as many:
        text = client.get(LIST).content.decode()
    assert len(many) == len(few)
    assert 'aria-label="Pages of your agency’s child death notifications"' in text
    page_two = client.get(LIST, {"page": "2"}).content.decode()
    assert len(re.findall(r"CDOP-\d{4}-\d+", page_two)) == 6


@pytest.mark.parametrize("page", ["abc", "99999999999999999999", "-1", "\x00"])
def test_a_page_number_that_cannot_be_one_shows_a_page(client, agency_staff, page):
    client.force_login(agency_staff)
    assert client.get(LIST, {"page": page}).status_code == 200


def test_the_agency_notifications_page_links_to_the_child_death_pages(client, agency_staff):
    client.force_login(agency_staff)
    text = client.get("/notifications/").content.decode()
    assert f'href="{SIGNED_IN}"' in text
    assert f'href="{LIST}"' in text
    assert "notify a child's death" in text
    assert "Your agency's child death notifications" in text
