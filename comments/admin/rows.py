"""The comment list's rows, worked out once per page instead of once per cell.

Django's change list renders every cell through lookup_field, display_for_field and a format_html, resolves each
row's link back through the URL resolver to preserve the filters, and renders each row's checkbox through the form
widget templates: at 100 rows that is most of a request's CPU. Here the page's URLs are reversed once, each
article's link and headline worked out once, and the rows go to templates/admin/comments/comment/_result_list.html,
which writes the same markup as Django's own (tests/comments/test_admin_rows.py compares the two).

Anything the template does not know (a popup opened from a raw-id field, an editable list, other columns) is left
to Django's own rendering.
"""

from django.contrib.admin.templatetags.admin_list import result_headers, result_hidden_fields, result_list
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext

from comments.models import Comment

# The columns the row template writes, in order; CommentAdmin.list_display names the same ones.
COLUMNS = ["excerpt", "author", "article_links", "submitted_at", "status", "akismet_verdict", "report_count"]
CHECKBOX = "action_checkbox"
# What the rows show (and the comment's str(), the checkbox's label): a page reads these, not the comment's request
# data or its article's body, search vector and image renditions a hundred times over.
FIELDS = [
    "body",
    "author_name",
    "author_email",
    "ip_address",
    "submitted_at",
    "status",
    "akismet_verdict",
    "report_count",
    "article",
    "article__headline",
    "article__slug",
    "article__status",
    "article__published_at",
    "article__created_at",
]
EXCERPT_CHARS = 90
HEADLINE_CHARS = 40
PLACEHOLDER = "0"  # reversed once per page, then swapped for each row's id


def body_excerpt(body: str) -> str:
    return Truncator(" ".join(body.split())).chars(EXCERPT_CHARS)


def short_headline(headline: str) -> str:
    return Truncator(headline).chars(HEADLINE_CHARS)


def fits(cl) -> bool:
    """Whether the row template writes this list: the comment list as CommentAdmin shows it, not a popup."""
    columns = [name for name in cl.list_display if name != CHECKBOX]
    return (
        columns == COLUMNS
        and list(cl.list_display[:1]) in ([CHECKBOX], [COLUMNS[0]])
        and list(cl.list_display_links or []) == [COLUMNS[0]]
        and not cl.is_popup
        and not cl.formset
    )


class _Dates:
    """Each row's date as the change list shows it (the site's zone and DATETIME_FORMAT), formatted once per minute
    of the page when the format shows no seconds: a spam wave's hundred rows share a few minutes."""

    SUB_MINUTE = set("sucrU")  # format characters that show seconds or finer

    def __init__(self):
        self.per_minute = not self.SUB_MINUTE & set(formats.get_format("DATETIME_FORMAT"))
        self.seen = {}

    def __call__(self, value) -> str:
        local = timezone.template_localtime(value)
        if not self.per_minute:
            return formats.localize(local)
        minute = local.replace(second=0, microsecond=0)
        if minute not in self.seen:
            self.seen[minute] = formats.localize(minute)
        return self.seen[minute]


class _Template:
    """A URL reversed once with a placeholder id."""

    def __init__(self, name: str):
        self.head, _, self.tail = reverse(name, args=[PLACEHOLDER]).rpartition(f"/{PLACEHOLDER}/")

    def __call__(self, pk) -> str:
        return f"{self.head}/{pk}/{self.tail}"


def rows(cl) -> list[dict]:
    change_url = _Template("admin:comments_comment_change")
    permalink = _Template("comments:permalink")
    query = f"?{cl.preserved_filters}" if cl.preserved_filters else ""
    select_label = gettext("Select this object for an action - {}")
    date = _Dates()
    statuses = dict(Comment.Status.choices)
    verdicts = dict(Comment._meta.get_field("akismet_verdict").flatchoices)
    articles = {}
    result = []
    for comment in cl.result_list:
        article = articles.get(comment.article_id)
        if article is None:
            story = comment.article
            live = story.is_live
            article = articles[comment.article_id] = {
                "headline": short_headline(story.headline),
                "url": story.get_absolute_url() if live else None,
            }
        pk = str(comment.pk)
        status = statuses.get(comment.status, comment.status)
        result.append(
            {
                "pk": pk,
                "select_label": format_html(select_label, str(comment)),
                "change_url": change_url(pk) + query,
                "excerpt": body_excerpt(comment.body),
                "author_name": comment.author_name,
                "author_email": comment.author_email,
                "ip_address": comment.ip_address or "—",
                "article": article,
                # Only where readers (and so the moderator) can see it: published or a removed tombstone.
                "permalink": permalink(pk) if comment.is_visible else None,
                "status_lower": status.lower(),
                "submitted_at": date(comment.submitted_at),
                "status": status,
                "akismet_verdict": verdicts.get(comment.akismet_verdict, comment.akismet_verdict),
                "report_count": comment.report_count,
            }
        )
    return result


def context(cl) -> tuple[str, dict]:
    """The template and context for the list: the row template where it fits, Django's own otherwise."""
    if not fits(cl):
        return "admin/change_list_results.html", result_list(cl)
    headers = list(result_headers(cl))
    return "admin/comments/comment/_result_list.html", {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "checkbox": CHECKBOX in cl.list_display,
        "rows": rows(cl),
    }
