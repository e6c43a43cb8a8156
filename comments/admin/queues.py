"""The moderation queues every comment screen shares, and who may do what on them."""

from urllib.parse import urlencode

from django.urls import reverse

from comments.models import Comment, QueueCount

MODERATE = "comments.moderate_comment"
QUEUE_PARAM = "queue"
Status = Comment.Status

# (key, label, statuses); the list opens on the first, what needs a human.
QUEUES = [
    ("review", "Needs a human", [Status.PENDING, Status.FLAGGED]),
    ("pending", "Pending", [Status.PENDING]),
    ("flagged", "Flagged by readers", [Status.FLAGGED]),
    ("published", "Published", [Status.PUBLISHED]),
    ("spam", "Spam", [Status.SPAM]),
    ("removed", "Removed", [Status.REMOVED]),
    ("all", "All", None),
]
DEFAULT_QUEUE = "review"
QUEUE_KEYS = {key for key, _, _ in QUEUES}


def status_counts() -> dict[str, int]:
    """Exact counts of comments per status, from the few rows of the counter table the triggers keep."""
    return QueueCount.objects.by_status()


def request_counts(request) -> dict[str, int]:
    """The status counts, read once per request however many parts of the page show them."""
    if not hasattr(request, "_comment_status_counts"):
        request._comment_status_counts = status_counts()
    return request._comment_status_counts


def queue_counts(counts: dict[str, int] | None = None) -> list[tuple[str, str, int]]:
    counts = status_counts() if counts is None else counts
    return [
        (key, label, sum(counts.values()) if statuses is None else sum(counts.get(s, 0) for s in statuses))
        for key, label, statuses in QUEUES
    ]


def queue_total(queue: str, counts: dict[str, int] | None = None) -> int:
    return dict((key, count) for key, _, count in queue_counts(counts))[queue]


def current_queue(request) -> str:
    queue = request.GET.get(QUEUE_PARAM, DEFAULT_QUEUE)
    return queue if queue in QUEUE_KEYS else DEFAULT_QUEUE


def can_moderate(request) -> bool:
    return request.user.has_perm(MODERATE)


def can_purge(request) -> bool:
    return can_moderate(request) and request.user.has_perm("comments.delete_comment")


def changelist_url(**params) -> str:
    url = reverse("admin:comments_comment_changelist")
    return f"{url}?{urlencode(params)}" if params else url
