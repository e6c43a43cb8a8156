"""A post's comments: brought up to date, or inserted whole (thread and path included) in one bulk insert."""

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from psycopg.types.json import Jsonb

from articles.models import Article
from comments.counters import sync_article_counts
from comments.models import PATH_STEP, Comment
from wordpress import wxr
from wordpress.models import WordPressObject
from wordpress.services.prepared import PINGS, Prepared
from wordpress.services.records import Kind
from wordpress.services.run import ImportRun
from wordpress.services.values import aware

COMMENT_FIELDS = ["author_name", "author_email", "author_url", "body", "status", "submitted_at", "ip_address"]
BATCH = 500


def _placements(comments: list[wxr.Comment], known: dict[int, tuple[int, int]]) -> dict[int, tuple[int | None, int]]:
    """wp_id -> (WordPress id of the parent it hangs under, depth), for comments not imported yet.

    `known` holds (depth, parent's WordPress id or 0) of the post's comments imported before. As when a reader
    replies, past the deepest level a reply attaches beside its parent. A parent missing from the file (a reply
    to a spam comment WordPress did not export) or a loop makes a top-level comment.
    """
    max_depth = settings.COMMENTS_MAX_DEPTH
    by_id = {c.wp_id: c for c in comments}
    placed: dict[int, tuple[int | None, int]] = {
        wp_id: (parent or None, depth) for wp_id, (depth, parent) in known.items()
    }
    for comment in comments:
        chain = []
        current = comment
        in_chain = set()
        while current.wp_id not in placed:
            chain.append(current)
            in_chain.add(current.wp_id)
            parent = by_id.get(current.parent_id)
            if current.parent_id in placed or parent is None or parent.wp_id in in_chain:
                break
            current = parent
        for link in reversed(chain):
            parent_id = link.parent_id if link.parent_id in placed else None
            if parent_id is None:
                placed[link.wp_id] = (None, 0)
                continue
            grandparent, depth = placed[parent_id]
            if depth >= max_depth - 1 and grandparent is not None:
                placed[link.wp_id] = (grandparent, depth)
            else:
                placed[link.wp_id] = (parent_id, depth + 1)
    return {wp_id: placed[wp_id] for wp_id in by_id if wp_id not in known}


def import_comments(run: ImportRun, item: wxr.Item, article: Article, prepared: Prepared) -> None:
    comments = {}
    for comment in item.comments:
        if comment.type in PINGS:
            run.notes["pingbacks and trackbacks skipped"] += 1
        elif comment.wp_id and comment.wp_id not in comments:
            comments[comment.wp_id] = comment
    comments = list(comments.values())
    if not comments:
        sync_article_counts([article.pk])
        return
    wp_ids = [c.wp_id for c in comments]
    imported = dict(
        WordPressObject.objects.filter(site=run.site, kind=Kind.COMMENT, wp_id__in=wp_ids).values_list(
            "wp_id", "object_id"
        )
    )
    rows = {
        row.pk: row
        for row in Comment.objects.filter(pk__in=imported.values(), article=article).only(
            "pk", "parent_id", "thread_id", "path", "depth", *COMMENT_FIELDS
        )
    }
    pk_to_wp = {pk: wp_id for wp_id, pk in imported.items() if pk in rows}
    # Imported once and deleted since (a moderator's purge of old spam, say): a person chose that, it stays gone.
    deleted = {wp_id for wp_id, pk in imported.items() if pk not in rows}
    if deleted:
        run.notes["comments deleted in Newsroom since an earlier import, left deleted"] += len(deleted)
        comments = [c for c in comments if c.wp_id not in deleted]
    imported = {wp_id: pk for wp_id, pk in imported.items() if pk in rows}
    known = {wp_id: (rows[pk].depth, pk_to_wp.get(rows[pk].parent_id, 0)) for wp_id, pk in imported.items()}

    # Comments imported before: brought up to date with the file.
    changed = []
    for comment in comments:
        pk = imported.get(comment.wp_id)
        if pk is None:
            continue
        row, values = rows[pk], prepared.values(comment, article.published_at or article.created_at)
        different = [name for name, value in values.items() if getattr(row, name) != value]
        for name in different:
            setattr(row, name, values[name])
        if different:
            changed.append(row)
        run.tally[f"comments: {row.status}", "updated" if different else "unchanged"] += 1
    if changed:
        Comment.objects.bulk_update(changed, COMMENT_FIELDS, batch_size=BATCH)

    # New comments get their ids up front, in the order they were written, so that each row goes in whole (its
    # thread and path included) in one bulk insert: siblings, and threads, then sort by when they were written.
    placements = _placements([c for c in comments if c.wp_id not in imported], known)
    fresh = sorted(
        (c for c in comments if c.wp_id in placements),
        key=lambda c: (aware(c.date_gmt, c.date) or article.created_at, c.wp_id),
    )
    if fresh:
        by_wp = {wp_id: (pk, rows[pk].thread_id, rows[pk].path) for wp_id, pk in imported.items()}
        _insert_comments(run, article, fresh, placements, by_wp, prepared)
    sync_article_counts([article.pk])


def _insert_comments(
    run: ImportRun, article: Article, fresh: list, placements: dict, by_wp: dict, prepared: Prepared
) -> None:
    """Insert the post's new comments; `by_wp` maps WordPress ids of comments already in to (pk, thread, path)."""
    orphans = sum(1 for c in fresh if c.parent_id and placements[c.wp_id][0] is None)
    if orphans:
        run.notes["comments whose parent is missing from the file, made top-level"] += orphans
    fallback = article.published_at or article.created_at
    created = []
    for pk, comment in zip(_reserve_comment_ids(len(fresh)), fresh, strict=True):
        row = prepared.values(comment, fallback)
        row["fingerprint"], row["link_domains"] = prepared.markers(comment)
        row.update(
            id=pk,
            article_id=article.pk,
            depth=placements[comment.wp_id][1],
            akismet_verdict=Comment.Verdict.SKIPPED,
            pending_reason="Held for moderation on the WordPress site" if row["status"] == "pending" else "",
        )
        created.append((comment.wp_id, row))
        run.tally[f"comments: {row['status']}", "created"] += 1
    # Parents before children: a parent is one level up (or, past the deepest level, two).
    for wp_id, row in sorted(created, key=lambda pair: pair[1]["depth"]):
        own = str(row["id"]).zfill(PATH_STEP)
        parent_wp = placements[wp_id][0]
        if parent_wp is None:
            row["thread_id"], row["path"] = row["id"], own
        else:
            parent_pk, thread_id, path = by_wp[parent_wp]
            row["parent_id"], row["thread_id"], row["path"] = parent_pk, thread_id, path + own
        by_wp[wp_id] = (row["id"], row["thread_id"], row["path"])
    _bulk_insert(Comment, [row for _, row in created])
    now = timezone.now()
    _bulk_insert(
        WordPressObject,
        [
            {"site": run.site, "kind": Kind.COMMENT, "wp_id": wp_id, "object_id": row["id"], "imported_at": now}
            for wp_id, row in created
        ],
    )


def _bulk_insert(model, rows: list[dict]) -> None:
    """Insert rows given as {attname: value} (defaults for the rest), with PostgreSQL's COPY there.

    Building a model instance for each row and preparing each of its values through the ORM cost more than the
    database's own work on a big import; COPY takes the values as they are (psycopg adapts them).
    """
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=BATCH)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in rows[0]]
    defaults = {f.attname: f.get_default() for f in fields}
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    names = list(defaults.items())
    json_positions = [i for i, f in enumerate(fields) if f.attname in json_fields]
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            values = [row.get(name, default) for name, default in names]
            for i in json_positions:
                values[i] = Jsonb(values[i])
            copy.write_row(values)


def _reserve_comment_ids(count: int) -> list[int]:
    """`count` new comment ids no other writer will use, in one query.

    PostgreSQL hands them out from the table's sequence. SQLite lets one writer in at a time and this runs inside
    the import's transaction, so nobody else can take the ids after the highest one until it commits; rows
    inserted with explicit ids move SQLite's AUTOINCREMENT counter past them.
    """
    table = Comment._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        if connection.vendor == "sqlite":
            cursor.execute(
                f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0))",
                [table],
            )
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + count))
    raise NotImplementedError(f"Importing comments needs PostgreSQL or SQLite, not {connection.vendor}.")
