"""Spam screening of new comments: blocklists first, then Akismet."""

from comments.models import Comment


def screen_comment(comment: Comment) -> None:
    """Give a just-saved (pending) comment its final status and save it.

    Interim version: no spam checking yet, only the article's moderation setting.
    """
    premoderated = comment.article.comments_premoderated
    comment.status = Comment.Status.PENDING if premoderated else Comment.Status.PUBLISHED
    comment.pending_reason = "Held for moderation" if premoderated else ""
    comment.akismet_verdict = Comment.Verdict.SKIPPED
    comment.save(update_fields=["status", "pending_reason", "akismet_verdict"])
