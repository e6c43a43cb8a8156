"""Database triggers that keep QueueCount and QuarterHourCount exact, whatever writes the comment table.

Every insert, status change and delete of a comment goes through them: the ORM, bulk updates and deletes,
cascades from a deleted article, raw SQL in a benchmark or an import. So no write path can forget a counter.

PostgreSQL: one statement-level trigger per kind of write, reading the statement's transition tables, so a bulk
statement over a million rows adds up its changes once instead of a million times; each connection adds to its
own slot rows (see QueueCount). A TRUNCATE of the comments empties the counters.
SQLite: row-level triggers doing the same arithmetic in one slot (SQLite has one writer at a time).

`install(connection)` is idempotent. The comments app runs it after every `migrate`, because SQLite rebuilds a
table (dropping its triggers) when some migrations alter it.
"""

# ruff: noqa: S608 - every statement here is built from this module's constant table and column names, no input.
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

COMMENTS = "comments_comment"
QUEUES = "comments_queuecount"
QUARTERS = "comments_quarterhourcount"
PG_SLOTS = 8

# The start of a comment's quarter hour in Unix seconds; the same number on both databases.
PG_QUARTER = "(floor(extract(epoch FROM submitted_at) / 900) * 900)::bigint"
SQLITE_QUARTER = "(CAST(strftime('%s', {row}.submitted_at) AS INTEGER) / 900) * 900"

PG_CHANGES = {
    "INSERT": "SELECT status, submitted_at, 1 AS delta FROM new_rows",
    "DELETE": "SELECT status, submitted_at, -1 AS delta FROM old_rows",
    "UPDATE": "SELECT status, submitted_at, -1 AS delta FROM old_rows "
    "UNION ALL SELECT status, submitted_at, 1 AS delta FROM new_rows",
}


def _pg_apply(changes: str) -> str:
    # ORDER BY: rows are locked in one order by every writer, so two writers sharing a slot cannot deadlock.
    return f"""
        INSERT INTO {QUEUES} AS c (status, slot, count)
            SELECT status, my_slot, sum(delta) FROM ({changes}) AS d
            GROUP BY status HAVING sum(delta) <> 0 ORDER BY status
            ON CONFLICT (status, slot) DO UPDATE SET count = c.count + EXCLUDED.count;
        INSERT INTO {QUARTERS} AS c (status, quarter, slot, count)
            SELECT status, quarter, my_slot, sum(delta)
            FROM (SELECT status, {PG_QUARTER} AS quarter, delta FROM ({changes}) AS d0) AS d
            GROUP BY quarter, status HAVING sum(delta) <> 0 ORDER BY quarter, status
            ON CONFLICT (quarter, status, slot) DO UPDATE SET count = c.count + EXCLUDED.count;"""


PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION comments_count_queues() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE
    my_slot smallint := pg_backend_pid() % {PG_SLOTS};
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM {QUEUES};
        DELETE FROM {QUARTERS};
    ELSIF TG_OP = 'INSERT' THEN{_pg_apply(PG_CHANGES["INSERT"])}
    ELSIF TG_OP = 'DELETE' THEN{_pg_apply(PG_CHANGES["DELETE"])}
    ELSE
        -- An update adds -1 for each old row and +1 for each new one; where nothing moved the sums are zero and
        -- nothing is written. (No join of old and new rows: transition tables have no index to join on.)
        {_pg_apply(PG_CHANGES["UPDATE"])}
    END IF;
    RETURN NULL;
END
$body$;
"""

PG_TRIGGERS = [
    ("comments_count_insert", "AFTER INSERT", "REFERENCING NEW TABLE AS new_rows"),
    ("comments_count_update", "AFTER UPDATE", "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("comments_count_delete", "AFTER DELETE", "REFERENCING OLD TABLE AS old_rows"),
    ("comments_count_truncate", "AFTER TRUNCATE", ""),
]


def _sqlite_add(row: str, delta: int) -> str:
    quarter = SQLITE_QUARTER.format(row=row)
    if delta > 0:
        return f"""
            INSERT INTO {QUEUES} (status, slot, count) VALUES ({row}.status, 0, 1)
                ON CONFLICT (status, slot) DO UPDATE SET count = count + 1;
            INSERT INTO {QUARTERS} (status, quarter, slot, count) VALUES ({row}.status, {quarter}, 0, 1)
                ON CONFLICT (quarter, status, slot) DO UPDATE SET count = count + 1;"""
    # A missing row already reads as zero (the counters were emptied first, as a test database flush may do).
    return f"""
            UPDATE {QUEUES} SET count = count - 1 WHERE status = {row}.status AND slot = 0;
            UPDATE {QUARTERS} SET count = count - 1 WHERE status = {row}.status AND quarter = {quarter} AND slot = 0;"""


SQLITE_TRIGGERS = [
    ("comments_count_insert", "AFTER INSERT", _sqlite_add("NEW", 1)),
    ("comments_count_delete", "AFTER DELETE", _sqlite_add("OLD", -1)),
    (
        "comments_count_update",
        "AFTER UPDATE OF status, submitted_at",
        "WHEN OLD.status IS NOT NEW.status OR OLD.submitted_at IS NOT NEW.submitted_at BEGIN"
        + _sqlite_add("OLD", -1)
        + _sqlite_add("NEW", 1),
    ),
]


def install(connection: BaseDatabaseWrapper) -> None:
    """Create (or replace) the counting triggers on this database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_FUNCTION)
            for name, event, referencing in PG_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {COMMENTS}")
                cursor.execute(
                    f"CREATE TRIGGER {name} {event} ON {COMMENTS} {referencing} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION comments_count_queues()"
                )
        elif connection.vendor == "sqlite":
            for name, event, body in SQLITE_TRIGGERS:
                begin = "" if body.startswith("WHEN") else "BEGIN"
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"CREATE TRIGGER {name} {event} ON {COMMENTS} FOR EACH ROW {begin} {body} END")


def reinstall_after_migrate(*, using: str, **kwargs) -> None:
    """post_migrate receiver: put the triggers back if a migration rebuilt the comment table."""
    connection = connections[using]
    if {COMMENTS, QUEUES, QUARTERS} <= set(connection.introspection.table_names()):
        install(connection)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, _, _ in PG_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {COMMENTS}")
            cursor.execute("DROP FUNCTION IF EXISTS comments_count_queues()")
        elif connection.vendor == "sqlite":
            for name, _, _ in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def recount(connection: BaseDatabaseWrapper) -> None:
    """Rebuild both counter tables from the comments, in the caller's transaction.

    On PostgreSQL the comment table is locked against writes meanwhile (reads go on), so no change slips
    between the count and the triggers.
    """
    quarter = PG_QUARTER if connection.vendor == "postgresql" else SQLITE_QUARTER.format(row=COMMENTS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {COMMENTS} IN SHARE MODE")
        cursor.execute(f"DELETE FROM {QUEUES}")
        cursor.execute(f"DELETE FROM {QUARTERS}")
        cursor.execute(
            f"INSERT INTO {QUEUES} (status, slot, count) SELECT status, 0, count(*) FROM {COMMENTS} GROUP BY status"
        )
        cursor.execute(
            f"INSERT INTO {QUARTERS} (status, quarter, slot, count) "
            f"SELECT status, {quarter}, 0, count(*) FROM {COMMENTS} GROUP BY 1, 2"
        )
