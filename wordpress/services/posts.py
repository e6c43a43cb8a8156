"""Posts: each WordPress post as an `Article` with its bylines, section, tags, old addresses, featured image and
comments, in the one transaction `entries.import_item` opens."""

from datetime import datetime
from urllib.parse import unquote

from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, Byline
from articles.sanitize import clean_html
from articles.search import refresh_search_vectors
from wordpress import images, markup, wxr
from wordpress.models import WordPressObject
from wordpress.services.authors import author_for, guest_author_for
from wordpress.services.comments import import_comments
from wordpress.services.featured import apply_image
from wordpress.services.prepared import PINGS, Prepared, comment_row
from wordpress.services.records import Kind, commit_without_waiting, find_mapping, mapped
from wordpress.services.redirects import import_legacy_paths
from wordpress.services.run import ImportRun
from wordpress.services.terms import default_section, section_for, tag_for
from wordpress.services.values import aware, whole_number

# WordPress's post statuses; the ones not listed (trash, auto-draft, inherit) are skipped.
POST_STATUSES = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.REVIEW,
    "private": Article.Status.DRAFT,
}


def _status_and_date(item: wxr.Item) -> tuple[str | None, datetime | None]:
    status = POST_STATUSES.get(item.status)
    if status is None:
        return None, None
    when = aware(item.post_date_gmt, item.post_date)
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
            ids.append(guest_author_for(run, nicename=term.slug, name=term.name))
    if not ids and item.creator:
        ids.append(author_for(run, login=item.creator))
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


def import_post(run: ImportRun, item: wxr.Item, prepared: Prepared) -> str:
    status, published_at = _status_and_date(item)
    if status is None:
        run.tally["posts", "skipped"] += 1
        run.notes[f"posts skipped as {item.status or 'without status'}"] += 1
        return "skipped"
    digest = prepared.digest
    mapping = find_mapping(run, Kind.POST, wp_id=item.wp_id)
    article = mapped(Article, mapping)
    # Unchanged, unless this run has the uploads to bring over images an earlier run could not.
    if article is not None and mapping.digest == digest and not (run.media_dir and mapping.data.get("images_left")):
        run.tally["posts", "unchanged"] += 1
        for comment in item.comments:
            if comment.type not in PINGS:
                run.tally[comment_row(comment), "unchanged"] += 1
        return "unchanged"

    commit_without_waiting()
    section_id = None
    tag_ids = []
    for term in item.terms:
        if term.domain == "category" and section_id is None:
            section_id = section_for(run, slug=term.slug, name=term.name)
        elif term.domain == "category":
            tag_ids.append(tag_for(run, slug=term.slug, name=term.name))
        elif term.domain == "post_tag":
            tag_ids.append(tag_for(run, slug=term.slug, name=term.name))
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
        "section_id": section_id or default_section(run),
        "status": status,
        "published_at": published_at,
    }
    if article is None:
        created_at = published_at or aware(item.post_date_gmt, item.post_date) or timezone.now()
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
    featured = whole_number(item.meta_value("_thumbnail_id")) or None
    mapping = mapping or WordPressObject(site=run.site, kind=Kind.POST, wp_id=item.wp_id)
    mapping.object_id, mapping.digest, mapping.featured_wp_id = article.pk, digest, featured
    mapping.data, mapping.imported_at = data, timezone.now()
    mapping.save()
    import_legacy_paths(run, item, article)
    if featured:
        attachment = find_mapping(run, Kind.ATTACHMENT, wp_id=featured)
        if attachment is not None:
            apply_image(run, article, attachment)
        # Otherwise the attachment comes later in the file and is applied then.
    import_comments(run, item, article, prepared)
    return outcome
