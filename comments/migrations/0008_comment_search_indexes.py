"""Indexes for the moderators' search on PostgreSQL: trigram GIN indexes for "contains, ignoring case" on the text,
the name and the email, and a text-prefix index for "IP address starts with".

The admin's search asks for UPPER(column) LIKE UPPER('%word%') and UPPER(HOST(ip_address)) LIKE '10.0.3.%'; these
indexes are on exactly those expressions. Built CONCURRENTLY (so the migration is not atomic): adding them to a
table of millions does not block posting. SQLite has neither pg_trgm nor the need; there this does nothing.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "comment_body_trgm_idx": "USING gin (UPPER(body) gin_trgm_ops)",
    "comment_name_trgm_idx": "USING gin (UPPER(author_name::text) gin_trgm_ops)",
    "comment_email_trgm_idx": "USING gin (UPPER(author_email::text) gin_trgm_ops)",
    "comment_ip_prefix_idx": "(UPPER(HOST(ip_address)) text_pattern_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON comments_comment {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("comments", "0007_queue_counts_and_queue_indexes"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create, drop),
    ]
