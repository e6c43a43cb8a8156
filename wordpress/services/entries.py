"""Each entry of an export handed to what writes it, one transaction an item."""

from collections.abc import Iterable

from django.db import transaction

from wordpress import images, wxr
from wordpress.services.authors import import_author, import_guest_author_profile
from wordpress.services.featured import import_attachment
from wordpress.services.posts import import_post
from wordpress.services.prepared import Prepared, prepare
from wordpress.services.records import keep_statistics
from wordpress.services.run import ImportRun
from wordpress.services.terms import import_term


def import_site(*, run: ImportRun, site: wxr.Site) -> None:
    run.site = site.key[:200]
    run.hosts = images.site_hosts(site.link, site.base_site_url, site.base_blog_url)


def import_item(*, run: ImportRun, item: wxr.Item, prepared: Prepared | None = None) -> str:
    """Import one `<item>` with its comments in one transaction; returns what happened to it."""
    if item.post_type == "post":
        with transaction.atomic():
            outcome = import_post(run, item, prepared or prepare(item))
        if outcome in ("created", "updated"):
            keep_statistics(run)
        return outcome
    if item.post_type == "attachment":
        with transaction.atomic():
            import_attachment(run, item)
        return "attachment"
    if item.post_type == "guest-author":
        with transaction.atomic():
            import_guest_author_profile(run, item)
        return "guest author"
    run.notes[f"{item.post_type or 'untyped'} items skipped (only posts are imported)"] += 1
    return "skipped"


def import_entries(*, run: ImportRun, entries: Iterable[wxr.Entry]) -> None:
    """Everything in an export, in file order (what the management command does, without the progress)."""
    for entry in entries:
        import_entry(run=run, entry=entry)


def import_entry(*, run: ImportRun, entry: wxr.Entry, prepared: Prepared | None = None) -> str:
    if isinstance(entry, wxr.Site):
        import_site(run=run, site=entry)
        return "site"
    if isinstance(entry, wxr.Author):
        import_author(run=run, author=entry)
        return "author"
    if isinstance(entry, wxr.Term):
        import_term(run=run, term=entry)
        return "term"
    return import_item(run=run, item=entry, prepared=prepared)
