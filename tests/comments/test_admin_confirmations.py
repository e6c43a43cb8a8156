"""Admin actions that reach beyond the selected comments ask first, with what they would change."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from articles.models import Article
from comments.models import Comment, ModerationRecord

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/comments/comment/"
Status = Comment.Status


@pytest.fixture
def moderating(client, moderator):
    client.force_login(moderator)
    return client


# --- Close / reopen comments on their articles ---------------------------------------------------------------


@pytest.mark.parametrize("action, mode", [("close_article_comments", "open"), ("reopen_article_comments", "closed")])
def test_article_actions_confirm_with_the_article_count_before_changing_anything(
    moderating, make_article, make_comment, action, mode
):
    articles = [make_article(comments_mode=mode) for _ in range(3)]
    selected = [make_comment(a).pk for a in articles for _ in range(2)]
    response = moderating.post(
        f"{CHANGELIST}?queue=all", {"action": action, "index": "0", ACTION_CHECKBOX_NAME: selected}
    )
    assert response.status_code == 200
    verb = "Close" if action.startswith("close") else "Reopen"
    assert f"{verb} comments on 3 articles?" in response.content.decode()
    assert set(Article.objects.values_list("comments_mode", flat=True)) == {mode}
    assert not ModerationRecord.objects.exists()

    moderating.post(f"{CHANGELIST}?queue=all", {"action": action, "post": "yes", ACTION_CHECKBOX_NAME: selected})
    assert mode not in set(Article.objects.values_list("comments_mode", flat=True))
    assert ModerationRecord.objects.get().count == 3


def test_select_across_close_counts_every_matching_article(moderating, make_article, make_comment):
    for _ in range(4):
        make_comment(make_article(), status=Status.SPAM)
    make_comment(make_article())  # not in the spam queue
    response = moderating.post(
        f"{CHANGELIST}?queue=spam",
        {"action": "close_article_comments", "select_across": "1", "index": "0", ACTION_CHECKBOX_NAME: ["1"]},
    )
    assert "Close comments on 4 articles?" in response.content.decode()
    assert not Article.objects.filter(comments_mode=Article.Comments.CLOSED).exists()


# --- Delete everything from these senders --------------------------------------------------------------------


@pytest.fixture
def shared_address(make_article, make_comment):
    """A spammer on a school's address, with two real readers behind the same address."""
    first, second = make_article(), make_article()
    ip = "203.0.113.80"
    chosen = make_comment(first, author_email="bot@spam.example", ip_address=ip, status=Status.SPAM)
    same_email = make_comment(second, author_email="bot@spam.example", ip_address="198.51.100.9")
    readers = [
        make_comment(second, author_name=f"Pupil {n}", author_email=f"pupil{n}@school.example", ip_address=ip)
        for n in range(2)
    ]
    elsewhere = make_comment(second, author_email="reader@example.com", ip_address="198.51.100.10")
    return chosen, same_email, readers, elsewhere


def post_senders(client, chosen, **extra):
    data = {"action": "delete_senders", "index": "0", ACTION_CHECKBOX_NAME: [chosen.pk], **extra}
    return client.post(f"{CHANGELIST}?queue=all", data)


def test_sender_delete_shows_each_match_and_the_readers_it_would_take_before_anything_goes(moderating, shared_address):
    chosen, same_email, readers, elsewhere = shared_address
    response = post_senders(moderating, chosen)
    assert response.status_code == 200
    options = {o["key"]: (o["total"], o["bystanders"]) for o in response.context["options"]}
    assert options == {"email": (2, 0), "ip": (3, 2), "both": (4, 2)}
    page = response.content.decode()
    assert "Pupil 0" in page and "pupil1@school.example" in page  # the sample of who would go
    assert Comment.objects.count() == 5


def test_sender_delete_needs_an_explicit_match(moderating, shared_address):
    chosen, *_ = shared_address
    response = post_senders(moderating, chosen, post="yes")
    assert response.status_code == 400
    assert "Choose how to match the senders." in response.content.decode()
    assert Comment.objects.count() == 5


def test_sender_delete_by_email_leaves_readers_who_share_the_address(moderating, shared_address):
    chosen, same_email, readers, elsewhere = shared_address
    post_senders(moderating, chosen, post="yes", match="email")
    assert set(Comment.objects.values_list("pk", flat=True)) == {r.pk for r in readers} | {elsewhere.pk}


def test_sender_delete_by_ip_never_takes_other_readers_without_their_own_tick(moderating, shared_address):
    chosen, same_email, readers, elsewhere = shared_address
    refused = post_senders(moderating, chosen, post="yes", match="ip")
    assert refused.status_code == 400
    assert "2 published comment(s) from other email addresses" in refused.content.decode()
    assert Comment.objects.count() == 5

    post_senders(moderating, chosen, post="yes", match="ip", include_bystanders="yes")
    assert set(Comment.objects.values_list("pk", flat=True)) == {same_email.pk, elsewhere.pk}
    assert "IP addresses" in ModerationRecord.objects.get().filter_description
