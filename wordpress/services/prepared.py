"""What importing a post works out from the file alone, without the database, and reading it ahead of the writes."""

import multiprocessing
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.utils import timezone

from comments.models import Comment
from comments.text import comment_markers
from wordpress import markup, wxr
from wordpress.services.values import aware, ip

COMMENT_STATUSES = {
    "1": Comment.Status.PUBLISHED,
    "approve": Comment.Status.PUBLISHED,
    "0": Comment.Status.PENDING,
    "hold": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.REMOVED,
    "post-trashed": Comment.Status.REMOVED,
}
PINGS = ("pingback", "trackback")


def comment_status(comment: wxr.Comment) -> str:
    return COMMENT_STATUSES.get(comment.approved, Comment.Status.PENDING)


def comment_row(comment: wxr.Comment) -> str:
    return f"comments: {comment_status(comment)}"


def comment_values(comment: wxr.Comment, fallback_date: datetime | None) -> dict:
    return {
        "author_name": (markup.plain_text(comment.author) or "Anonymous")[:100],
        "author_email": comment.author_email.lower()[:254],
        "author_url": comment.author_url[:300],
        "body": markup.comment_text(comment.content),
        "status": comment_status(comment),
        "submitted_at": aware(comment.date_gmt, comment.date) or fallback_date,
        "ip_address": ip(comment.author_ip),
    }


@dataclass(slots=True)
class Prepared:
    """What importing a post works out from the file alone, without the database: its digest and each comment's
    column values and moderation markers, each worked out once."""

    digest: str
    _values: dict[int, dict] = field(default_factory=dict)  # comment wp_id -> columns (submitted_at may be None)
    _markers: dict[int, tuple[str, str]] = field(default_factory=dict)

    def values(self, comment: wxr.Comment, fallback_date: datetime) -> dict:
        values = dict(self._values.get(comment.wp_id) or comment_values(comment, None))
        if values["submitted_at"] is None:
            values["submitted_at"] = fallback_date
        return values

    def markers(self, comment: wxr.Comment) -> tuple[str, str]:
        if (markers := self._markers.get(comment.wp_id)) is None:
            values = self.values(comment, timezone.now())
            markers = comment_markers(body=values["body"], author_url=values["author_url"])
        return markers


def prepare(item: wxr.Item) -> Prepared:
    prepared = Prepared(digest=item.digest())
    for comment in item.comments:
        if comment.type not in PINGS and comment.wp_id not in prepared._values:
            values = comment_values(comment, None)
            prepared._values[comment.wp_id] = values
            prepared._markers[comment.wp_id] = comment_markers(body=values["body"], author_url=values["author_url"])
    return prepared


def read_prepared(path: Path, *, ahead: int = 8) -> Iterator[tuple[wxr.Entry, Prepared | None, int]]:
    """The export's entries, each post with its `Prepared` part, and how many bytes of the file were read so far.

    A child process reads and prepares them, up to `ahead` entries in front of the import: it works on another
    core while the importer and the database write the post before (a thread would share the interpreter lock
    with the writes and gain nothing). A malformed file raises `WxrError` here after the entries before it.
    """
    context = multiprocessing.get_context("fork")  # the child starts with Django set up and runs no query
    results = context.Queue(maxsize=ahead)
    child = context.Process(target=_read_into, args=(path, results), name="wxr-reader", daemon=True)
    child.start()
    try:
        while True:
            kind, payload = results.get()
            if kind == "entry":
                yield payload
            elif kind == "malformed":
                raise wxr.WxrError(payload)
            elif kind == "failed":
                raise RuntimeError(f"Reading the export failed: {payload}")
            else:
                return
    finally:
        child.terminate()
        child.join()
        results.close()


def _read_into(path: Path, results) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the importer's to handle; it stops this process
    try:
        with path.open("rb") as handle:
            for entry in wxr.read_export(handle):
                is_post = isinstance(entry, wxr.Item) and entry.post_type == "post"
                results.put(("entry", (entry, prepare(entry) if is_post else None, handle.tell())))
        results.put(("done", None))
    except wxr.WxrError as error:
        results.put(("malformed", str(error)))
    except Exception as error:  # noqa: BLE001 - reported to the importer, which stops with it
        results.put(("failed", repr(error)))
    results.close()
    results.join_thread()
