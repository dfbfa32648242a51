import pytest
from django.urls import reverse
from django.utils import timezone

from citygrid.cases.intake import Report, report_case
from citygrid.cases.models import Case, CaseEvent
from citygrid.core.models import ObjectChange
from citygrid.portal import services
from citygrid.portal.models import CitizenRating


@pytest.fixture
def case(category):
    return report_case(Report(category=category, description="路灯不亮", lng=120.005, lat=30.005))


@pytest.fixture
def granted(client, case):
    session = client.session
    services.grant(session, case)
    session.save()
    return client


def close(case):
    Case.objects.filter(pk=case.pk).update(state="closed", closed_at=timezone.now())


def test_rating_is_refused_while_open(granted, case):
    url = reverse("portal:case_rate", args=[case.pk])
    response = granted.post(url, {"satisfaction": "5"}, follow=True)
    assert "事件办结后才能评价" in response.content.decode()
    assert CitizenRating.objects.count() == 0
    case.refresh_from_db()
    assert case.satisfaction is None
    assert not CaseEvent.objects.filter(case=case, action="evaluate").exists()
    assert "rating-form" not in granted.get(reverse("portal:case", args=[case.pk])).content.decode()


def test_rating_once_when_closed(granted, case):
    close(case)
    page = granted.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert "rating-form" in page
    url = reverse("portal:case_rate", args=[case.pk])
    response = granted.post(url, {"satisfaction": "4", "comment": "处理及时"}, follow=True)
    assert "感谢您的评价" in response.content.decode()
    rating = CitizenRating.objects.get()
    assert (rating.case_id, rating.satisfaction, rating.comment) == (case.pk, 4, "处理及时")
    case.refresh_from_db()
    assert case.satisfaction == 4
    event = CaseEvent.objects.get(case=case, action="evaluate")
    assert event.actor_id is None
    assert event.actor_name == "群众"
    assert event.note == "处理及时"
    assert event.data == {"satisfaction": 4, "source": "citizen"}

    again = granted.post(url, {"satisfaction": "1"}, follow=True)
    assert "您已评价过该事件" in again.content.decode()
    assert CitizenRating.objects.get().satisfaction == 4
    case.refresh_from_db()
    assert case.satisfaction == 4
    assert CaseEvent.objects.filter(case=case, action="evaluate").count() == 1


def test_rating_needs_the_grant(client, case):
    close(case)
    response = client.post(reverse("portal:case_rate", args=[case.pk]), {"satisfaction": "5"})
    assert response.status_code == 404
    assert CitizenRating.objects.count() == 0


def test_rating_out_of_range_is_refused(case):
    close(case)
    with pytest.raises(Exception) as exc:
        services.rate_case(case, satisfaction=6)
    assert exc.value.message == "满意度应为 1 至 5 分"
    assert CitizenRating.objects.count() == 0


def test_the_citizens_rating_is_in_the_case_history(granted, case):
    close(case)
    granted.post(reverse("portal:case_rate", args=[case.pk]), {"satisfaction": "5"})
    change = ObjectChange.objects.get(
        content_type__model="case", object_id=case.pk, action="update"
    )
    assert (change.user, change.user_name) == (None, "system")
    assert [(f, b, a) for f, b, a in change.diff() if f != "last_updated"] == [
        ("satisfaction", None, 5)
    ]
