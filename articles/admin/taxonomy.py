"""Sections, tags and authors (contributors need no login account)."""

from django.contrib import admin
from django.contrib.auth import get_user_model

from articles.admin.common import can_publish
from articles.models import Author, Section, Tag


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
