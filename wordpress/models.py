"""What an import remembers: which Newsroom row each WordPress object became, and the old addresses.

These live here rather than as fields on articles and comments so that the two apps know nothing of
WordPress; a site that never imports has two empty tables.
"""

from django.db import models
from django.utils import timezone

from articles.models import Article


class WordPressObject(models.Model):
    """One WordPress object and the Newsroom row it became, per exporting site.

    Posts, attachments and comments are known by their WordPress id; authors by their login and terms by their
    slug (that is how an item refers to them), so those carry `key` and the id only when the export has one.
    """

    class Kind(models.TextChoices):
        AUTHOR = "author", "Author"
        GUEST_AUTHOR = "guest_author", "Guest author (Co-Authors Plus)"
        CATEGORY = "category", "Category"
        TAG = "tag", "Tag"
        POST = "post", "Post"
        ATTACHMENT = "attachment", "Attachment"
        COMMENT = "comment", "Comment"

    site = models.CharField(max_length=200, help_text="The exporting site's address.")
    kind = models.CharField(max_length=12, choices=Kind)
    wp_id = models.BigIntegerField(null=True, blank=True)
    key = models.CharField(max_length=200, blank=True, help_text="Login of an author, slug of a term.")
    object_id = models.BigIntegerField(null=True, blank=True, help_text="The Newsroom row's id.")
    # A post's fingerprint (itself and its comments): a rerun leaves an unchanged post alone.
    digest = models.CharField(max_length=64, blank=True)
    # A post's featured image (an attachment's WordPress id), which may come later in the file than the post.
    featured_wp_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "imported WordPress object"
        constraints = [
            models.UniqueConstraint(
                fields=["site", "kind", "wp_id"], condition=models.Q(wp_id__isnull=False), name="wp_object_by_id"
            ),
            models.UniqueConstraint(
                fields=["site", "kind", "key"], condition=~models.Q(key=""), name="wp_object_by_key"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "wp_id"], name="wp_object_kind_id_idx"),
            models.Index(fields=["site", "featured_wp_id"], name="wp_object_featured_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.wp_id or self.key} of {self.site}"


class LegacyPath(models.Model):
    """An address a post had on the WordPress site, answered with a 301 to the article's current one."""

    path = models.CharField(max_length=500, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "WordPress address"

    def __str__(self):
        return self.path
