"""One run of the importer, and its summary."""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction


@dataclass
class ImportRun:
    """One run of the importer: where the files are, and what it has done so far (for the summary)."""

    site: str = ""
    hosts: frozenset[str] = frozenset()  # the old site's host names, for its links and images
    written: int = 0  # posts created or updated so far (see records.keep_statistics)
    media_dir: Path | None = None
    dry_run: bool = False
    tally: Counter = field(default_factory=Counter)  # (row, column) -> n; see SUMMARY_ROWS
    notes: Counter = field(default_factory=Counter)  # things said once at the end, with their count
    # WordPress key -> Newsroom id, filled only once the row is committed, so a rolled-back item leaves no trace.
    _ids: dict[tuple[str, str], int] = field(default_factory=dict)

    def remember(self, kind: str, key: str, pk: int) -> None:
        transaction.on_commit(lambda: self._ids.__setitem__((kind, key), pk))

    def known(self, kind: str, key: str) -> int | None:
        return self._ids.get((kind, key))


SUMMARY_ROWS = [
    "posts",
    "authors",
    "sections",
    "tags",
    "images",
    "images in posts",
    "comments: published",
    "comments: pending",
    "comments: spam",
    "comments: removed",
    "redirects",
]
SUMMARY_COLUMNS = ["created", "updated", "unchanged", "skipped"]


def summary_rows(run: ImportRun) -> list[tuple[str, list[int]]]:
    return [(row, [run.tally[row, column] for column in SUMMARY_COLUMNS]) for row in SUMMARY_ROWS]
