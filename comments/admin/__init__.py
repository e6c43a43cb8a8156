"""The moderators' screens: queues, bulk actions that scale, blocklists, reports and the dashboard.

queues.py     the queues and permissions every screen shares
filters.py    the comment list's filters
paging.py     its paginator and date drill-down, which never count or scan the whole table
actions.py    its bulk actions and their confirmation page
dashboard.py  the dashboard and "Empty spam" pages
comments.py   CommentAdmin: the list and a comment's page, built from the three above
blocklists.py blocklists, reports, moderation records, Akismet feedback, rules of conduct

The stock "delete selected" is gone: it collects every object first; "Delete permanently" works in SQL.
"""

from comments.admin.blocklists import (
    AkismetFeedbackAdmin,
    BlocklistEntryAdmin,
    CommentReportAdmin,
    ConductRulesAdmin,
    ModerationRecordAdmin,
)
from comments.admin.comments import CommentAdmin

__all__ = [
    "AkismetFeedbackAdmin",
    "BlocklistEntryAdmin",
    "CommentAdmin",
    "CommentReportAdmin",
    "ConductRulesAdmin",
    "ModerationRecordAdmin",
]
