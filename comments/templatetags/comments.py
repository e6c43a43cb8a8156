import re

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, linebreaks, urlize
from django.utils.safestring import mark_safe

from comments.forms import CommentForm
from comments.models import ConductRules
from comments.threads import get_page
from comments.views import own_comment_ids

register = template.Library()

URL_DISPLAY_LIMIT = 60
# What urlize would turn into a link: a scheme, "www.", an email address, or a bare domain in the TLDs it knows.
# Most comments have none, and skipping urlize for them is most of the cost of rendering a page of comments.
LINK_HINT = re.compile(r"://|www\.|@|\.(?:com|edu|gov|int|mil|net|org)\b", re.IGNORECASE)


@register.inclusion_tag("comments/_section.html", takes_context=True)
def comment_section(context, article):
    """The article page's comment section; the articles app reaches comments only through this tag.

    Reads `?page=` (a page of threads) and `?replyto=` (the comment a reader without JavaScript is replying
    to) from the request, so the article view needs to know nothing about comments.
    """
    request = context.get("request")
    params = request.GET if request is not None else {}
    own_ids = own_comment_ids(request)
    page = get_page(article, params.get("page"), own_ids=own_ids)
    is_open = article.comments_open

    reply_to = None
    if is_open and params.get("replyto"):
        reply_to = next((c for c in page.comments if c.can_reply and str(c.pk) == params["replyto"]), None)
    form = None
    if is_open:
        user = getattr(request, "user", None)
        initial = {"parent": reply_to.pk} if reply_to else {}
        form = CommentForm(article=article, user=user, initial=initial)

    # Built once here rather than with {% url %} per comment: a page can hold hundreds of comments.
    permalink_prefix, _, permalink_suffix = reverse("comments:permalink", kwargs={"pk": 0}).rpartition("0")
    page_query = f"page={page.number}&" if page.number > 1 else ""
    return {
        "article": article,
        "request": request,
        "base_url": article.get_absolute_url(),
        "page": page,
        "comments": page.comments,
        "response_count": article.comment_count,
        "is_open": is_open,
        "premoderated": article.comments_premoderated,
        "form": form,
        "reply_to": reply_to,
        "rules": ConductRules.current_text(),
        "permalink_prefix": permalink_prefix,
        "permalink_suffix": permalink_suffix,
        "page_query": page_query,
    }


@register.filter
def comment_text(value):
    """Reader text as HTML: escaped, paragraphs and line breaks kept, web addresses made into links that
    search engines know come from users (rel="nofollow ugc")."""
    text = value or ""
    if LINK_HINT.search(text):
        # urlize escapes everything that is not the link it makes. Escaping is not optional here, not even
        # inside {% autoescape off %}: this is text from the public.
        html = urlize(text, trim_url_limit=URL_DISPLAY_LIMIT, nofollow=True, autoescape=True)
        html = html.replace(' rel="nofollow"', ' rel="nofollow ugc"')
    else:
        html = conditional_escape(text)
    return mark_safe(linebreaks(html))  # noqa: S308 - built from escaped text above
