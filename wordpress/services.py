"""Writing a WordPress export into Newsroom, one entry of `wordpress.wxr.read_export` at a time.

Each post is written with its comments in one transaction, and every WordPress object is remembered in
`WordPressObject`, so running the same file again updates in place and creates nothing twice, and an import
stopped half-way picks up where it stopped. A post whose content and comments have not changed since it was
last imported (its digest) is left alone, which also makes a resumed run skip quickly over what is done.

What the file says wins only for what changed in WordPress since the last import: an editor's later changes in
Newsroom to an author's name or to an article survive a rerun of the same file.
"""

import ipaddress
import multiprocessing
import signal
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from psycopg.types.json import Jsonb

from articles.models import Article, Author, Byline, Section, Tag
from articles.sanitize import clean_html
from articles.search import refresh_search_vectors
from comments.counters import sync_article_counts
from comments.models import PATH_STEP, Comment
from comments.text import comment_markers
from wordpress import images, markup, wxr
from wordpress.models import LegacyPath, WordPressObject

Kind = WordPressObject.Kind

# WordPress's post statuses; the ones not listed (trash, auto-draft, inherit) are skipped.
POST_STATUSES = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.REVIEW,
    "private": Article.Status.DRAFT,
}
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
GUEST_PREFIX = "cap-"
COMMENT_FIELDS = ["author_name", "author_email", "author_url", "body", "status", "submitted_at", "ip_address"]
BATCH = 500


@dataclass
class ImportRun:
    """One run of the importer: where the files are, and what it has done so far (for the summary)."""

    site: str = ""
    hosts: frozenset[str] = frozenset()  # the old site's host names, for its links and images
    written: int = 0  # posts created or updated so far (see _keep_statistics)
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


def import_site(*, run: ImportRun, site: wxr.Site) -> None:
    run.site = site.key[:200]
    run.hosts = images.site_hosts(site.link, site.base_site_url, site.base_blog_url)


def import_author(*, run: ImportRun, author: wxr.Author) -> None:
    """An author of the site (`<wp:author>`): an `Author` credited by name, no login account."""
    if not author.login:
        return
    with transaction.atomic():
        _author_for(run, login=author.login, name=author.name, wp_id=author.wp_id, declared=True)


def import_term(*, run: ImportRun, term: wxr.Term) -> None:
    """A category becomes a section, a tag a tag, a Co-Authors Plus author term a guest author."""
    with transaction.atomic():
        if term.taxonomy == "category":
            _section_for(
                run, slug=term.slug, name=term.name, wp_id=term.wp_id, description=term.description, declared=True
            )
        elif term.taxonomy == "post_tag":
            _tag_for(run, slug=term.slug, name=term.name, wp_id=term.wp_id, declared=True)
        elif term.taxonomy == "author" and term.slug:
            _guest_author_for(run, nicename=term.slug, name=_guest_name(term.name, term.description), declared=True)


def import_item(*, run: ImportRun, item: wxr.Item, prepared: "Prepared | None" = None) -> str:
    """Import one `<item>` with its comments in one transaction; returns what happened to it."""
    if item.post_type == "post":
        with transaction.atomic():
            outcome = _import_post(run, item, prepared or prepare(item))
        if outcome in ("created", "updated"):
            _keep_statistics(run)
        return outcome
    if item.post_type == "attachment":
        with transaction.atomic():
            _import_attachment(run, item)
        return "attachment"
    if item.post_type == "guest-author":
        with transaction.atomic():
            _import_guest_author_profile(run, item)
        return "guest author"
    run.notes[f"{item.post_type or 'untyped'} items skipped (only posts are imported)"] += 1
    return "skipped"


def _keep_statistics(run: ImportRun) -> None:
    """ANALYZE the tables an import fills, after its 1st, 2nd, 4th, 8th... post written.

    An import grows the tables faster than autovacuum gathers statistics (when it runs at all). Without them
    PostgreSQL takes the import records as tiny and looks a post's comments up by site and kind alone, filtering
    the ids: a scan of every comment imported so far, for each post. Doubling keeps it to a few dozen ANALYZEs
    (each reads a sample of the table) for any size of export.
    """
    run.written += 1
    if connection.vendor != "postgresql" or run.written & (run.written - 1):
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (WordPressObject, Comment, LegacyPath))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def _commit_without_waiting() -> None:
    """Let PostgreSQL acknowledge this transaction's commit before its WAL reaches the disk.

    A post's commit would otherwise wait for a disk flush, thousands of times in an import. The risk is only that
    a crash of the database server forgets the last fraction of a second of commits, whole transactions at a time:
    those posts are then simply not imported yet, and the next run imports them (see the module's docstring).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def summary_rows(run: ImportRun) -> list[tuple[str, list[int]]]:
    return [(row, [run.tally[row, column] for column in SUMMARY_COLUMNS]) for row in SUMMARY_ROWS]


# --- Authors, sections, tags ---------------------------------------------------------------------------------


def _mapping(run: ImportRun, kind: str, *, wp_id: int | None = None, key: str = "") -> WordPressObject | None:
    objects = WordPressObject.objects.filter(site=run.site, kind=kind)
    return (objects.filter(key=key) if key else objects.filter(wp_id=wp_id)).first()


def _remember_mapping(
    run: ImportRun, kind: str, *, pk: int, wp_id: int | None = None, key: str = "", data: dict | None = None
) -> None:
    lookup = {"key": key} if key else {"wp_id": wp_id}
    defaults = {"object_id": pk, "imported_at": timezone.now()}
    if key and wp_id is not None:
        defaults["wp_id"] = wp_id
    if data is not None:
        defaults["data"] = data
    WordPressObject.objects.update_or_create(site=run.site, kind=kind, **lookup, defaults=defaults)


def _unique_slug(model, base: str, *, fallback: str, limit: int) -> str:
    slug = (slugify(unquote(base)) or slugify(fallback) or "item")[:limit]
    candidate, n = slug, 2
    while model.objects.filter(slug=candidate).exists():
        candidate = f"{slug[: limit - len(str(n)) - 1]}-{n}"
        n += 1
    return candidate


def _author_for(run: ImportRun, *, login: str, name: str = "", wp_id: int | None = None, declared: bool = False) -> int:
    key = login[:200]
    if (pk := run.known(Kind.AUTHOR, key)) is not None and not name:
        return pk
    mapping = _mapping(run, Kind.AUTHOR, key=key)
    author = Author.objects.filter(pk=mapping.object_id).first() if mapping else None
    if author is not None and not name:
        # Named only by an item's creator: whatever name the author was given stays.
        run.remember(Kind.AUTHOR, key, author.pk)
        return author.pk
    name = (name or login)[:150]
    if author is not None:
        if mapping.data.get("name") != name and author.name != name:
            author.name = name
            author.save(update_fields=["name"])
            run.tally["authors", "updated"] += 1
        else:
            run.tally["authors", "unchanged"] += declared
    else:
        # An Author already at this slug is taken to be the same person (set up before the import).
        slug = slugify(login)[:150] or slugify(name)[:150]
        author = Author.objects.filter(slug=slug).first() if slug else None
        if author is None:
            author = Author.objects.create(name=name, slug=_unique_slug(Author, login, fallback=name, limit=150))
            run.tally["authors", "created"] += 1
        else:
            run.tally["authors", "unchanged"] += declared
    _remember_mapping(run, Kind.AUTHOR, pk=author.pk, key=key, wp_id=wp_id, data={"name": name})
    run.remember(Kind.AUTHOR, key, author.pk)
    return author.pk


def _guest_name(name: str, description: str) -> str:
    # Co-Authors Plus writes "Display Name First Last login id email" into the term description; the term's
    # own name is the display name, except in old versions where it was the login.
    return name or description.split(" ")[0]


def _guest_author_for(run: ImportRun, *, nicename: str, name: str, declared: bool = False) -> int:
    key = nicename[:200]
    if (pk := run.known(Kind.GUEST_AUTHOR, key)) is not None:
        return pk
    login = nicename.removeprefix(GUEST_PREFIX)
    # A co-author who is a WordPress user is that user's Author.
    if (pk := run.known(Kind.AUTHOR, login)) is not None or _mapping(run, Kind.AUTHOR, key=login):
        pk = _author_for(run, login=login)
    else:
        mapping = _mapping(run, Kind.GUEST_AUTHOR, key=key)
        author = Author.objects.filter(pk=mapping.object_id).first() if mapping else None
        if author is None:
            slug = slugify(unquote(login))[:150]
            author = Author.objects.filter(slug=slug).first() if slug else None
        if author is None:
            author = Author.objects.create(
                name=(name or login)[:150], slug=_unique_slug(Author, login, fallback=name, limit=150)
            )
            run.tally["authors", "created"] += 1
        else:
            run.tally["authors", "unchanged"] += declared
        pk = author.pk
    _remember_mapping(run, Kind.GUEST_AUTHOR, pk=pk, key=key)
    run.remember(Kind.GUEST_AUTHOR, key, pk)
    return pk


def _import_guest_author_profile(run: ImportRun, item: wxr.Item) -> None:
    """Co-Authors Plus keeps a guest author's name and bio on a `guest-author` post."""
    login = item.meta_value("cap-user_login") or item.post_name.removeprefix(GUEST_PREFIX)
    if not login:
        return
    name = (item.meta_value("cap-display_name") or item.title or login)[:150]
    pk = _guest_author_for(run, nicename=GUEST_PREFIX + login, name=name)
    bio = markup.plain_text(item.meta_value("cap-description"))
    author = Author.objects.get(pk=pk)
    changed = [name_ for name_, value in (("name", name), ("bio", bio)) if value and getattr(author, name_) != value]
    mapping = _mapping(run, Kind.GUEST_AUTHOR, key=GUEST_PREFIX + login)
    if changed and mapping.data.get("profile") != [name, bio]:
        for name_ in changed:
            setattr(author, name_, {"name": name, "bio": bio}[name_])
        author.save(update_fields=changed)
        run.tally["authors", "updated"] += 1
    mapping.data = {"profile": [name, bio]}
    mapping.save(update_fields=["data"])


def _section_for(
    run: ImportRun, *, slug: str, name: str, wp_id: int | None = None, description: str = "", declared: bool = False
) -> int:
    key = slug[:200] or slugify(name)[:200]
    if (pk := run.known(Kind.CATEGORY, key)) is not None:
        return pk
    name = markup.plain_text(name)[:100] or key
    mapping = _mapping(run, Kind.CATEGORY, key=key)
    section = Section.objects.filter(pk=mapping.object_id).first() if mapping else None
    if section is not None:
        if mapping.data.get("name") != name and section.name != name and not Section.objects.filter(name=name).exists():
            section.name = name
            section.save(update_fields=["name"])
            run.tally["sections", "updated"] += 1
        else:
            run.tally["sections", "unchanged"] += declared
    else:
        wanted = slugify(unquote(key))[:100]
        section = Section.objects.filter(slug=wanted).first() if wanted else None
        section = section or Section.objects.filter(name=name).first()
        if section is None:
            section = Section.objects.create(
                name=name,
                slug=_unique_slug(Section, key, fallback=name, limit=100),
                description=markup.plain_text(description),
            )
            run.tally["sections", "created"] += 1
        else:
            run.tally["sections", "unchanged"] += declared
    _remember_mapping(run, Kind.CATEGORY, pk=section.pk, key=key, wp_id=wp_id, data={"name": name})
    run.remember(Kind.CATEGORY, key, section.pk)
    return section.pk


def _tag_for(run: ImportRun, *, slug: str, name: str, wp_id: int | None = None, declared: bool = False) -> int:
    key = slug[:200] or slugify(name)[:200]
    if (pk := run.known(Kind.TAG, key)) is not None:
        return pk
    name = markup.plain_text(name)[:100] or key
    mapping = _mapping(run, Kind.TAG, key=key)
    tag = Tag.objects.filter(pk=mapping.object_id).first() if mapping else None
    if tag is not None:
        run.tally["tags", "unchanged"] += declared
    else:
        wanted = slugify(unquote(key))[:100]
        tag = Tag.objects.filter(slug=wanted).first() if wanted else None
        tag = tag or Tag.objects.filter(name=name).first()
        if tag is None:
            tag = Tag.objects.create(name=name, slug=_unique_slug(Tag, key, fallback=name, limit=100))
            run.tally["tags", "created"] += 1
        else:
            run.tally["tags", "unchanged"] += declared
    _remember_mapping(run, Kind.TAG, pk=tag.pk, key=key, wp_id=wp_id, data={"name": name})
    run.remember(Kind.TAG, key, tag.pk)
    return tag.pk


def _default_section(run: ImportRun) -> int:
    return _section_for(run, slug="uncategorized", name="Uncategorized")


# --- Posts ---------------------------------------------------------------------------------------------------


def _aware(gmt: datetime | None, local: datetime | None) -> datetime | None:
    if gmt is not None:
        return gmt.astimezone(UTC)
    if local is not None:
        return timezone.make_aware(local, timezone.get_default_timezone())
    return None


def _status_and_date(item: wxr.Item) -> tuple[str | None, datetime | None]:
    status = POST_STATUSES.get(item.status)
    if status is None:
        return None, None
    when = _aware(item.post_date_gmt, item.post_date)
    if status == Article.Status.PUBLISHED and item.password:
        status = Article.Status.DRAFT
    if status == Article.Status.PUBLISHED:
        return status, when or timezone.now()
    return status, None


def _byline_author_ids(run: ImportRun, item: wxr.Item) -> list[int]:
    ids: list[int] = []
    # Co-Authors Plus lists every co-author, the post's own author included, in byline order.
    for term in item.terms:
        if term.domain == "author" and term.slug:
            ids.append(_guest_author_for(run, nicename=term.slug, name=term.name))
    if not ids and item.creator:
        ids.append(_author_for(run, login=item.creator))
    return list(dict.fromkeys(ids))


def _article_slug(item: wxr.Item, published_at: datetime | None, article_pk: int | None) -> str:
    slug = (slugify(unquote(item.post_name)) or slugify(markup.plain_text(item.title)) or f"post-{item.wp_id}")[:200]
    if published_at is None:
        return slug
    # Two articles with one slug on one day would share an address.
    taken = Article.objects.on_day(timezone.localdate(published_at)).filter(slug=slug).exclude(pk=article_pk)
    if taken.exists():
        slug = f"{slug[:190]}-{item.wp_id}"
    return slug


NOT_BROUGHT_OVER = "images in posts not brought over (no --media-dir): they still load from the old site"
MISSING_UPLOAD = "images in posts whose file is missing from --media-dir: they still load from the old site"


def _body(run: ImportRun, item: wxr.Item) -> tuple[str, int]:
    """The article body, and how many of its images were left at the old site for want of --media-dir."""
    body, outcome = images.bring_over_images(
        clean_html(markup.to_html(item.content)), hosts=run.hosts, media_dir=run.media_dir, dry_run=run.dry_run
    )
    left = outcome["not brought over"] + outcome["missing"]
    run.tally["images in posts", "created"] += outcome["created"]
    run.tally["images in posts", "unchanged"] += outcome["unchanged"]
    run.tally["images in posts", "skipped"] += left
    run.notes[NOT_BROUGHT_OVER] += outcome["not brought over"]
    run.notes[MISSING_UPLOAD] += outcome["missing"]
    return body, outcome["not brought over"]


def _import_post(run: ImportRun, item: wxr.Item, prepared: "Prepared") -> str:
    status, published_at = _status_and_date(item)
    if status is None:
        run.tally["posts", "skipped"] += 1
        run.notes[f"posts skipped as {item.status or 'without status'}"] += 1
        return "skipped"
    digest = prepared.digest
    mapping = _mapping(run, Kind.POST, wp_id=item.wp_id)
    article = Article.objects.filter(pk=mapping.object_id).first() if mapping else None
    # Unchanged, unless this run has the uploads to bring over images an earlier run could not.
    if article is not None and mapping.digest == digest and not (run.media_dir and mapping.data.get("images_left")):
        run.tally["posts", "unchanged"] += 1
        for comment in item.comments:
            if comment.type not in PINGS:
                run.tally[_comment_row(comment), "unchanged"] += 1
        return "unchanged"

    _commit_without_waiting()
    section_id = None
    tag_ids = []
    for term in item.terms:
        if term.domain == "category" and section_id is None:
            section_id = _section_for(run, slug=term.slug, name=term.name)
        elif term.domain == "category":
            tag_ids.append(_tag_for(run, slug=term.slug, name=term.name))
        elif term.domain == "post_tag":
            tag_ids.append(_tag_for(run, slug=term.slug, name=term.name))
    author_ids = _byline_author_ids(run, item)
    if item.status == "private":
        run.notes["private posts imported as drafts"] += 1
    if item.password and item.status in ("publish", "future"):
        run.notes["password-protected posts imported as drafts"] += 1
    if item.is_sticky:
        run.notes["sticky posts (Newsroom has no sticky flag: they are ordinary articles)"] += 1

    headline = markup.plain_text(item.title)
    if len(headline) > 200:
        run.notes["headlines shortened to 200 characters (the full title is kept in the import record)"] += 1
    dek = markup.plain_text(item.excerpt)
    if len(dek) > 300:
        run.notes["excerpts shortened to 300 characters for the dek (the full one is kept in the import record)"] += 1
    body, images_left = _body(run, item)
    values = {
        "headline": headline[:200] or f"Untitled ({item.wp_id})",
        "slug": _article_slug(item, published_at, article.pk if article else None),
        "dek": dek[:300],
        "body": body,
        "section_id": section_id or _default_section(run),
        "status": status,
        "published_at": published_at,
    }
    if article is None:
        created_at = published_at or _aware(item.post_date_gmt, item.post_date) or timezone.now()
        article = Article(created_at=created_at, **values)
        # Written without save() and its signals: the values above are complete, the search vector is computed
        # once the bylines are in (below) rather than twice, and the cache is dropped with the comment count.
        Article.objects.bulk_create([article])
        run.tally["posts", "created"] += 1
        outcome = "created"
    else:
        for name, value in values.items():
            setattr(article, name, value)
        article.save()
        run.tally["posts", "updated"] += 1
        outcome = "updated"

    tag_ids = list(dict.fromkeys(tag_ids))
    bylines = [Byline(article=article, author_id=pk, position=position) for position, pk in enumerate(author_ids)]
    new_bylines = outcome == "created"
    if outcome == "created":
        Byline.objects.bulk_create(bylines)
        Article.tags.through.objects.bulk_create(
            Article.tags.through(article_id=article.pk, tag_id=pk) for pk in tag_ids
        )
    else:
        if list(article.bylines.values_list("author_id", flat=True)) != author_ids:
            article.bylines.all().delete()
            Byline.objects.bulk_create(bylines)
            new_bylines = True
        article.tags.set(tag_ids)
    if new_bylines:
        # The search vector holds the byline names, and bulk_create sends no signal that would refresh it.
        refresh_search_vectors(articles=Article.objects.filter(pk=article.pk))

    data = {"images_left": images_left} if images_left else {}
    if len(headline) > 200:
        data["title"] = headline
    if len(dek) > 300:
        data["excerpt"] = dek
    featured = _int(item.meta_value("_thumbnail_id")) or None
    mapping = mapping or WordPressObject(site=run.site, kind=Kind.POST, wp_id=item.wp_id)
    mapping.object_id, mapping.digest, mapping.featured_wp_id = article.pk, digest, featured
    mapping.data, mapping.imported_at = data, timezone.now()
    mapping.save()
    _import_legacy_paths(run, item, article)
    if featured:
        attachment = _mapping(run, Kind.ATTACHMENT, wp_id=featured)
        if attachment is not None:
            _apply_image(run, article, attachment)
        # Otherwise the attachment comes later in the file and is applied then.
    _import_comments(run, item, article, prepared)
    return outcome


def _int(value: str) -> int:
    try:
        return int(value.strip())
    except (AttributeError, ValueError):
        return 0


# --- Old addresses -------------------------------------------------------------------------------------------


def _legacy_paths(item: wxr.Item) -> list[str]:
    """The post's old permalink path, and the same with each of its earlier slugs (`_wp_old_slug`)."""
    parts = urlsplit(item.link)
    if "p" in parse_qs(parts.query) or parts.path in ("", "/"):
        return []  # a plain permalink, /?p=ID, is answered from the post's id
    path = unquote(parts.path)
    paths = [path]
    name = unquote(item.post_name)
    segments = path.split("/")
    # The slug's place in the permalink structure (/%year%/%postname%/, /%postname%.html, ...): the last segment
    # that holds it.
    at = next((i for i in range(len(segments) - 1, -1, -1) if name and name in segments[i]), None)
    if at is not None:
        for old in item.meta.get("_wp_old_slug", []):
            old = unquote(old.strip())
            if old and old != name:
                segment = segments[at].replace(name, old, 1)
                paths.append("/".join([*segments[:at], segment, *segments[at + 1 :]]))
    return [p[:500] for p in dict.fromkeys(paths)]


def _import_legacy_paths(run: ImportRun, item: wxr.Item, article: Article) -> None:
    current = article.get_absolute_url()
    paths = [p for p in _legacy_paths(item) if p != current and quote(p) != current]
    if not paths:
        return
    existing = dict(LegacyPath.objects.filter(path__in=paths).values_list("path", "article_id"))
    new = [LegacyPath(path=p, article=article) for p in paths if p not in existing]
    moved = [p for p in paths if p in existing and existing[p] != article.pk]
    LegacyPath.objects.bulk_create(new)
    if moved:
        LegacyPath.objects.filter(path__in=moved).update(article=article)
    run.tally["redirects", "created"] += len(new)
    run.tally["redirects", "updated"] += len(moved)
    run.tally["redirects", "unchanged"] += len(paths) - len(new) - len(moved)


# --- Images --------------------------------------------------------------------------------------------------


def _credit(item: wxr.Item) -> str:
    # The Media Credit plugin's field, else the credit WordPress read from the photo's IPTC data (kept in a
    # PHP-serialized array: ...s:6:"credit";s:9:"AP Photo";...).
    if credit := item.meta_value("_media_credit"):
        return credit
    serialized = item.meta_value("_wp_attachment_metadata")
    marker = 's:6:"credit";s:'
    start = serialized.find(marker)
    if start < 0:
        return ""
    rest = serialized[start + len(marker) :]
    length, _, text = rest.partition(':"')
    return text.encode()[: _int(length)].decode(errors="ignore") if length.isdigit() else ""


def _import_attachment(run: ImportRun, item: wxr.Item) -> None:
    data = {
        "url": item.attachment_url,
        "file": item.meta_value("_wp_attached_file"),
        "caption": markup.plain_text(item.excerpt),
        "alt": markup.plain_text(item.meta_value("_wp_attachment_image_alt")),
        "credit": markup.plain_text(_credit(item)),
        "parent": item.post_parent,
    }
    parent = _mapping(run, Kind.POST, wp_id=item.post_parent) if item.post_parent else None
    mapping, _ = WordPressObject.objects.update_or_create(
        site=run.site,
        kind=Kind.ATTACHMENT,
        wp_id=item.wp_id,
        defaults={"data": data, "object_id": parent.object_id if parent else None, "imported_at": timezone.now()},
    )
    # Posts imported earlier in the file that have this as their featured image.
    waiting = WordPressObject.objects.filter(site=run.site, kind=Kind.POST, featured_wp_id=item.wp_id)
    for article in Article.objects.filter(pk__in=waiting.values("object_id")):
        _apply_image(run, article, mapping)


def _apply_image(run: ImportRun, article: Article, attachment: WordPressObject) -> None:
    data = attachment.data
    if run.media_dir is None:
        run.tally["images", "skipped"] += 1
        run.notes["featured images not brought over (no --media-dir; articles have no field for an image URL)"] += 1
        return
    relative = unquote(data.get("file") or urlsplit(data.get("url", "")).path.partition("/uploads/")[2])
    # The same copy as the post bodies' images: one file however many places show it.
    name = images.store_upload(relative, run.media_dir, dry_run=run.dry_run)[0] if relative else None
    if name is None:
        run.tally["images", "skipped"] += 1
        run.notes["featured images whose file is missing from --media-dir"] += 1
        return
    field = article.lead_image
    if field.name == name:
        outcome = "unchanged"
    elif run.dry_run:
        name, outcome = field.name, "created"  # nothing was copied for the article to point at
    else:
        outcome = "updated" if field.name else "created"
    changes = {
        "lead_image": name,
        "lead_image_caption": data.get("caption", "")[:300],
        "lead_image_credit": data.get("credit", "")[:150],
        "lead_image_alt": data.get("alt", "")[:200],
    }
    changed = [name_ for name_, value in changes.items() if getattr(article, name_) != value]
    if changed:
        for name_ in changed:
            setattr(article, name_, changes[name_])
        article.save(update_fields=[*changed, "updated_at"])
        if outcome == "unchanged":
            outcome = "updated"
    run.tally["images", outcome] += 1
    if attachment.object_id is None:
        WordPressObject.objects.filter(pk=attachment.pk).update(object_id=article.pk)


# --- Comments ------------------------------------------------------------------------------------------------


def _comment_status(comment: wxr.Comment) -> str:
    return COMMENT_STATUSES.get(comment.approved, Comment.Status.PENDING)


def _comment_row(comment: wxr.Comment) -> str:
    return f"comments: {_comment_status(comment)}"


def _ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _comment_values(comment: wxr.Comment, fallback_date: datetime | None) -> dict:
    return {
        "author_name": (markup.plain_text(comment.author) or "Anonymous")[:100],
        "author_email": comment.author_email.lower()[:254],
        "author_url": comment.author_url[:300],
        "body": markup.comment_text(comment.content),
        "status": _comment_status(comment),
        "submitted_at": _aware(comment.date_gmt, comment.date) or fallback_date,
        "ip_address": _ip(comment.author_ip),
    }


@dataclass(slots=True)
class Prepared:
    """What importing a post works out from the file alone, without the database: its digest and each comment's
    column values and moderation markers, each worked out once."""

    digest: str
    _values: dict[int, dict] = field(default_factory=dict)  # comment wp_id -> columns (submitted_at may be None)
    _markers: dict[int, tuple[str, str]] = field(default_factory=dict)

    def values(self, comment: wxr.Comment, fallback_date: datetime) -> dict:
        values = dict(self._values.get(comment.wp_id) or _comment_values(comment, None))
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
            values = _comment_values(comment, None)
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


def _import_comments(run: ImportRun, item: wxr.Item, article: Article, prepared: "Prepared") -> None:
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
        key=lambda c: (_aware(c.date_gmt, c.date) or article.created_at, c.wp_id),
    )
    if fresh:
        by_wp = {wp_id: (pk, rows[pk].thread_id, rows[pk].path) for wp_id, pk in imported.items()}
        _insert_comments(run, article, fresh, placements, by_wp, prepared)
    sync_article_counts([article.pk])


def _insert_comments(
    run: ImportRun, article: Article, fresh: list, placements: dict, by_wp: dict, prepared: "Prepared"
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


def import_entries(*, run: ImportRun, entries: Iterable[wxr.Entry]) -> None:
    """Everything in an export, in file order (what the management command does, without the progress)."""
    for entry in entries:
        import_entry(run=run, entry=entry)


def import_entry(*, run: ImportRun, entry: wxr.Entry, prepared: "Prepared | None" = None) -> str:
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
