"""Blocklists, readers' reports, moderation records, Akismet feedback and the rules of conduct."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from comments.blocklist import clean_value
from comments.models import AkismetFeedback, BlocklistEntry, CommentReport, ConductRules, ModerationRecord


class BlocklistEntryForm(forms.ModelForm):
    class Meta:
        model = BlocklistEntry
        fields = ["kind", "value", "action", "note"]
        help_texts = {
            "value": "203.0.113.9 or 203.0.113.0/24 · name@example.com or example.com (with its subdomains) · "
            "a word or phrase (matched whole, ignoring case and look-alike characters)",
        }

    def clean(self):
        data = super().clean()
        if data.get("kind") and data.get("value"):
            try:
                data["value"] = clean_value(data["kind"], data["value"])
            except forms.ValidationError as error:
                self.add_error("value", error)
        return data


@admin.register(BlocklistEntry)
class BlocklistEntryAdmin(admin.ModelAdmin):
    form = BlocklistEntryForm
    list_display = ["value", "kind", "action", "note", "created_by", "created_at"]
    list_filter = ["kind", "action"]
    list_select_related = ["created_by"]
    search_fields = ["value", "note"]
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CommentReport)
class CommentReportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "comment_link", "reason", "reporter_key", "user"]
    list_select_related = ["comment", "user"]
    list_filter = [("created_at", admin.DateFieldListFilter)]
    search_fields = ["reason", "reporter_key", "comment__author_email"]
    raw_id_fields = ["comment", "user"]
    date_hierarchy = "created_at"
    readonly_fields = ["comment", "reporter_key", "user", "reason", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="comment", ordering="comment")
    def comment_link(self, obj):
        return format_html(
            '<a href="{}">#{}</a> {}',
            reverse("admin:comments_comment_change", args=[obj.comment_id]),
            obj.comment_id,
            Truncator(obj.comment.body).chars(60),
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ModerationRecord)
class ModerationRecordAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "count", "filter_description"]
    list_filter = ["action"]
    list_select_related = ["actor"]
    search_fields = ["action", "filter_description", "actor__username"]
    date_hierarchy = "created_at"


@admin.register(AkismetFeedback)
class AkismetFeedbackAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "comment_link", "attempts", "sent_at", "last_error"]
    list_filter = ["kind", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["last_error"]
    raw_id_fields = ["comment"]
    date_hierarchy = "created_at"
    exclude = ["payload"]

    @admin.display(description="comment")
    def comment_link(self, obj):
        if obj.comment_id is None:
            return "(deleted)"
        return format_html(
            '<a href="{}">#{}</a>', reverse("admin:comments_comment_change", args=[obj.comment_id]), obj.comment_id
        )


@admin.register(ConductRules)
class ConductRulesAdmin(admin.ModelAdmin):
    """The rules of conduct shown with the comment form: the most recently saved version is the one in force."""

    list_display = ["__str__", "updated_at"]
    search_fields = ["text"]
    date_hierarchy = "updated_at"
