"""The article list's filters."""

from django.contrib import admin

from articles.models import Article, EditorialNote


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


class SentBackFilter(admin.SimpleListFilter):
    title = "sent back"
    parameter_name = "sent_back"

    def lookups(self, request, model_admin):
        return [("1", "Sent back to the reporter")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            sent_back = EditorialNote.objects.filter(kind=EditorialNote.Kind.SENT_BACK).values("article_id")
            return queryset.filter(status=Article.Status.DRAFT, pk__in=sent_back)
        return queryset
