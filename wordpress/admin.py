from django.contrib import admin

from wordpress.models import LegacyPath, WordPressObject


@admin.register(LegacyPath)
class LegacyPathAdmin(admin.ModelAdmin):
    list_display = ["path", "article", "created_at"]
    list_filter = ["created_at"]
    list_select_related = ["article"]
    search_fields = ["path", "article__headline"]
    date_hierarchy = "created_at"
    raw_id_fields = ["article"]


@admin.register(WordPressObject)
class WordPressObjectAdmin(admin.ModelAdmin):
    """What the importer remembers; read-only, since a changed record would make a rerun create things twice."""

    list_display = ["kind", "wp_id", "key", "object_id", "site", "imported_at"]
    list_filter = ["kind", "site"]
    search_fields = ["key", "site"]
    date_hierarchy = "imported_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
