from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from articles import search, services
from articles.forms import ScheduleForm
from articles.models import Article, ArticleRedirect, Author, Byline, Correction, Section, Tag
from articles.views import ArticlePreviewView

PUBLISH_PERMISSION = "articles.publish_article"


def can_publish(request) -> bool:
    return request.user.has_perm(PUBLISH_PERMISSION)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "user"]
    list_filter = [("user", admin.EmptyFieldListFilter)]
    list_select_related = ["user"]
    search_fields = ["name", "title", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_exclude(self, request, obj=None):
        # Linking a byline to a login account decides who may edit articles: an editor's call.
        return None if can_publish(request) else ["user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PublicationFilter(admin.SimpleListFilter):
    """What readers see right now, which the status alone does not say (a published article may be scheduled)."""

    title = "publication"
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return [("live", "Live"), ("scheduled", "Scheduled"), ("hidden", "Not public")]

    def queryset(self, request, queryset):
        if self.value() == "live":
            return queryset.published()
        if self.value() == "scheduled":
            return queryset.scheduled()
        if self.value() == "hidden":
            return queryset.exclude(pk__in=Article.objects.published().values("pk"))
        return queryset


class BylineInline(admin.TabularInline):
    model = Byline
    fields = ["position", "author"]
    autocomplete_fields = ["author"]
    extra = 1
    ordering = ["position", "id"]
    verbose_name = "byline"
    verbose_name_plural = "Bylines (read in order of position: 0 first)"


class CorrectionInline(admin.StackedInline):
    model = Correction
    fields = ["kind", "text", "created_at"]
    extra = 0
    verbose_name_plural = "Corrections and update notes (shown at the foot of the article)"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "status_column", "section", "bylines_column", "published_at", "live", "preview_link"]
    list_filter = [PublicationFilter, "status", "section", "published_at", "tags"]
    list_select_related = ["section"]
    search_fields = ["headline", "dek", "slug", "authors__name"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["section", "tags"]
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = ["created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "dek", "section", "tags", "body"]}),
        ("Lead image", {"fields": ["lead_image", "lead_image_caption", "lead_image_credit", "lead_image_alt"]}),
        ("Publishing", {"fields": ["status", "published_at", "created_by", "created_at", "updated_at"]}),
        ("Comments", {"fields": ["comments_mode", "comment_moderation"], "classes": ["collapse"]}),
    ]
    actions = ["publish_now", "schedule", "unpublish", "submit_for_review"]
    # Drafts (no publication time yet) first on every database; PostgreSQL and SQLite order NULLs differently.
    ordering = [F("published_at").desc(nulls_first=True), "-id"]

    def get_queryset(self, request):
        queryset = (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("bylines", queryset=Byline.objects.select_related("author")))
        )
        user = request.user
        if can_publish(request) or not user.has_perm("articles.change_article"):
            return queryset
        # A reporter's admin shows only their own work, in every status (published ones read-only).
        return queryset.credited_to(user)

    def get_search_results(self, request, queryset, search_term):
        # The readers' search (the index on PostgreSQL) over whatever this user's queryset allows.
        found = search.admin_search(queryset, search_term)
        if found is None:
            return super().get_search_results(request, queryset, search.clean_query(search_term))
        return found, False

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None or can_publish(request):
            return True
        return Article.objects.editable_by(request.user).filter(pk=obj.pk).exists()

    def get_inlines(self, request, obj):
        return [BylineInline, CorrectionInline] if can_publish(request) else [BylineInline]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not can_publish(request):
            readonly.append("published_at")
        return readonly

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not can_publish(request):
            kwargs["choices"] = [(status.value, status.label) for status in Article.EDITABLE_BY_REPORTERS]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        # The form already limits a reporter's choices; this is the last door, whatever was posted.
        if not can_publish(request) and obj.status not in Article.EDITABLE_BY_REPORTERS:
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        profile = getattr(request.user, "author_profile", None)
        if not change and profile is not None and not article.bylines.exists():
            # A reporter who files without naming anyone gets the byline.
            Byline.objects.create(article=article, author=profile, position=0)

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_live else reverse("admin:articles_article_preview", args=[obj.pk])

    # --- list columns ---------------------------------------------------------------------------------

    @admin.display(description="Status", ordering="status")
    def status_column(self, obj):
        return "Scheduled" if obj.is_scheduled else obj.get_status_display()

    @admin.display(description="Bylines")
    def bylines_column(self, obj):
        return obj.byline_text

    @admin.display(description="Live", boolean=True)
    def live(self, obj):
        return obj.is_live

    @admin.display(description="Preview")
    def preview_link(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview</a>',
            reverse("admin:articles_article_preview", args=[obj.pk]),
        )

    # --- preview --------------------------------------------------------------------------------------

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [path("<int:pk>/preview/", preview, name="articles_article_preview"), *super().get_urls()]

    def preview_view(self, request, pk):
        """The article page exactly as readers will see it, whatever the article's status."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return ArticlePreviewView.as_view(queryset=self.get_queryset(request))(request, pk=pk)

    # --- actions --------------------------------------------------------------------------------------

    def has_publish_permission(self, request):
        return can_publish(request)

    @admin.action(description="Publish selected articles now", permissions=["publish"])
    def publish_now(self, request, queryset):
        count = services.publish_articles(articles=queryset)
        self.message_user(request, f"Published {count} article(s).", messages.SUCCESS)

    @admin.action(description="Schedule selected articles…", permissions=["publish"])
    def schedule(self, request, queryset):
        form = ScheduleForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            publish_at = form.cleaned_data["publish_at"]
            count = services.publish_articles(articles=queryset, at=publish_at)
            self.message_user(request, f"Scheduled {count} article(s).", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Schedule articles",
            "opts": self.model._meta,
            "form": form,
            "articles": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/articles/article/schedule.html", context)

    @admin.action(description="Unpublish selected articles", permissions=["publish"])
    def unpublish(self, request, queryset):
        count = services.unpublish_articles(articles=queryset)
        self.message_user(request, f"Unpublished {count} article(s).", messages.SUCCESS)

    @admin.action(description="Submit selected drafts for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        count = services.submit_for_review(articles=queryset.filter(pk__in=Article.objects.editable_by(request.user)))
        self.message_user(request, f"Submitted {count} draft(s) for review.", messages.SUCCESS)


@admin.register(ArticleRedirect)
class ArticleRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_path", "article_headline", "created_at"]
    list_select_related = ["article"]
    search_fields = ["old_path", "article__headline"]
    date_hierarchy = "created_at"
    raw_id_fields = ["article"]

    @admin.display(description="Article", ordering="article__headline")
    def article_headline(self, obj):
        return Truncator(obj.article.headline).chars(80)
