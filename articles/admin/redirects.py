"""Old addresses that answer 301 with an article's current one."""

from django.contrib import admin
from django.utils.text import Truncator

from articles.models import ArticleRedirect


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
