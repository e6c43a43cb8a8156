import functools
import ipaddress
import logging

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from articles.models import Article
from comments.addresses import reader_network
from comments.dbretry import reconnect_if_dropped, retry_once_on_disconnect, retry_safe_requests
from comments.forms import HONEYPOT_FIELD, CommentForm
from comments.models import DEFAULT_RULES, Comment, CommentReport, ConductRules
from comments.moderation import report_comment
from comments.services import CommentNotSaved, CommentRejected, submit_comment
from comments.threads import comment_url, is_shown_to

logger = logging.getLogger(__name__)

# The poster's own comments, so that they alone see theirs while it awaits moderation.
SESSION_KEY = "comments_posted"
SESSION_KEEP = 50
POSTED_MESSAGE_TAG = "comment-posted"


def client_ip(request) -> str | None:
    """The reader's IP address: REMOTE_ADDR, or, when that is a trusted reverse proxy, the nearest address in
    X-Forwarded-For that is not one of our proxies (anything further left the client could have written)."""
    remote = request.META.get("REMOTE_ADDR", "")
    if _is_trusted_proxy(remote):
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        for hop in reversed(hops):
            if not _is_trusted_proxy(hop):
                return _valid_ip(hop) or _valid_ip(remote)
        if hops:
            # Every hop is trusted (FORWARDED_ALLOW_IPS=*): the first one is the client.
            return _valid_ip(hops[0]) or _valid_ip(remote)
    return _valid_ip(remote)


def _is_trusted_proxy(address: str) -> bool:
    ip = _valid_ip(address)
    if ip is None:
        return False
    networks, everyone = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    return everyone or any(ipaddress.ip_address(ip) in network for network in networks)


@functools.cache
def _trusted_networks(entries: tuple[str, ...]) -> tuple[list, bool]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            if entry.strip() != "*":
                logger.warning("Ignoring %r in FORWARDED_ALLOW_IPS: not an address or network", entry)
    return networks, "*" in (entry.strip() for entry in entries)


def _valid_ip(address: str) -> str | None:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    # An IPv4 reader on a dual-stack socket arrives as ::ffff:a.b.c.d; store and compare the IPv4 address.
    return str(getattr(ip, "ipv4_mapped", None) or ip)


def own_comment_ids(request) -> frozenset[int]:
    """Ids of comments this browser posted. Readers without a session cookie never touch the session, so
    plain readers' pages stay anonymous and cacheable."""
    if request is None or settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return frozenset()
    return frozenset(request.session.get(SESSION_KEY, ()))


def remember_own_comment(request, comment: Comment) -> None:
    posted = [pk for pk in request.session.get(SESSION_KEY, []) if pk != comment.pk]
    request.session[SESSION_KEY] = [*posted, comment.pk][-SESSION_KEEP:]


@retry_safe_requests
def permalink(request, pk):
    """A comment's lasting address: the right page of its article, at its anchor."""
    comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
    own_ids = own_comment_ids(request)
    if not (comment.is_visible or is_shown_to(comment, own_ids)) or not comment.article.is_live:
        raise Http404("No such comment.")
    return redirect(comment_url(comment, own_ids=own_ids))


@require_http_methods(["GET", "POST"])
def post(request, article_id):
    """Post a comment or a reply. Success goes back to the article at the new comment; a refusal answers with
    a page saying why (4xx), with what the reader wrote kept in the form."""
    # The request's first query: nothing is written yet, so a connection the database dropped is retried once.
    article = retry_once_on_disconnect(get_object_or_404, Article.objects.published(), pk=article_id)
    if request.method == "GET":
        # Someone reloading the address of a refused post: send them to the form on the article.
        return redirect(f"{article.get_absolute_url()}#respond")
    if not article.comments_open:
        return _refused(request, article, None, "Comments are closed on this article.", status=403)

    form = CommentForm(request.POST, article=article, user=request.user)
    if not form.is_valid():
        return _refused(request, article, form, None, status=400)
    data = form.cleaned_data
    try:
        comment = submit_comment(
            article=article,
            author_name=data["name"],
            author_email=data["email"],
            author_url=data["url"],
            body=data["comment"],
            parent=data["parent"],
            user=request.user,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            referrer=request.META.get("HTTP_REFERER", ""),
            honeypot=data[HONEYPOT_FIELD],
        )
    except CommentRejected as rejection:
        return _refused(
            request, article, form if rejection.code != "closed" else None, rejection.message, status=rejection.status
        )
    except CommentNotSaved as failure:
        # Nothing was stored: say so, keep what the reader wrote, and let them post it again.
        return _refused(request, article, form, str(failure), status=503)

    try:
        remember_own_comment(request, comment)
        # Said on the page the reader lands on; comments.js also announces it and moves focus to the new comment.
        if comment.status != Comment.Status.PUBLISHED:
            messages.info(
                request,
                "Thank you. Your comment is awaiting moderation and will appear once approved.",
                extra_tags=POSTED_MESSAGE_TAG,
            )
        else:
            messages.success(request, "Thank you. Your comment is posted.", extra_tags=POSTED_MESSAGE_TAG)
        return redirect(comment_url(comment, own_ids=own_comment_ids(request) | {comment.pk}))
    except DatabaseError:
        # The comment is stored; only finding its place on the page failed. Never tell the reader it was lost.
        logger.warning("Comment %s was saved, but the page after posting failed", comment.pk, exc_info=True)
        reconnect_if_dropped()
        return render(request, "comments/comment_saved.html", {"article": article, "comment": comment}, status=202)


def _refused(request, article, form, message, *, status):
    parent = form.cleaned_data.get("parent") if form is not None and hasattr(form, "cleaned_data") else None
    context = {
        "article": article,
        "form": form,
        "message": message,
        "reply_to": parent,
        "base_url": article.get_absolute_url(),
        "premoderated": article.comments_premoderated,
        "rules": _rules_text(),
    }
    response = render(request, "comments/comment_form.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(settings.COMMENTS_RATE_LIMIT_SECONDS)
    return response


def _rules_text() -> str:
    try:
        return ConductRules.current_text()
    except DatabaseError:
        # Answering "not saved, try again" must not itself fail while the database is away.
        reconnect_if_dropped()
        return DEFAULT_RULES


# --- Report abuse ------------------------------------------------------------------------------------------


class ReportForm(forms.Form):
    REASONS = [
        ("spam", "Spam or advertising"),
        ("abuse", "Abuse, harassment or hate"),
        ("off-topic", "Off-topic"),
        ("other", "Something else"),
    ]
    reason = forms.ChoiceField(label="What is wrong with this comment?", choices=REASONS, widget=forms.RadioSelect)
    details = forms.CharField(
        label="Details (optional)", required=False, max_length=400, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, comment: Comment, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_action = reverse("comments:report", args=[comment.pk])
        self.helper.add_input(Submit("submit", "Report this comment", css_class="btn btn-danger"))

    def reason_text(self) -> str:
        label = dict(self.REASONS)[self.cleaned_data["reason"]]
        details = " ".join(self.cleaned_data["details"].split())
        return f"{label}: {details}" if details else label


def reporter_key(request) -> str:
    """Who is reporting: the account when signed in, else the IP address (one report each per comment)."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    # IPv6: the reader's /64, so fresh addresses from one subscriber's network count as one reader.
    return f"ip:{reader_network(client_ip(request))}"


@require_http_methods(["GET", "POST"])
@retry_safe_requests
def report(request, pk):
    """A reader's "Report abuse": a reason, one report per reader per comment; enough reports hide it."""
    comment = get_object_or_404(
        Comment.objects.select_related("article"), pk=pk, status__in=[Comment.Status.PUBLISHED, Comment.Status.FLAGGED]
    )
    if not comment.article.is_live:
        raise Http404("No such comment.")
    key = reporter_key(request)
    already = CommentReport.objects.filter(comment=comment, reporter_key=key).exists()
    form = ReportForm(request.POST if request.method == "POST" else None, comment=comment)
    status = 200
    if request.method == "POST":
        if already:
            status = 409
        elif form.is_valid():
            report_comment(comment=comment, reporter_key=key, reason=form.reason_text(), user=request.user)
            return redirect("comments:report", pk=comment.pk)
        else:
            status = 400
    context = {
        "comment": comment,
        "form": form,
        "already": already,
        "hidden": comment.status == Comment.Status.FLAGGED,
    }
    return render(request, "comments/report.html", context, status=status)
