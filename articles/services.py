"""Editorial state changes, shared by the admin's actions and anything else that publishes.

Each change goes through `Article.save()`, so a moved address gets its redirect and the page cache's receivers
(articles/cache.py) drop cached copies of the article, and inside a revision (django-reversion), so the history
screen shows who did it and when.
"""

from contextlib import contextmanager
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import PurePosixPath

import reversion
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image, ImageOps
from reversion.models import Version

from articles.models import (
    Article,
    ArticleDraft,
    ArticleImage,
    ArticleLock,
    ArticleQuerySet,
    Author,
    Byline,
    EditorialNote,
)
from articles.revisions import RESTORED_FIELDS, followed


@contextmanager
def revision(*, user: AbstractBaseUser | None, comment: str):
    with reversion.create_revision():
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        reversion.set_comment(comment)
        yield


def publish_articles(*, articles: ArticleQuerySet, at: datetime | None = None, user=None) -> int:
    """Publish now, or schedule for `at`; returns how many articles changed.

    Publishing now keeps a past publication time, so an article taken down and put back returns at its old
    address; a scheduled one goes out at once. A time in the future schedules: the article stays off every
    public page until then, with no job to run because `Article.objects.published()` compares with the clock.
    """
    now = timezone.now()
    changed = 0
    comment = f"Scheduled for {timezone.localtime(at):%Y-%m-%d %H:%M}" if at is not None else "Published"
    with revision(user=user, comment=comment):
        for article in _locked(articles):
            if at is not None:
                published_at = at
            elif article.published_at is None or article.published_at > now:
                published_at = now
            else:
                published_at = article.published_at
            if article.status == Article.Status.PUBLISHED and article.published_at == published_at:
                continue
            article.status = Article.Status.PUBLISHED
            article.published_at = published_at
            article.save()
            changed += 1
    return changed


def unpublish_articles(*, articles: ArticleQuerySet, user=None) -> int:
    """Take articles off the public site (their pages answer 404); they keep their publication time."""
    return _set_status(
        articles=articles.filter(status=Article.Status.PUBLISHED), status=Article.Status.UNPUBLISHED, user=user
    )


def submit_for_review(*, articles: ArticleQuerySet, user=None) -> int:
    """Hand drafts to the editors."""
    return _set_status(articles=articles.filter(status=Article.Status.DRAFT), status=Article.Status.REVIEW, user=user)


def _set_status(*, articles: ArticleQuerySet, status: str, user) -> int:
    changed = 0
    with revision(user=user, comment=f"Status: {Article.Status(status).label}"):
        for article in _locked(articles):
            article.status = status
            article.save(update_fields=["status", "updated_at"])
            changed += 1
    return changed


def _locked(articles: ArticleQuerySet) -> ArticleQuerySet:
    # Lock plain rows: the admin's querysets may carry joins or EXISTS filters that FOR UPDATE refuses.
    return Article.objects.select_for_update().filter(pk__in=list(articles.values_list("pk", flat=True)))


def add_note(*, article: Article, user, text: str, kind: str = EditorialNote.Kind.NOTE) -> EditorialNote:
    return EditorialNote.objects.create(article=article, author=user, text=text.strip(), kind=kind)


def restore_version(*, article: Article, version: Version, user) -> Article:
    """Bring back a revision's words, picture, bylines and corrections as a new revision; status and publication
    time stay as they are (restoring a published article's text does not take it down)."""
    fields = version.field_dict
    kept = followed([version], article.pk)[version.revision_id]
    when = timezone.localtime(version.revision.date_created)
    with revision(user=user, comment=f"Restored the version from {when:%Y-%m-%d %H:%M}"):
        locked = Article.objects.select_for_update().get(pk=article.pk)
        for name in RESTORED_FIELDS:
            if name == "section":
                locked.section_id = fields.get("section_id", fields.get("section"))
            elif name in fields:
                setattr(locked, name, fields[name])
        if not locked.published_at and fields.get("slug"):
            locked.slug = fields["slug"]  # the address is frozen once published
        locked.save()
        if "tags" in fields:
            locked.tags.set(fields["tags"])
        for model, rows in kept.items():
            # As they were: rows added since go, removed ones come back with their own ids, edited ones revert.
            # Deleting first keeps the one-byline-per-author constraint from tripping over a reordering.
            model.objects.filter(article=locked).delete()
            if model is Byline:
                # An author deleted since can no longer be credited.
                authors = set(
                    Author.objects.filter(pk__in=[row["author_id"] for row in rows]).values_list("pk", flat=True)
                )
                rows = [row for row in rows if row["author_id"] in authors]
            for row in rows:
                # One by one, so the page cache and the search index hear of each (bulk_create sends no signals).
                model(**{**row, "article_id": locked.pk}).save(force_insert=True)
    return locked


# --- Autosave ---------------------------------------------------------------------------------------------

AUTOSAVED_FIELDS = ("headline", "dek", "body")


def autosave(*, user, article: Article | None, data: dict, base_version: int | None) -> datetime:
    """Keep what someone typed as their pending draft of the article (or of their new article): readers see
    nothing of it until the article itself is saved. Returns when it was kept."""
    saved_at = timezone.now()
    values = {name: str(data.get(name, ""))[:200_000] for name in AUTOSAVED_FIELDS}
    fields = {"data": values, "saved_at": saved_at, "base_version": base_version or 0}
    # Nearly every autosave replaces the person's existing draft: one UPDATE, with no row read and no
    # transaction around it (the UPDATE locks the row itself, so two racing saves of one draft queue up).
    if ArticleDraft.objects.for_user(user, article).update(**fields):
        return saved_at
    try:
        with transaction.atomic():
            ArticleDraft.objects.create(user=user, article=article, **fields)
    except IntegrityError:
        # Two autosaves of one draft raced to create it: the other one made it, this one updates it.
        ArticleDraft.objects.for_user(user, article).update(**fields)
    return saved_at


def discard_draft(*, user, article: Article | None) -> None:
    """The person chose to drop their autosaved text (or saved the article, which now holds it)."""
    ArticleDraft.objects.for_user(user, article).delete()


# --- Edit locks ---------------------------------------------------------------------------------------------


def touch_lock(*, article: Article, user, take: bool = False) -> ArticleLock:
    """Take the article's edit lock if it is free, stale or `take` is set; keep it alive if it is ours.

    Returns the lock as it stands: someone else's if they hold it and `take` is not set.
    """
    now = timezone.now()
    expired = now - timedelta(seconds=settings.ARTICLE_LOCK_SECONDS)
    with transaction.atomic():
        lock = ArticleLock.objects.select_for_update().filter(article=article).first()
        if lock is None:
            try:
                with transaction.atomic():
                    return ArticleLock.objects.create(article=article, user=user, since=now, heartbeat_at=now)
            except IntegrityError:
                lock = ArticleLock.objects.select_for_update().get(article=article)
        if lock.user_id == user.pk:
            lock.heartbeat_at = now
            lock.save(update_fields=["heartbeat_at"])
        elif take or lock.heartbeat_at < expired:
            lock.user, lock.since, lock.heartbeat_at = user, now, now
            lock.save(update_fields=["user", "since", "heartbeat_at"])
        return lock


def keep_lock_alive(*, article: Article, user) -> bool:
    """The page's heartbeat: if this person holds the article's lock, keep it alive in one UPDATE and say so.

    Anything else (no lock, someone else's, a take-over) goes through `touch_lock`.
    """
    return bool(ArticleLock.objects.filter(article=article, user=user).update(heartbeat_at=timezone.now()))


def release_lock(*, article: Article, user) -> None:
    ArticleLock.objects.filter(article=article, user=user).delete()


# --- Lead image renditions -----------------------------------------------------------------------------------


def make_lead_renditions(*, article: Article) -> dict:
    """Resize the lead image once, at upload (see `make_renditions`); the paths go on the article."""
    renditions = make_renditions(article.lead_image) if article.lead_image else {}
    Article.objects.filter(pk=article.pk).update(lead_image_renditions=renditions)
    article.lead_image_renditions = renditions
    return renditions


def make_renditions(photo) -> dict:
    """Resize an uploaded photo to each width in `ARTICLE_LEAD_IMAGE_WIDTHS` (never enlarging), as WebP and as a
    JPEG fallback, next to the original: {"480": {"webp": path, "jpeg": path, "height": 320}, ...}."""
    storage = photo.storage
    stem = PurePosixPath(photo.name)
    with photo.open("rb") as source:
        image = ImageOps.exif_transpose(Image.open(source))
        image.load()
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    renditions = {}
    widths = sorted({min(width, image.width) for width in settings.ARTICLE_LEAD_IMAGE_WIDTHS})
    for width in widths:
        height = round(image.height * width / image.width)
        resized = image if width == image.width else image.resize((width, height), Image.Resampling.LANCZOS)
        paths = {}
        for fmt, ext in (("WEBP", "webp"), ("JPEG", "jpg")):
            buffer = BytesIO()
            resized.save(buffer, fmt, quality=82)
            name = str(stem.parent / "renditions" / f"{stem.stem}-{width}.{ext}")
            paths["webp" if ext == "webp" else "jpeg"] = storage.save(name, ContentFile(buffer.getvalue()))
        renditions[str(width)] = {**paths, "height": height}
    return renditions


def add_article_image(*, article: Article, user, image, alt: str, caption: str = "", credit: str = "") -> ArticleImage:
    """Keep a photo uploaded to an article, with its renditions, for the reporter to place in the text."""
    photo = ArticleImage(
        article=article, image=image, alt=alt.strip(), caption=caption.strip(), credit=credit.strip(), uploaded_by=user
    )
    photo.full_clean()
    photo.save()
    photo.renditions = make_renditions(photo.image)
    ArticleImage.objects.filter(pk=photo.pk).update(renditions=photo.renditions)
    return photo


def change_article_image(*, photo: ArticleImage, alt: str, caption: str = "", credit: str = "") -> ArticleImage:
    """Correct an upload's alt text, caption and credit. Figures already in the text keep the words they were
    placed with: the reporter edits those in the text."""
    photo.alt, photo.caption, photo.credit = alt.strip(), caption.strip(), credit.strip()
    photo.full_clean(exclude=["image"])
    photo.save(update_fields=["alt", "caption", "credit"])
    return photo


class PhotoInUse(Exception):
    """The photo is in the article's text, saved or autosaved: removing it would leave a broken picture."""


def remove_article_image(*, photo: ArticleImage, user) -> None:
    """Delete an upload the article's text does not use, and its files (the original and the renditions), and
    say so in the article's history. Raises `PhotoInUse` if the saved body or anyone's pending autosave of the
    article shows it."""
    with transaction.atomic():
        # The article row is locked, as a save of the article locks it to check its version: a save cannot place
        # the photo while it goes.
        article = Article.objects.select_for_update().get(pk=photo.article_id)
        drafts = ArticleDraft.objects.filter(article=article).values_list("data", flat=True)
        bodies = [article.body, *(str(data.get("body", "")) for data in drafts if isinstance(data, dict))]
        if any(photo.appears_in(body) for body in bodies):
            raise PhotoInUse("This photo is in the text; take it out of the text first.")
        storage, names = photo.image.storage, photo.file_names()
        with revision(user=user, comment=f"Removed photo: {photo.alt}"):
            reversion.add_to_revision(article)
        photo.delete()

        def delete_files():
            for name in names:
                storage.delete(name)

        # The files go once the row is gone for good; a rolled-back delete keeps them.
        transaction.on_commit(delete_files)


def set_revision_comment(comment: str) -> None:
    """Say what changed on the revision being recorded (the admin's change message), if one is."""
    if reversion.is_active():
        reversion.set_comment(comment)
