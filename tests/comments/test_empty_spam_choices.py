from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment

pytestmark = pytest.mark.django_db

URL = "/admin/comments/comment/empty-spam/"


@pytest.fixture
def moderating(client, moderator):
    client.force_login(moderator)
    return client


def spam(article, make_comment, n, *, days_old):
    for _ in range(n):
        make_comment(
            article, status=Comment.Status.SPAM, submitted_at=timezone.now() - timedelta(days=days_old, hours=1)
        )


def test_empty_spam_shows_what_each_age_would_delete_up_front(moderating, article, make_comment, settings):
    settings.SPAM_RETENTION_DAYS = 15
    spam(article, make_comment, 5, days_old=0)
    spam(article, make_comment, 3, days_old=2)
    spam(article, make_comment, 2, days_old=20)
    assert URL == reverse("admin:comments_comment_empty_spam")
    response = moderating.get(URL)
    counts = {age["days"]: age["count"] for age in response.context["ages"]}
    assert counts == {0: 10, 1: 5, 7: 2, 15: 2, 30: 0}
    page = response.content.decode()
    assert "Delete these 10…" in page and "Delete these 5…" in page and "nothing this old" in page


def test_fresh_spam_wave_is_offered_as_all_spam_not_as_delete_zero(moderating, article, make_comment):
    spam(article, make_comment, 7, days_old=0)
    response = moderating.get(URL)
    assert response.context["form"]["scope"].value() == "all"
    counted = moderating.post(URL, {"scope": "older", "days": "15"})
    page = counted.content.decode()
    assert "Delete 0" not in page
    assert "nothing would be deleted" in page and "Delete these 7…" in page
    done = moderating.post(URL, {"scope": "all", "confirm": "yes"})
    assert done.status_code == 302 and not Comment.objects.spam().exists()


def test_confirming_an_age_with_nothing_left_deletes_nothing_and_offers_the_choices(moderating, article, make_comment):
    spam(article, make_comment, 2, days_old=0)
    response = moderating.post(URL, {"scope": "older", "days": "30", "confirm": "yes"})
    assert response.status_code == 200
    assert "nothing would be deleted" in response.content.decode()
    assert Comment.objects.spam().count() == 2


def test_empty_spam_queue_says_so(moderating):
    assert "There is no spam to delete." in moderating.get(URL).content.decode()
