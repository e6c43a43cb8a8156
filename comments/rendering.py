"""The comment list as HTML, written in Python rather than in a template loop.

The list is the one part of the article page that grows with its comments: a page of 50 threads can hold
hundreds of them. Django's template engine spends about 0.3 ms on each (resolving variables, localizing numbers,
formatting dates), which made the list most of the page's cost; building the markup here costs a fraction of
that. Everything that came from a reader goes through `escape` or `comment_text`, nothing else is trusted.

Markup of one comment (CSS in static/comments.css, behaviour in static/comments.js):
  <article id="comment-ID" class="comment comment--{published|held|removed|hidden} comment--{thread|reply} depth-N">
    <header class="comment-meta"> number (threads only), author in <bdi>, permalink with the time, held badge </header>
    <div class="comment-body" dir="auto"> ... </div>
    <footer class="comment-actions"> Reply, Report abuse (each named after the comment's author) </footer>
    <div class="comment-reply-slot" id="reply-slot-ID"> (the reply form goes here) </div>
  </article>
"""

import re
from collections.abc import Iterable

from django.utils import timezone
from django.utils.html import conditional_escape, escape, linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe

from comments.models import Comment

URL_DISPLAY_LIMIT = 60
# What urlize would turn into a link: a scheme, "www.", an email address, or a bare domain in the TLDs it knows.
# Most comments have none, and skipping urlize for them saves most of its cost.
LINK_HINT = re.compile(r"://|www\.|@|\.(?:com|edu|gov|int|mil|net|org)\b", re.IGNORECASE)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Indentation stops growing past this depth (classes depth-0 ... depth-6 in comments.css); a class rather than an
# inline style, so that public pages need no inline styles under a Content-Security-Policy.
INDENT_LEVELS = 6
PLACEHOLDERS = {
    "removed": "This comment was removed.",
    "hidden": "This comment is hidden while a moderator reviews it.",
}


def comment_text(value: str) -> SafeString:
    """Reader text as HTML: escaped, paragraphs and line breaks kept, web addresses made into links that
    search engines know come from users (rel="nofollow ugc")."""
    text = value or ""
    if LINK_HINT.search(text):
        # urlize escapes everything that is not the link it makes.
        html = urlize(text, trim_url_limit=URL_DISPLAY_LIMIT, nofollow=True, autoescape=True)
        html = html.replace(' rel="nofollow"', ' rel="nofollow ugc"')
    else:
        html = conditional_escape(text)
    return mark_safe(linebreaks(html))  # noqa: S308 - built from escaped text above


def display_time(moment, zone=None) -> str:
    """A time as "Nov 26, 2026, 3:05 PM" in the site's zone: Django's "M j, Y, g:i A" without its per-call cost.

    `zone` (the current time zone) can be looked up once by a caller formatting many times.
    """
    local = timezone.localtime(moment, zone)
    hour = local.hour % 12 or 12
    meridiem = "AM" if local.hour < 12 else "PM"
    return f"{MONTHS[local.month - 1]} {local.day}, {local.year}, {hour}:{local.minute:02d} {meridiem}"


def render_comments(
    comments: Iterable[Comment],
    *,
    is_open: bool,
    reply_base: str,
    permalink_prefix: str,
    permalink_suffix: str,
    report_prefix: str = "",
    report_suffix: str = "",
    reply_to: Comment | None = None,
    reply_form: str = "",
) -> SafeString:
    """The page's comments, in order, as one HTML string; `reply_form` goes into `reply_to`'s slot."""
    out = []
    zone = timezone.get_current_timezone()
    for comment in comments:
        pk = comment.pk
        kind = "comment--reply" if comment.depth else "comment--thread"
        out.append(
            f'<article id="comment-{pk}" class="comment comment--{comment.display} {kind} '
            f'depth-{min(comment.depth, INDENT_LEVELS)}">'
        )
        if comment.display in PLACEHOLDERS:
            out.append(f'<p class="comment-placeholder">{PLACEHOLDERS[comment.display]}</p>')
        else:
            name = escape(comment.author_name)
            # <bdi>: a name in a right-to-left script, or with a direction override in it, stays inside its box.
            bdi_name = f"<bdi>{name}</bdi>"
            number = f'<span class="comment-number">{comment.number}.</span> ' if comment.number else ""
            author = f'<a href="{escape(comment.link)}" rel="nofollow ugc">{bdi_name}</a>' if comment.link else bdi_name
            held = (
                ' <span class="badge text-bg-warning comment-held">Awaiting moderation</span>'
                if comment.display == "held"
                else ""
            )
            out.append(
                f'<header class="comment-meta">{number}<span class="comment-author">{author}</span> '
                f'<a class="comment-permalink" href="{permalink_prefix}{pk}{permalink_suffix}" '
                f'title="Link to this comment"><time datetime="{comment.submitted_at.isoformat()}">'
                f"{display_time(comment.submitted_at, zone)}</time></a>{held}</header>"
                f'<div class="comment-body" dir="auto">{comment_text(comment.body)}</div>'
            )
            # A page holds a hundred "Reply" links: each one's name says whose comment it answers, for a screen
            # reader's list of links, while it still reads "Reply" on screen.
            actions = []
            if is_open and comment.can_reply:
                actions.append(
                    f'<a class="comment-reply-link" href="{reply_base}replyto={pk}#respond" '
                    f'data-comment-id="{pk}" data-author="{name}" rel="nofollow">'
                    f'Reply<span class="visually-hidden"> to {bdi_name}</span></a>'
                )
            if report_prefix and comment.display == "published":
                actions.append(
                    f'<a class="comment-report-link" href="{report_prefix}{pk}{report_suffix}" rel="nofollow">'
                    f'Report abuse<span class="visually-hidden"> in the comment by {bdi_name}</span></a>'
                )
            if actions:
                out.append(f'<footer class="comment-actions">{" ".join(actions)}</footer>')
        slot = reply_form if reply_to is not None and reply_to.pk == pk else ""
        out.append(f'<div class="comment-reply-slot" id="reply-slot-{pk}">{slot}</div></article>\n')
    return mark_safe("".join(out))  # noqa: S308 - every reader-supplied value above is escaped
