from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.cache import fill_csrf_text, scrub_csrf_text
from comments import rendering
from comments.forms import CommentForm
from comments.models import ConductRules
from comments.threads import get_page
from comments.views import own_comment_ids

register = template.Library()

PK_MARK = 918273645

# The "Post a comment" form as an anonymous reader gets it, rendered once per process for each article page and
# reused with the CSRF token swapped in per reader (as the page cache does): crispy-forms' templates are most of
# the comment section's rendering time. Keyed by everything the form's HTML depends on, so a change to the
# article's moderation setting or the rules of conduct renders it afresh. Logged-in readers (name and email
# prefilled) and replies (`?replyto=`) are always rendered afresh, as are bound forms (the posting view).
_anonymous_forms: dict[tuple, str] = {}
ANONYMOUS_FORMS_MAX = 1_000


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
    base_url = article.get_absolute_url()

    reply_to = None
    if is_open and params.get("replyto"):
        reply_to = next((c for c in page.comments if c.can_reply and str(c.pk) == params["replyto"]), None)
    section = {
        "article": article,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "base_url": base_url,
        "page": page,
        "response_count": article.comment_count,
        "is_open": is_open,
        "premoderated": article.comments_premoderated,
        "reply_to": reply_to,
        "rules": ConductRules.current_text() if is_open else "",
        "form": None,
        "form_html": "",
    }
    if is_open:
        user = getattr(request, "user", None)
        anonymous = request is not None and reply_to is None and not (user is not None and user.is_authenticated)
        form_key = (article.pk, base_url, page.number, section["premoderated"], section["rules"]) if anonymous else None
        form_html = _anonymous_forms.get(form_key) if anonymous else None
        if form_html is not None:
            section["form_html"] = mark_safe(fill_csrf_text(request, form_html))  # noqa: S308 - our own rendering of an unbound form
        else:
            section["form"] = CommentForm(
                article=article, user=user, initial={"parent": reply_to.pk} if reply_to else {}
            )
            if anonymous:
                rendered = render_to_string("comments/_form.html", section, request=request)
                scrubbed = scrub_csrf_text(request, rendered)
                if scrubbed is not None:
                    if len(_anonymous_forms) >= ANONYMOUS_FORMS_MAX:
                        _anonymous_forms.clear()
                    _anonymous_forms[form_key] = scrubbed
                section["form_html"] = rendered

    reply_form = ""
    if reply_to is not None:
        reply_form = render_to_string("comments/_form.html", section, request=request)
    # Comment addresses are built once per page rather than with a reverse() per comment.
    permalink_prefix, _, permalink_suffix = reverse("comments:permalink", kwargs={"pk": PK_MARK}).partition(
        str(PK_MARK)
    )
    report_prefix, _, report_suffix = reverse("comments:report", kwargs={"pk": PK_MARK}).partition(str(PK_MARK))
    page_query = f"page={page.number}&" if page.number > 1 else ""
    section["comments_html"] = rendering.render_comments(
        page.comments,
        is_open=is_open,
        reply_base=escape(f"{base_url}?{page_query}"),
        permalink_prefix=escape(permalink_prefix),
        permalink_suffix=escape(permalink_suffix),
        report_prefix=escape(report_prefix),
        report_suffix=escape(report_suffix),
        reply_to=reply_to,
        reply_form=reply_form,
    )
    return section


@register.filter
def comment_text(value):
    """Reader text (or the rules of conduct) as safe HTML; see comments.rendering.comment_text."""
    return rendering.comment_text(value)
