"""The admin home's "Your work" panel: each role's own queue, counted."""

from django import template
from django.urls import NoReverseMatch, reverse

from articles.models import Article, EditorialNote

register = template.Library()

# The comment queues live in the comments app; the home page only links to them by URL (articles never imports
# comments).
COMMENT_QUEUES = [("review", "Comments needing a human"), ("flagged", "Flagged by readers"), ("spam", "Spam")]


@register.simple_tag
def desk_work(user) -> list[tuple[str, int | None, str]]:
    """(label, count or None, url) for what waits for this user."""
    work = []
    articles_url = reverse("admin:articles_article_changelist")
    if user.has_perm("articles.publish_article"):
        work.append(
            (
                "In review",
                Article.objects.filter(status=Article.Status.REVIEW).count(),
                f"{articles_url}?status__exact=review",
            )
        )
        work.append(("Scheduled", Article.objects.scheduled().count(), f"{articles_url}?publication=scheduled"))
    elif user.has_perm("articles.change_article"):
        mine = Article.objects.credited_to(user)
        work.append(
            ("My drafts", mine.filter(status=Article.Status.DRAFT).count(), f"{articles_url}?status__exact=draft")
        )
        sent_back = mine.filter(status=Article.Status.DRAFT, editorial_notes__kind=EditorialNote.Kind.SENT_BACK)
        work.append(("Sent back to me", sent_back.distinct().count(), f"{articles_url}?sent_back=1"))
        work.append(
            ("In review", mine.filter(status=Article.Status.REVIEW).count(), f"{articles_url}?status__exact=review")
        )
    if user.has_perm("comments.moderate_comment"):
        try:
            comments_url = reverse("admin:comments_comment_changelist")
        except NoReverseMatch:
            return work
        work += [(label, None, f"{comments_url}?queue={key}") for key, label in COMMENT_QUEUES]
    return work
