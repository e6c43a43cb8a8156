"""Authors: WordPress users, and Co-Authors Plus guest authors, as `Author`s credited by name (no login account)."""

from urllib.parse import unquote

from django.db import transaction
from django.utils.text import slugify

from articles.models import Author
from wordpress import markup, wxr
from wordpress.services.records import Kind, at_slug, find_mapping, found_or_created, mapped, remember_mapping, rename
from wordpress.services.run import ImportRun

GUEST_PREFIX = "cap-"


def import_author(*, run: ImportRun, author: wxr.Author) -> None:
    """An author of the site (`<wp:author>`): an `Author` credited by name, no login account."""
    if not author.login:
        return
    with transaction.atomic():
        author_for(run, login=author.login, name=author.name, wp_id=author.wp_id, declared=True)


def author_for(run: ImportRun, *, login: str, name: str = "", wp_id: int | None = None, declared: bool = False) -> int:
    key = login[:200]
    if (pk := run.known(Kind.AUTHOR, key)) is not None and not name:
        return pk
    mapping = find_mapping(run, Kind.AUTHOR, key=key)
    author = mapped(Author, mapping)
    if author is not None and not name:
        # Named only by an item's creator: whatever name the author was given stays.
        run.remember(Kind.AUTHOR, key, author.pk)
        return author.pk
    name = (name or login)[:150]
    if author is not None:
        rename(run, "authors", author, mapping, name, declared=declared)
    else:
        # An Author already at this slug is taken to be the same person (set up before the import).
        found = at_slug(Author, slugify(login)[:150] or slugify(name)[:150])
        author = found_or_created(
            run, "authors", Author, found, name=name, slug_from=login, fallback=name, limit=150, declared=declared
        )
    remember_mapping(run, Kind.AUTHOR, pk=author.pk, key=key, wp_id=wp_id, data={"name": name})
    run.remember(Kind.AUTHOR, key, author.pk)
    return author.pk


def guest_name(name: str, description: str) -> str:
    # Co-Authors Plus writes "Display Name First Last login id email" into the term description; the term's
    # own name is the display name, except in old versions where it was the login.
    return name or description.split(" ")[0]


def guest_author_for(run: ImportRun, *, nicename: str, name: str, declared: bool = False) -> int:
    key = nicename[:200]
    if (pk := run.known(Kind.GUEST_AUTHOR, key)) is not None:
        return pk
    login = nicename.removeprefix(GUEST_PREFIX)
    # A co-author who is a WordPress user is that user's Author.
    if (pk := run.known(Kind.AUTHOR, login)) is not None or find_mapping(run, Kind.AUTHOR, key=login):
        pk = author_for(run, login=login)
    else:
        found = mapped(Author, find_mapping(run, Kind.GUEST_AUTHOR, key=key))
        found = found or at_slug(Author, slugify(unquote(login))[:150])
        display = (name or login)[:150]
        author = found_or_created(
            run, "authors", Author, found, name=display, slug_from=login, fallback=name, limit=150, declared=declared
        )
        pk = author.pk
    remember_mapping(run, Kind.GUEST_AUTHOR, pk=pk, key=key)
    run.remember(Kind.GUEST_AUTHOR, key, pk)
    return pk


def import_guest_author_profile(run: ImportRun, item: wxr.Item) -> None:
    """Co-Authors Plus keeps a guest author's name and bio on a `guest-author` post."""
    login = item.meta_value("cap-user_login") or item.post_name.removeprefix(GUEST_PREFIX)
    if not login:
        return
    name = (item.meta_value("cap-display_name") or item.title or login)[:150]
    pk = guest_author_for(run, nicename=GUEST_PREFIX + login, name=name)
    bio = markup.plain_text(item.meta_value("cap-description"))
    author = Author.objects.get(pk=pk)
    changed = [name_ for name_, value in (("name", name), ("bio", bio)) if value and getattr(author, name_) != value]
    mapping = find_mapping(run, Kind.GUEST_AUTHOR, key=GUEST_PREFIX + login)
    if changed and mapping.data.get("profile") != [name, bio]:
        for name_ in changed:
            setattr(author, name_, {"name": name, "bio": bio}[name_])
        author.save(update_fields=changed)
        run.tally["authors", "updated"] += 1
    mapping.data = {"profile": [name, bio]}
    mapping.save(update_fields=["data"])
