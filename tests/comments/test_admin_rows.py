"""The comment list's rows, written from values worked out once per page, are the rows Django's change list writes."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import formats, timezone

from articles.models import Article
from comments.admin import rows
from comments.models import Comment

pytestmark = pytest.mark.django_db

Status = Comment.Status
CHANGELIST = "/admin/comments/comment/"
ROW_TEMPLATE = "admin/comments/comment/_result_list.html"
RLO = "\u202e"


def table(html: str) -> str:
    """The list's table with the row template's line breaks between tags taken out."""
    match = re.search(r'<table id="result_list">.*?</table>', html, re.S)
    assert match, "no result list on the page"
    return re.sub(r">\n\s*<", "><", match.group(0))


def rows_of(html: str) -> list[str]:
    return re.findall(r"<tr>.*?</tr>", table(html).split("<tbody>", 1)[1], re.S)


def both_ways(client, monkeypatch, params) -> tuple[list[str], list[str]]:
    """The list's rows as this project writes them, then as Django's own change list writes them."""
    fast = client.get(CHANGELIST, params)
    assert fast.status_code == 200
    assert ROW_TEMPLATE in [t.name for t in fast.templates]
    with monkeypatch.context() as patch:
        patch.setattr(rows, "fits", lambda cl: False)
        stock = client.get(CHANGELIST, params)
    assert ROW_TEMPLATE not in [t.name for t in stock.templates]
    return rows_of(fast.content.decode()), rows_of(stock.content.decode())


@pytest.fixture
def every_kind(make_article, make_comment):
    """A comment of each status, on live, draft and scheduled articles, with awkward names, bodies and addresses."""
    live = make_article(headline="A headline long enough to be cut short in the list of comments")
    draft = make_article(status=Article.Status.DRAFT)
    scheduled = make_article(published_at=timezone.now() + timedelta(days=2))
    made = []
    for n, status in enumerate(Status.values):
        made.append(make_comment(live, status=status, submitted_at=timezone.now() - timedelta(minutes=n)))
    made += [
        make_comment(draft, status=Status.PUBLISHED),
        make_comment(scheduled, status=Status.PENDING),
        make_comment(
            live,
            author_name='<script>alert("x")</script>',
            author_email="evil@example.com",
            body='<img src=x onerror="alert(1)"> & "quotes"\n\n  spread   over\tlines ' * 10,
            ip_address=None,
            report_count=3,
            akismet_verdict="spam",
        ),
        make_comment(live, author_name=f"{RLO}evil", body=f"{RLO}backwards text", ip_address="2001:db8::1"),
        make_comment(live, body="ä" * 89 + "\u0301" * 5 + "b" * 3),
    ]
    return made


@pytest.mark.parametrize(
    "params",
    [
        {},  # the list as it opens
        {"queue": "all"},
        {"queue": "all", "o": "-3.1"},  # sorted by article, then the excerpt
        {"queue": "review"},
        {"queue": "all", "q": "evil"},
        {"queue": "published", "p": "1"},
    ],
)
def test_rows_are_the_markup_djangos_change_list_writes(client, moderator, every_kind, monkeypatch, params):
    client.force_login(moderator)
    fast, stock = both_ways(client, monkeypatch, params)
    assert fast and fast == stock


def test_rows_without_the_moderate_permission_have_no_checkbox_and_match_django(
    client, make_user, every_kind, monkeypatch
):
    viewer = make_user(username="viewer")
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    fast, stock = both_ways(client, monkeypatch, {"queue": "all"})
    assert fast == stock
    assert not any("_selected_action" in row for row in fast)


def test_each_row_links_its_comment_keeping_the_lists_filters(client, moderator, every_kind):
    client.force_login(moderator)
    html = client.get(CHANGELIST, {"queue": "all", "q": "evil"}).content.decode()
    evil = [c for c in every_kind if "evil" in c.author_name + c.author_email]
    assert len(evil) == 2
    for comment in evil:
        assert f'href="/admin/comments/comment/{comment.pk}/change/?_changelist_filters=queue%3Dall%26q%3Devil"' in html
    assert len(rows_of(html)) == len(evil)


def test_author_names_are_isolated_and_escaped_in_the_list(client, moderator, every_kind):
    client.force_login(moderator)
    html = client.get(CHANGELIST, {"queue": "all"}).content.decode()
    assert f"<bdi>{RLO}evil</bdi><br>" in html
    assert "<bdi>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</bdi>" in html
    assert "<script>alert" not in html and "<img src=x" not in html


def test_a_popup_from_a_reply_field_gets_djangos_own_rows(client, moderator, every_kind, django_assert_max_num_queries):
    # The parent field's raw-id lookup opens the list in a popup, where a click picks the comment.
    client.force_login(moderator)
    client.get(CHANGELIST)  # warm the session and content types
    with django_assert_max_num_queries(12):  # Django's rows read nothing the page did not load
        response = client.get(CHANGELIST, {"queue": "all", "_popup": "1", "_to_field": "id"})
    assert response.status_code == 200
    assert ROW_TEMPLATE not in [t.name for t in response.templates]
    assert f'data-popup-opener="{every_kind[0].pk}"' in response.content.decode()


def test_dates_are_formatted_once_a_minute_only_when_the_format_shows_no_seconds(monkeypatch):
    first = timezone.now().replace(second=5, microsecond=0)
    later = first.replace(second=50)
    dates = rows._Dates()
    assert dates.per_minute
    assert dates(first) == dates(later) == formats.localize(timezone.template_localtime(later))
    real = formats.get_format
    monkeypatch.setattr(
        formats, "get_format", lambda name, *a, **k: "Y-m-d H:i:s" if name == "DATETIME_FORMAT" else real(name, *a, **k)
    )
    dates = rows._Dates()
    assert not dates.per_minute
    assert dates(first).endswith(":05") and dates(later).endswith(":50")
