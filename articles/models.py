from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from articles.sanitize import clean_html


class ImageSources(HTMLParser):
    """The address of each picture in a body, saved (sanitized) or autosaved (as the editor serialized it)."""

    def __init__(self, html: str):
        super().__init__()
        self.found: set[str] = set()
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.found.update(value for name, value in attrs if name == "src" and value)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The aware start and end of a calendar day in the site's zone (article URLs carry the local date)."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)


def word_count(html: str) -> int:
    return len(strip_tags(html or "").split())


def join_names(names: list[str]) -> str:
    """ "A", "A and B", "A, B and C": the way a byline reads."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


class Section(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    is_demo = models.BooleanField(default=False, db_default=False, editable=False)  # made by seed_demo

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    is_demo = models.BooleanField(default=False, db_default=False, editable=False)  # made by seed_demo

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:tag", kwargs={"slug": self.slug})


class Author(models.Model):
    """A contributor credited in bylines. Guest and wire bylines have no login account."""

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    title = models.CharField(max_length=150, blank=True, help_text='For example "Pentagon producer".')
    bio = models.TextField(blank=True)
    photo = models.ImageField(upload_to="authors/", blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
    )
    is_demo = models.BooleanField(default=False, db_default=False, editable=False)  # made by seed_demo

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: every public page, feed, sitemap and count goes through here.

        A published article with a future `published_at` is scheduled; it appears on time because the
        filter compares with the clock on every query, with no job to flip it.
        """
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def scheduled(self):
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def with_bylines(self):
        return self.select_related("section").prefetch_related(
            models.Prefetch("bylines", queryset=Byline.objects.select_related("author").order_by("position", "id"))
        )

    def on_day(self, day: date):
        start, end = local_day_bounds(day)
        return self.filter(published_at__gte=start, published_at__lt=end)

    def credited_to(self, user):
        """Articles a user created or carries a byline on (a subquery, so no duplicate rows)."""
        return self.filter(
            models.Q(created_by=user) | models.Q(pk__in=Byline.objects.filter(author__user=user).values("article_id"))
        )

    def editable_by(self, user):
        """Articles a user may change in the admin: editors all, reporters their own unpublished work."""
        if user.has_perm("articles.publish_article"):
            return self
        return self.credited_to(user).filter(status__in=Article.EDITABLE_BY_REPORTERS)


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_queryset(self):
        return super().get_queryset().defer("search_vector")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEW = "review", "In review"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    class Comments(models.TextChoices):
        AUTO = "auto", "Open, closing automatically"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Moderation(models.TextChoices):
        SITE = "site", "Site default"
        POST = "post", "Post-moderation (appear at once)"
        PRE = "pre", "Pre-moderation (held for a moderator)"

    headline = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    dek = models.CharField(max_length=300, blank=True, help_text="The one-line summary under the headline.")
    body = models.TextField(help_text="HTML; scripts and event handlers are stripped before readers see it.")
    lead_image = models.ImageField(upload_to="lead/%Y/%m/", blank=True)
    lead_image_caption = models.CharField(max_length=300, blank=True)
    lead_image_credit = models.CharField(max_length=150, blank=True)
    lead_image_alt = models.CharField(
        max_length=200,
        blank=True,
        help_text="What the photo shows, for readers who cannot see it; required with a photo.",
    )
    # Resized copies made once at upload: {"480": {"webp": path, "jpeg": path, "height": 320}, ...}.
    lead_image_renditions = models.JSONField(default=dict, blank=True, editable=False)
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    authors = models.ManyToManyField(Author, through="Byline", related_name="articles")
    status = models.CharField(max_length=12, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="A future time on a published article schedules it."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comments_mode = models.CharField(max_length=6, choices=Comments, default=Comments.AUTO)
    comment_moderation = models.CharField(max_length=4, choices=Moderation, default=Moderation.SITE)
    # Kept up to date by the comments app, so listing pages show counts without a query per article.
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    # Made by `manage.py seed_demo`, which finds its own rows by this mark only (never by slug): whatever an
    # editor does to a demo row, a re-run leaves it alone.
    is_demo = models.BooleanField(default=False, db_default=False, editable=False)
    # Bumped on every save: a form carries the version it was opened at, and a save from an older one is refused.
    version = models.PositiveIntegerField(default=1, editable=False)
    # PostgreSQL full-text search: kept current by articles/search.py, GIN-indexed by migration 0002 (not on
    # SQLite, which searches without it). Only the database reads it, so the manager never loads it.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleManager()

    # What a reporter may still change; once an article is published only an editor touches it.
    EDITABLE_BY_REPORTERS = (Status.DRAFT, Status.REVIEW)

    class Meta:
        ordering = ["-published_at", "-id"]
        permissions = [("publish_article", "Can publish, schedule and unpublish articles")]
        constraints = [
            models.UniqueConstraint(fields=["slug", "published_at"], name="unique_slug_per_publish_time"),
        ]
        indexes = [
            models.Index(fields=["status", "published_at"], name="article_status_pub_idx"),
            models.Index(fields=["slug"], name="article_slug_idx"),
            models.Index(fields=["section", "status", "published_at"], name="article_section_pub_idx"),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.headline)[:200] or "article"
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        if self.pk is not None and not kwargs.get("force_insert"):
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        old_path = self._saved_public_path(kwargs.get("update_fields"))
        if old_path is None:
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            super().save(*args, **kwargs)
            new_path = self.get_absolute_url()
            if old_path != new_path:
                # Links already shared keep working: the old address answers 301 to the new one.
                ArticleRedirect.objects.update_or_create(old_path=old_path, defaults={"article": self})
                ArticleRedirect.objects.filter(old_path=new_path).delete()

    def get_absolute_url(self):
        return self.path_for(self.slug, self.published_at or self.created_at)

    def clean(self):
        if self.lead_image and not self.lead_image_alt.strip():
            raise ValidationError({"lead_image_alt": "Describe the photo for readers who cannot see it."})
        # Two articles with one slug on one day would share a URL; only one of them could ever be read.
        when = self.published_at or (timezone.now() if self.status == self.Status.PUBLISHED else None)
        if when is None or not self.slug:
            return
        day = timezone.localdate(when)
        if Article.objects.on_day(day).filter(slug=self.slug).exclude(pk=self.pk).exists():
            day_text = f"{day:%B} {day.day}, {day.year}"
            raise ValidationError({"slug": f"Another article published on {day_text} already uses this slug."})

    @staticmethod
    def path_for(slug: str, when: datetime) -> str:
        local = timezone.localtime(when)
        return reverse(
            "articles:detail",
            kwargs={"year": local.year, "month": f"{local.month:02d}", "day": f"{local.day:02d}", "slug": slug},
        )

    def _saved_public_path(self, update_fields) -> str | None:
        """The address this article had in the database, if it ever had a public one."""
        if self.pk is None or (update_fields is not None and not {"slug", "published_at"} & set(update_fields)):
            return None
        saved = type(self).objects.filter(pk=self.pk).values_list("slug", "published_at").first()
        if saved is None or saved[1] is None:
            return None
        return self.path_for(*saved)

    @property
    def is_live(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @cached_property
    def body_html(self) -> SafeString:
        # Staff-written HTML, made safe by the sanitizer (nh3) and only then marked safe for templates.
        return mark_safe(clean_html(self.body))  # noqa: S308

    @property
    def body_word_count(self) -> int:
        return word_count(self.body)

    @property
    def lead_image_sources(self) -> dict:
        """`srcset` strings for the <picture> element, widest rendition last."""
        renditions = sorted(self.lead_image_renditions.items(), key=lambda item: int(item[0]))
        if not renditions:
            return {}
        storage = self._meta.get_field("lead_image").storage
        widest_width, widest = renditions[-1]
        return {
            "webp": ", ".join(f"{storage.url(r['webp'])} {w}w" for w, r in renditions),
            "jpeg": ", ".join(f"{storage.url(r['jpeg'])} {w}w" for w, r in renditions),
            "src": storage.url(widest["jpeg"]),
            "width": int(widest_width),
            "height": widest["height"],
        }

    @property
    def byline_authors(self) -> list["Author"]:
        """Authors in the order the editor set (uses the prefetch from `with_bylines()` when there is one)."""
        return [byline.author for byline in self.bylines.all()]

    @property
    def byline_text(self) -> str:
        return join_names([author.name for author in self.byline_authors])

    @property
    def was_updated(self) -> bool:
        # A few minutes of copy-editing after publication is not news; an update note is.
        return bool(self.published_at and self.updated_at - self.published_at > timedelta(minutes=5))

    @property
    def comments_open(self) -> bool:
        if self.comments_mode == self.Comments.CLOSED or not self.is_live:
            return False
        if self.comments_mode == self.Comments.OPEN:
            return True
        return timezone.now() < self.published_at + timedelta(days=settings.COMMENTS_CLOSE_AFTER_DAYS)

    @property
    def comments_premoderated(self) -> bool:
        if self.comment_moderation == self.Moderation.SITE:
            return settings.COMMENTS_PREMODERATE
        return self.comment_moderation == self.Moderation.PRE


class Byline(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="bylines")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="unique_byline")]

    def __str__(self):
        return f"{self.author} on {self.article}"


class Correction(models.Model):
    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        UPDATE = "update", "Update"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.CORRECTION)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.article}"


class ArticleImage(models.Model):
    """A photo uploaded to one article for use in its text: the reporter places it from the picker under the
    editor, which writes a figure (the photo with its alt text, size, caption and credit) into the body."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="inline/%Y/%m/", width_field="width", height_field="height")
    alt = models.CharField("alt text", max_length=200, help_text="What the photo shows, for readers who cannot see it.")
    caption = models.CharField(max_length=300, blank=True)
    credit = models.CharField(max_length=150, blank=True)
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    # Resized copies made once at upload, as for the lead image: {"480": {"webp": path, "jpeg": path, ...}}.
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.alt

    def clean(self):
        if not self.alt.strip():
            raise ValidationError({"alt": "Describe the photo for readers who cannot see it."})

    def rendition(self, widest: int) -> tuple[str, int, int]:
        """(URL, width, height) of the widest JPEG rendition no wider than `widest` (the original without any)."""
        storage = self._meta.get_field("image").storage
        widths = sorted(int(width) for width in self.renditions)
        fitting = [width for width in widths if width <= widest] or widths[:1]
        if not fitting:
            return self.image.url, self.width, self.height
        chosen = self.renditions[str(fitting[-1])]
        return storage.url(chosen["jpeg"]), fitting[-1], chosen["height"]

    def file_names(self) -> list[str]:
        """The original and every rendition, as named in storage."""
        names = [self.image.name] if self.image else []
        for rendition in self.renditions.values():
            names += [rendition[kind] for kind in ("webp", "jpeg") if rendition.get(kind)]
        return names

    def appears_in(self, html: str) -> bool:
        """Whether an `<img>` in this HTML shows this photo (the original or any rendition), whatever the host."""
        if not html:
            return False
        storage = self._meta.get_field("image").storage
        mine = {unquote(urlsplit(storage.url(name)).path) for name in self.file_names()}
        return any(unquote(urlsplit(src).path) in mine for src in ImageSources(html).found)

    def as_figure(self) -> dict:
        """What the picker inserts into the body, and shows in its list."""
        src, width, height = self.rendition(settings.ARTICLE_INLINE_IMAGE_WIDTH)
        thumb = self.rendition(0)[0]
        return {
            "id": self.pk,
            "src": src,
            "width": width,
            "height": height,
            "thumb": thumb,
            "alt": self.alt,
            "caption": self.caption,
            "credit": self.credit,
        }


class ArticleRedirect(models.Model):
    """An article's former public path, answered with a 301 after an editor changes its slug or date."""

    old_path = models.CharField(max_length=300, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.old_path


class EditorialNote(models.Model):
    """An internal note on an article: never shown to readers, feeds or JSON-LD."""

    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        SENT_BACK = "sent_back", "Sent back to the reporter"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="editorial_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.NOTE)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.article}"


class ArticleDraftQuerySet(models.QuerySet):
    def for_user(self, user, article: Article | None):
        return self.filter(user=user, article=article) if article else self.filter(user=user, article__isnull=True)


class ArticleDraft(models.Model):
    """What someone typed and the autosave kept, pending until they save the article (never seen by readers).

    One per article and user; on the add form, one per user with no article until the first save.
    """

    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE, related_name="drafts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    # The article version the editor was opened at: a draft older than the article's last save is shown as such.
    base_version = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField(default=timezone.now)

    objects = ArticleDraftQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "user"], name="unique_draft_per_article_user"),
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(article__isnull=True), name="unique_new_article_draft_per_user"
            ),
        ]

    def __str__(self):
        return f"Autosave by {self.user} of {self.article or 'a new article'}"


class ArticleLockQuerySet(models.QuerySet):
    def active(self):
        return self.filter(heartbeat_at__gte=timezone.now() - timedelta(seconds=settings.ARTICLE_LOCK_SECONDS))


class ArticleLock(models.Model):
    """A soft edit lock: who has the article open, kept alive by the page's heartbeat (in the database, so
    every app server agrees)."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="edit_lock")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(default=timezone.now)

    objects = ArticleLockQuerySet.as_manager()

    def __str__(self):
        return f"{self.article} edited by {self.user}"

    @property
    def is_active(self) -> bool:
        return self.heartbeat_at >= timezone.now() - timedelta(seconds=settings.ARTICLE_LOCK_SECONDS)
