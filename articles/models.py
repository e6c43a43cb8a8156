from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import slugify

from articles.sanitize import clean_html


class Section(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", kwargs={"slug": self.slug})


class Tag(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

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

    def editable_by(self, user):
        """Articles a user may change in the admin: editors all, reporters their own unpublished work."""
        if user.has_perm("articles.publish_article"):
            return self
        return self.filter(
            models.Q(created_by=user) | models.Q(bylines__author__user=user),
            status__in=[Article.Status.DRAFT, Article.Status.REVIEW],
        ).distinct()


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
    lead_image_alt = models.CharField(max_length=200, blank=True)
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

    objects = ArticleQuerySet.as_manager()

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
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        local = timezone.localtime(self.published_at or self.created_at)
        return reverse(
            "articles:detail",
            kwargs={"year": local.year, "month": f"{local.month:02d}", "day": f"{local.day:02d}", "slug": self.slug},
        )

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
            self.status == self.Status.PUBLISHED and self.published_at is not None and self.published_at > timezone.now()
        )

    @cached_property
    def body_html(self) -> str:
        return clean_html(self.body)

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


class ArticleRedirect(models.Model):
    """An article's former public path, answered with a 301 after an editor changes its slug or date."""

    old_path = models.CharField(max_length=300, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="redirects")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.old_path
