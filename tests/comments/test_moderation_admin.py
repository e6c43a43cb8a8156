"""The moderators' admin: queues, columns, permissions, bulk actions over select-across, pages, dashboard."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments import moderation
from comments.models import BlocklistEntry, Comment, CommentEvent, CommentReport, ModerationRecord

pytestmark = pytest.mark.django_db

Status = Comment.Status
CHANGELIST = "/admin/comments/comment/"


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def spam_wave(article):
    def make(n: int, *, status=Status.SPAM, on=None, days_old: int = 0):
        when = timezone.now() - timedelta(days=days_old)
        Comment.objects.bulk_create(
            [
                Comment(
                    article=on or article,
                    author_name=f"wave{i}",
                    author_email=f"wave{i}@spam.example",
                    body=f"Cheap pills number {i} at http://pills.example",
                    status=status,
                    ip_address="192.0.2.1",
                    submitted_at=when,
                    link_domains="pills.example",
                )
                for i in range(n)
            ],
            batch_size=1000,
        )

    return make


def page_ids(response) -> list[str]:
    return re.findall(rf'name="{ACTION_CHECKBOX_NAME}" value="(\d+)"', response.content.decode())


# --- Permissions ---------------------------------------------------------------------------------------------


def test_reporter_sees_no_comment_screens(client_for, reporter, article, make_comment):
    comment = make_comment(article)
    client = client_for(reporter)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(f"{CHANGELIST}{comment.pk}/change/").status_code == 403
    assert client.get(reverse("admin:comments_comment_dashboard")).status_code == 403
    assert client.get(reverse("admin:comments_comment_empty_spam")).status_code == 403
    response = client.post(
        CHANGELIST, {"action": "delete_permanently", ACTION_CHECKBOX_NAME: [comment.pk], "post": "yes"}
    )
    assert response.status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


@pytest.mark.parametrize("role", ["moderator", "editor"])
def test_moderators_and_editors_get_every_moderation_action(request, client_for, role, article, make_comment):
    make_comment(article, status=Status.PENDING)
    response = client_for(request.getfixturevalue(role)).get(CHANGELIST)
    assert response.status_code == 200
    actions = set(re.findall(r'<option value="(\w+)"', response.content.decode()))
    assert {
        "approve",
        "mark_spam",
        "mark_not_spam",
        "remove",
        "restore",
        "delete_permanently",
        "delete_senders",
        "find_similar",
        "close_article_comments",
    } <= actions
    assert "delete_selected" not in actions  # the stock action loads every object: gone


def test_staff_without_moderate_permission_gets_no_actions(client_for, make_user, article, make_comment):
    from django.contrib.auth.models import Permission

    viewer = make_user(username="viewer")
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    make_comment(article, status=Status.PENDING)
    client = client_for(viewer)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert 'name="action"' not in response.content.decode()
    assert client.get(reverse("admin:comments_comment_dashboard")).status_code == 403


# --- The list ------------------------------------------------------------------------------------------------


def test_list_opens_on_what_needs_a_human_pending_first_with_live_counts(client_for, moderator, article, make_comment):
    flagged = make_comment(article, status=Status.FLAGGED)
    pending = make_comment(article, status=Status.PENDING)
    older_pending = make_comment(article, status=Status.PENDING, submitted_at=timezone.now() - timedelta(hours=2))
    make_comment(article)
    make_comment(article, status=Status.SPAM)
    response = client_for(moderator).get(CHANGELIST)
    html = response.content.decode()
    assert [int(pk) for pk in page_ids(response)] == [pending.pk, older_pending.pk, flagged.pk]
    for label in ["Needs a human (3)", "Pending (2)", "Flagged by readers (1)", "Published (1)", "Spam (1)", "All (5)"]:
        assert label in html
    spam_page = client_for(moderator).get(CHANGELIST, {"queue": "spam"})
    assert len(page_ids(spam_page)) == 1


def test_list_of_100_makes_no_query_per_row(
    client_for, moderator, make_article, spam_wave, django_assert_max_num_queries
):
    for _ in range(4):
        spam_wave(25, on=make_article())
    client = client_for(moderator)
    client.get(CHANGELIST, {"queue": "spam"})  # warm the session and content types
    with django_assert_max_num_queries(12):
        response = client.get(CHANGELIST, {"queue": "spam"})
    assert len(page_ids(response)) == 100


def test_list_columns_link_the_article_and_the_comment_anchor(client_for, moderator, article, make_comment):
    comment = make_comment(article, author_email="ann@example.com", ip_address="203.0.113.77")
    html = client_for(moderator).get(CHANGELIST, {"queue": "published"}).content.decode()
    assert article.get_absolute_url() in html
    assert reverse("comments:permalink", args=[comment.pk]) in html
    assert "ann@example.com" in html and "203.0.113.77" in html


def test_reader_text_is_escaped_in_the_admin(client_for, moderator, article, make_comment):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    comment = make_comment(article, author_name=evil, body=evil, status=Status.PENDING)
    make_comment(article, parent=comment, body=evil)
    client = client_for(moderator)
    for url in [CHANGELIST, f"{CHANGELIST}{comment.pk}/change/"]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html


def test_search_by_email_and_ip_and_filter_by_article(client_for, moderator, make_article, make_comment):
    first, second = make_article(), make_article()
    a = make_comment(first, author_email="zed@example.org", ip_address="203.0.113.5")
    b = make_comment(second, ip_address="198.51.100.99")
    client = client_for(moderator)
    assert page_ids(client.get(CHANGELIST, {"queue": "all", "q": "zed@example"})) == [str(a.pk)]
    assert page_ids(client.get(CHANGELIST, {"queue": "all", "q": "198.51.100"})) == [str(b.pk)]
    assert page_ids(client.get(CHANGELIST, {"queue": "all", "article": second.pk})) == [str(b.pk)]
    assert page_ids(client.get(CHANGELIST, {"queue": "all", "sender": "ip:203.0.113.5"})) == [str(a.pk)]


@pytest.mark.parametrize(
    "params",
    [
        {"queue": "bogus"},
        {"article": "abc"},
        {"article": "-3"},
        {"like": "1,x"},
        {"like": ",".join(str(i) for i in range(1, 150))},
        {"sender": "ip:not-an-ip"},
        {"sender": "nonsense"},
        {"submitted_at__gte": "yesterday"},
        {"no_such_field": "1"},
    ],
)
def test_bad_list_parameters_never_500(client_for, moderator, params):
    response = client_for(moderator).get(CHANGELIST, params)
    assert response.status_code in (302, 400)


# --- Bulk actions --------------------------------------------------------------------------------------------


def test_select_across_delete_of_thousands_confirms_with_counts_then_deletes(
    client_for, moderator, spam_wave, article, make_comment
):
    spam_wave(3000)
    kept = make_comment(article, status=Status.PENDING)
    client = client_for(moderator)
    listing = client.get(CHANGELIST, {"queue": "spam"})
    assert "3,000" in listing.content.decode() or "3000" in listing.content.decode()
    url = f"{CHANGELIST}?queue=spam"
    post = {"action": "delete_permanently", "select_across": "1", "index": "0", ACTION_CHECKBOX_NAME: page_ids(listing)}
    confirm = client.post(url, post)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Delete 3,000 comments permanently?" in html
    # Counts, not a list of objects: the form carries the first page's ids and select_across, nothing more.
    assert html.count(f'name="{ACTION_CHECKBOX_NAME}"') == 100
    assert Comment.objects.spam().count() == 3000

    fields = dict(re.findall(r'<input type="hidden" name="(action|select_across|post)" value="([^"]*)"', html))
    assert fields == {"action": "delete_permanently", "select_across": "1", "post": "yes"}
    done = client.post(url, {**fields, ACTION_CHECKBOX_NAME: page_ids(listing)})
    assert done.status_code == 302
    assert Comment.objects.spam().count() == 0
    assert Comment.objects.filter(pk=kept.pk).exists()
    record = ModerationRecord.objects.get()
    assert (record.actor, record.action, record.count) == (moderator, "Deleted permanently", 3000)
    assert "queue: Spam" in record.filter_description and "select across" in record.filter_description


def test_select_across_status_action_asks_first_and_page_selection_does_not(client_for, moderator, spam_wave):
    spam_wave(250, status=Status.PENDING)
    client = client_for(moderator)
    ids = page_ids(client.get(CHANGELIST))
    across = {"action": "approve", "select_across": "1", "index": "0", ACTION_CHECKBOX_NAME: ids}
    confirm = client.post(CHANGELIST, across)
    assert confirm.status_code == 200 and "Approve all 250 matching comments?" in confirm.content.decode()
    assert Comment.objects.pending().count() == 250

    page_only = client.post(
        CHANGELIST, {"action": "approve", "select_across": "0", "index": "0", ACTION_CHECKBOX_NAME: ids[:10]}
    )
    assert page_only.status_code == 302
    assert Comment.objects.published().count() == 10

    client.post(CHANGELIST, {"action": "approve", "select_across": "1", "post": "yes", ACTION_CHECKBOX_NAME: ids[10:]})
    assert Comment.objects.pending().count() == 0
    assert [r.count for r in ModerationRecord.objects.order_by("id")] == [10, 240]


@pytest.mark.parametrize(
    ("action", "start", "end"),
    [
        ("approve", Status.PENDING, Status.PUBLISHED),
        ("mark_spam", Status.PUBLISHED, Status.SPAM),
        ("mark_not_spam", Status.SPAM, Status.PUBLISHED),
        ("remove", Status.FLAGGED, Status.REMOVED),
        ("restore", Status.REMOVED, Status.PUBLISHED),
    ],
)
def test_each_status_action_changes_status_and_is_recorded(
    client_for, moderator, article, make_comment, action, start, end
):
    comment = make_comment(article, status=start)
    response = client_for(moderator).post(
        f"{CHANGELIST}?queue=all", {"action": action, "index": "0", ACTION_CHECKBOX_NAME: [comment.pk]}
    )
    assert response.status_code == 302
    assert Comment.objects.get(pk=comment.pk).status == end
    assert ModerationRecord.objects.get().count == 1
    assert CommentEvent.objects.get(comment=comment).actor == moderator


def test_delete_everything_from_senders_confirms_site_wide_count(client_for, moderator, make_article, make_comment):
    first, second = make_article(), make_article()
    chosen = make_comment(first, author_email="bot@spam.example", ip_address="203.0.113.66", status=Status.SPAM)
    make_comment(second, author_email="bot@spam.example", ip_address="198.51.100.3")
    make_comment(second, author_email="other@spam.example", ip_address="203.0.113.66")
    bystander = make_comment(second, author_email="reader@example.com", ip_address="198.51.100.4")
    client = client_for(moderator)
    post = {"action": "delete_senders", "index": "0", ACTION_CHECKBOX_NAME: [chosen.pk]}
    response = client.post(f"{CHANGELIST}?queue=spam", post)
    assert "1 email address(es) and 1 IP address(es)" in response.content.decode()
    totals = {option["key"]: option["total"] for option in response.context["options"]}
    assert totals == {"email": 2, "ip": 2, "both": 3}
    client.post(
        f"{CHANGELIST}?queue=spam",
        {
            "action": "delete_senders",
            "post": "yes",
            "match": "both",
            "include_bystanders": "yes",
            ACTION_CHECKBOX_NAME: [chosen.pk],
        },
    )
    assert list(Comment.objects.values_list("pk", flat=True)) == [bystander.pk]


def test_find_more_like_these_lists_the_wave_ready_for_a_bulk_action(client_for, moderator, article, make_comment):
    first = make_comment(article, author_name="reextHtf", body="Replica watches cheap, best replica watches for sale")
    second = make_comment(
        article, author_name="fipleVed", body="REPLICA watches cheap!! best replica watches, for sale"
    )
    linked = make_comment(article, author_name="fipleloh", body="Hello http://watches.example/x")
    third = make_comment(article, author_name="other", body="And here: https://watches.example/y")
    make_comment(article, body="An ordinary reader writing about the harbour bridge vote.")
    client = client_for(moderator)
    response = client.post(
        f"{CHANGELIST}?queue=all",
        {"action": "find_similar", "index": "0", ACTION_CHECKBOX_NAME: [first.pk, linked.pk]},
    )
    assert response.status_code == 302
    listing = client.get(response["Location"])
    assert sorted(map(int, page_ids(listing))) == sorted([first.pk, second.pk, linked.pk, third.pk])
    assert "Like the 2 chosen" in listing.content.decode()


def test_close_comments_from_the_comment_list(client_for, moderator, article, make_comment):
    comment = make_comment(article)
    client = client_for(moderator)
    client.post(
        f"{CHANGELIST}?queue=all",
        {"action": "close_article_comments", "index": "0", ACTION_CHECKBOX_NAME: [comment.pk]},
    )
    client.post(
        f"{CHANGELIST}?queue=all",
        {"action": "close_article_comments", "post": "yes", ACTION_CHECKBOX_NAME: [comment.pk]},
    )
    article.refresh_from_db()
    assert article.comments_mode == Article.Comments.CLOSED


# --- The change page -----------------------------------------------------------------------------------------


def test_change_page_shows_thread_history_reports_and_authors_record(client_for, moderator, article, make_comment):
    root = make_comment(article, body="The root of the thread")
    comment = make_comment(article, parent=root, author_email="rec@example.com", ip_address="203.0.113.8")
    make_comment(article, parent=comment, body="A reply below it")
    make_comment(article, author_email="rec@example.com", status=Status.SPAM)
    make_comment(article, author_email="rec@example.com", status=Status.REMOVED)
    CommentEvent.objects.create(comment=comment, kind="akismet", action="Akismet: ham")
    CommentReport.objects.create(comment=comment, reporter_key="ip:1.2.3.4", reason="Off-topic: rambling")
    html = client_for(moderator).get(f"{CHANGELIST}{comment.pk}/change/").content.decode()
    assert "The root of the thread" in html and "A reply below it" in html
    assert "Akismet: ham" in html and "Off-topic: rambling" in html
    # rec@example.com: 3 comments, 1 approved, 0 held, 1 spam, 1 removed
    assert re.search(r"rec@example\.com</a></td><td>3</td><td>1</td><td>0</td><td>1</td><td>1</td>", html)
    assert "sender=email%3Arec%40example.com" in html


def test_status_change_on_the_change_page_goes_through_the_service(client_for, moderator, article, make_comment):
    comment = make_comment(article, status=Status.PENDING)
    client = client_for(moderator)
    response = client.post(
        f"{CHANGELIST}{comment.pk}/change/",
        {
            "status": Status.SPAM,
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
            "reports-TOTAL_FORMS": "0",
            "reports-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Comment.objects.get(pk=comment.pk).status == Status.SPAM
    assert CommentEvent.objects.get(comment=comment).action == "Marked spam"
    assert ModerationRecord.objects.get().action == "Marked spam"


def test_deleting_from_the_change_page_keeps_replies(client_for, moderator, article, make_comment):
    parent = make_comment(article)
    reply = make_comment(article, parent=parent)
    client_for(moderator).post(f"{CHANGELIST}{parent.pk}/delete/", {"post": "yes"})
    assert Comment.objects.get(pk=parent.pk).status == Status.REMOVED
    assert Comment.objects.get(pk=reply.pk).status == Status.PUBLISHED


# --- Dashboard and "Empty spam" ------------------------------------------------------------------------------


def test_dashboard_counts_queues_and_draws_30_days(client_for, moderator, article, make_comment):
    make_comment(article)
    make_comment(article, status=Status.PENDING)
    make_comment(article, status=Status.SPAM, submitted_at=timezone.now() - timedelta(days=3))
    make_comment(article, status=Status.SPAM, submitted_at=timezone.now() - timedelta(days=45))
    response = client_for(moderator).get(reverse("admin:comments_comment_dashboard"))
    assert response.status_code == 200
    chart = response.context["chart"]
    assert len(chart["bars"]) == 30
    assert chart["totals"] == {"published": 1, "held": 1, "spam": 1}
    html = response.content.decode()
    assert "<svg" in html and html.count('class="spam"') >= 2
    assert dict((label, count) for label, count, _ in response.context["queues"])["Spam"] == 2


def test_empty_spam_view_counts_then_deletes(client_for, moderator, spam_wave, article, make_comment):
    spam_wave(30, days_old=20)
    spam_wave(12, days_old=1)
    ham = make_comment(article)
    client = client_for(moderator)
    url = reverse("admin:comments_comment_empty_spam")
    assert "42" in client.get(url).content.decode()
    confirm = client.post(url, {"scope": "older", "days": "15"})
    assert "Delete 30 spam comments" in confirm.content.decode()
    assert Comment.objects.spam().count() == 42
    done = client.post(url, {"scope": "older", "days": "15", "confirm": "yes"})
    assert done.status_code == 302
    assert Comment.objects.spam().count() == 12
    client.post(url, {"scope": "all", "confirm": "yes"})
    assert not Comment.objects.spam().exists() and Comment.objects.filter(pk=ham.pk).exists()
    assert [r.filter_description for r in ModerationRecord.objects.order_by("id")] == [
        "spam older than 15 days",
        "all spam",
    ]


@pytest.mark.parametrize("days", ["-1", "1.5", "abc", "99999999999999999999"])
def test_empty_spam_view_refuses_bad_days(client_for, moderator, spam_wave, days):
    spam_wave(3, days_old=100)
    response = client_for(moderator).post(
        reverse("admin:comments_comment_empty_spam"), {"scope": "older", "days": days, "confirm": "yes"}
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert Comment.objects.spam().count() == 3


# --- Blocklist, records, reports, feedback -------------------------------------------------------------------


def test_blocklist_admin_validates_and_normalises(client_for, moderator):
    client = client_for(moderator)
    url = reverse("admin:comments_blocklistentry_add")
    bad = client.post(url, {"kind": "ip", "value": "300.1.2.3/8", "action": "spam"})
    assert bad.status_code == 200 and "CIDR" in bad.content.decode()
    good = client.post(url, {"kind": "ip", "value": "203.0.113.77/24", "action": "spam", "note": "botnet"})
    assert good.status_code == 302
    entry = BlocklistEntry.objects.get()
    assert entry.value == "203.0.113.0/24" and entry.created_by == moderator
    client.post(url, {"kind": "email", "value": "@Spam.Example", "action": "hold"})
    assert BlocklistEntry.objects.filter(kind="email", value="spam.example").exists()
    duplicate = client.post(url, {"kind": "email", "value": "SPAM.example", "action": "spam"})
    assert duplicate.status_code == 200 and BlocklistEntry.objects.count() == 2


def test_records_and_feedback_are_read_only(client_for, moderator, editor):
    ModerationRecord.objects.create(actor=editor, action="Emptied spam", count=5, filter_description="all spam")
    client = client_for(moderator)
    html = client.get(reverse("admin:comments_moderationrecord_changelist")).content.decode()
    assert "Emptied spam" in html and "all spam" in html
    assert client.get(reverse("admin:comments_moderationrecord_add")).status_code == 403
    assert client.get(reverse("admin:comments_akismetfeedback_changelist")).status_code == 200
    assert client.get(reverse("admin:comments_akismetfeedback_add")).status_code == 403


def test_reports_admin_lists_reports(client_for, moderator, article, make_comment):
    comment = make_comment(article, body="<b>bold claim</b>")
    CommentReport.objects.create(comment=comment, reporter_key="ip:1.2.3.4", reason="Spam or advertising")
    html = client_for(moderator).get(reverse("admin:comments_commentreport_changelist")).content.decode()
    assert "Spam or advertising" in html and "&lt;b&gt;bold claim" in html


def test_moderation_service_is_what_the_admin_calls(client_for, moderator, article, make_comment, monkeypatch):
    calls = []
    monkeypatch.setattr(moderation, "mark_spam", lambda **kw: calls.append(kw) or 1)
    comment = make_comment(article)
    client_for(moderator).post(
        f"{CHANGELIST}?queue=all", {"action": "mark_spam", "index": "0", ACTION_CHECKBOX_NAME: [comment.pk]}
    )
    assert calls and calls[0]["moderator"] == moderator and list(calls[0]["comments"]) == [comment]
