"""Blocklists: IPs and networks, emails and domains, words and phrases."""

from comments.models import BlocklistEntry, Comment


def match_comment(comment: Comment) -> BlocklistEntry | None:
    """The first blocklist entry this comment matches, or None. Interim: matches nothing yet."""
    return None
