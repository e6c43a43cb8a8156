"""Huge or odd numbers in the comment screens' own parameters answer 400 (with the reason) or nothing, never 500."""

import pytest

from comments.models import Comment

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/comments/comment/"
HUGE = "9" * 96


@pytest.fixture
def moderating(client, moderator, article, make_comment):
    make_comment(article)
    client.force_login(moderator)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    "params",
    [
        {"queue": "all", "like": HUGE},
        {"queue": "all", "article": HUGE},
        {"queue": "all", "like": f"1,{HUGE}"},
        {"queue": "all", "like": str(2**63)},
        {"queue": "all", "article": str(-(2**70))},
    ],
)
def test_out_of_range_ids_in_the_comment_filters_answer_400_with_the_reason(moderating, params):
    response = moderating.get(CHANGELIST, params)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Not an id" in page and "Back to the comment list" in page


def test_largest_possible_id_is_an_empty_list_not_an_error(moderating):
    response = moderating.get(CHANGELIST, {"queue": "all", "article": str(2**63 - 1)})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


def test_a_bad_filter_no_longer_bounces_to_the_bare_list(moderating):
    response = moderating.get(CHANGELIST, {"queue": "all", "article": "abc"})
    assert response.status_code == 400
    assert "abc" in response.content.decode()


@pytest.mark.parametrize(
    "url, params",
    [
        (CHANGELIST, {"p": HUGE}),
        (CHANGELIST, {"sender": f"ip:{HUGE}"}),
        (f"{CHANGELIST}{HUGE}/change/", {}),
        (f"{CHANGELIST}{HUGE}/delete/", {}),
    ],
)
def test_other_numbers_on_the_comment_screens_never_500(moderating, url, params):
    response = moderating.get(url, params)
    assert response.status_code in (200, 302, 400, 404)
    assert Comment.objects.count() == 1
