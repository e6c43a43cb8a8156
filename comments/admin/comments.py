"""The comment list and a comment's page: what a moderator reads before deciding."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from comments import moderation, spam
from comments.admin.actions import CommentActions
from comments.admin.dashboard import ModerationPages
from comments.admin.filters import ArticleFilter, QueueFilter, SenderFilter, SimilarFilter
from comments.admin.paging import COUNT_CAP, CountAtLeast, paginator_for
from comments.admin.queues import Status, can_moderate, can_purge, changelist_url, current_queue
from comments.admin.rows import FIELDS as LIST_FIELDS
from comments.admin.rows import body_excerpt, short_headline
from comments.models import Comment, CommentEvent, CommentReport

# Where get_changelist_instance leaves the reason the list's filters were refused, for changelist_view.
BAD_FILTER = "_comments_bad_filter"


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CommentEventInline(ReadOnlyInline):
    model = CommentEvent
    verbose_name = "history entry"
    verbose_name_plural = "history: Akismet's verdicts, moderators' decisions, readers' reports"
    fields = readonly_fields = ["created_at", "kind", "action", "detail", "actor"]
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class CommentReportInline(ReadOnlyInline):
    model = CommentReport
    verbose_name_plural = "reports from readers"
    fields = readonly_fields = ["created_at", "reason", "reporter_key", "user"]
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class CommentStatusForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["status"]


@admin.register(Comment)
class CommentAdmin(CommentActions, ModerationPages, admin.ModelAdmin):
    form = CommentStatusForm
    list_display = [
        "excerpt",
        "author",
        "article_links",
        "submitted_at",
        "status",
        "akismet_verdict",
        "report_count",
    ]
    list_display_links = ["excerpt"]
    list_filter = [
        QueueFilter,
        "akismet_verdict",
        ("submitted_at", admin.DateFieldListFilter),
        ArticleFilter,
        SenderFilter,
        SimilarFilter,
    ]
    list_select_related = ["article"]
    search_fields = ["body", "author_name", "author_email", "^ip_address"]
    search_help_text = "Search the text, the author's name and email, or the start of an IP address."
    date_hierarchy = "submitted_at"
    raw_id_fields = ["article", "parent", "user"]
    list_per_page = 100
    list_max_show_all = 200
    # The unfiltered total is a second COUNT over the whole table on every page view, and Django's facets one
    # COUNT per filter choice; the queue filter shows the counts that matter in a single GROUP BY.
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    inlines = [CommentEventInline, CommentReportInline]
    fieldsets = [
        (None, {"fields": ["status", "text", "article_links", "parent_link"]}),
        (
            "Author",
            {
                "fields": [
                    "author_name",
                    "author_email",
                    "author_url",
                    "ip_address",
                    "user",
                    "submitted_at",
                    "user_agent",
                    "referrer",
                    "author_record",
                ]
            },
        ),
        (
            "Spam check",
            {"fields": ["akismet_verdict", "is_blatant", "pending_reason", "report_count", "link_domains"]},
        ),
        ("Thread", {"fields": ["thread"]}),
    ]
    actions = [
        "approve",
        "mark_spam",
        "mark_not_spam",
        "remove",
        "restore",
        "delete_permanently",
        "delete_senders",
        "find_similar",
        "close_article_comments",
        "reopen_article_comments",
    ]

    # Permissions ------------------------------------------------------------------------------------------

    def has_moderate_permission(self, request):
        return can_moderate(request)

    def has_purge_permission(self, request):
        return can_purge(request)

    def has_add_permission(self, request):
        return False  # comments come from readers

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and can_moderate(request)

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Django's own collects every object before deleting; delete_permanently does it in SQL.
        actions.pop("delete_selected", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        fields = [name for _, options in self.fieldsets for name in options["fields"] if name != "status"]
        return fields if can_moderate(request) else ["status", *fields]

    # The list -----------------------------------------------------------------------------------------------

    def get_queryset(self, request):
        return Comment.objects.defer("akismet_payload").order_by(*self.get_ordering(request))

    def get_ordering(self, request):
        if current_queue(request) == "review":
            # Pending first, then flagged: "pending" sorts after "flagged", so status descending, which reads
            # the queue index (status, submitted_at, id) backwards and stops after a page.
            return ["-status", "-submitted_at", "-pk"]
        return ["-submitted_at", "-pk"]

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return paginator_for(request, queryset.only(*LIST_FIELDS), per_page, orphans, allow_empty_first_page)

    def changelist_view(self, request, extra_context=None):
        context = {
            "spam_checking_note": spam.spam_checking_status(),
            "can_purge": can_purge(request),
            "can_moderate": can_moderate(request),
            **(extra_context or {}),
        }
        response = super().changelist_view(request, extra_context=context)
        if problem := getattr(request, BAD_FILTER, None):
            # Django would send the moderator back to the bare list with "?e=1" (or a "Database error" page);
            # say what was wrong instead, and keep the way back.
            context = {
                **self.admin_site.each_context(request),
                "title": "These filters cannot be used",
                "opts": self.model._meta,
                "problem": problem,
                "list_url": changelist_url(),
            }
            return TemplateResponse(request, "admin/comments/comment/bad_filter.html", context, status=400)
        return response

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except IncorrectLookupParameters as error:
            setattr(request, BAD_FILTER, str(error)[:200] or "An unknown filter or a number out of range.")
            raise

    @admin.display(description="comment")
    def excerpt(self, obj):
        return body_excerpt(obj.body)

    @admin.display(description="author (email, IP)", ordering="author_name")
    def author(self, obj):
        return format_html(
            '<bdi>{}</bdi><br><span class="quiet">{}</span><br><span class="quiet">{}</span>',
            obj.author_name,
            obj.author_email,
            obj.ip_address or "—",
        )

    @admin.display(description="article", ordering="article__headline")
    def article_links(self, obj):
        headline = short_headline(obj.article.headline)
        if not obj.article.is_live:
            # Readers cannot open it (a draft, scheduled or unpublished story): no link that answers 404.
            return format_html(
                '{} <span class="quiet" title="The article is not on the site">#{}</span>', headline, obj.pk
            )
        permalink = self.view_on_site(obj)
        if permalink is None:
            return format_html(
                '<a href="{}">{}</a> <span class="quiet" title="Not shown on the site ({})">#{}</span>',
                obj.article.get_absolute_url(),
                headline,
                obj.get_status_display().lower(),
                obj.pk,
            )
        return format_html(
            '<a href="{}">{}</a> <a href="{}" title="This comment on the site">#{}</a>',
            obj.article.get_absolute_url(),
            headline,
            permalink,
            obj.pk,
        )

    def view_on_site(self, obj):
        """The comment on the site, only where readers (and so the moderator) can see it: published or a removed
        tombstone, on a live article. Held and spam comments have no page; "View on site" would answer 404."""
        if obj.is_visible and obj.article.is_live:
            return reverse("comments:permalink", args=[obj.pk])
        return None

    # The change page ----------------------------------------------------------------------------------------

    @admin.display(description="comment")
    def text(self, obj):
        return format_html('<div style="white-space: pre-wrap; max-width: 60em">{}</div>', obj.body)

    @admin.display(description="in reply to")
    def parent_link(self, obj):
        if obj.parent_id is None:
            return "—"
        return format_html(
            '<a href="{}">#{}</a>', reverse("admin:comments_comment_change", args=[obj.parent_id]), obj.parent_id
        )

    @admin.display(description="author's record")
    def author_record(self, obj):
        rows = []
        for kind, field, value in (("email", "author_email", obj.author_email), ("ip", "ip_address", obj.ip_address)):
            if not value:
                continue
            # Counted up to a cap: a spammer's address can have a million comments, and "10,000+" says enough.
            sample = Comment.objects.filter(**{field: value}).order_by().values("pk")[: COUNT_CAP + 1]
            counts = dict(
                Comment.objects.filter(pk__in=sample).order_by().values_list("status").annotate(n=Count("pk"))
            )
            total = sum(counts.values())
            rows.append(
                (
                    changelist_url(queue="all", sender=f"{kind}:{value}"),
                    value,
                    CountAtLeast(COUNT_CAP) if total > COUNT_CAP else total,
                    counts.get(Status.PUBLISHED, 0),
                    counts.get(Status.PENDING, 0) + counts.get(Status.FLAGGED, 0),
                    counts.get(Status.SPAM, 0),
                    counts.get(Status.REMOVED, 0),
                )
            )
        if not rows:
            return "—"
        body = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            rows,
        )
        return format_html(
            "<table><thead><tr><th>From</th><th>All</th><th>Approved</th><th>Held</th><th>Spam</th>"
            "<th>Removed</th></tr></thead><tbody>{}</tbody></table>",
            body,
        )

    @admin.display(description="thread")
    def thread(self, obj):
        limit = 200
        rows = list(
            Comment.objects.filter(thread_id=obj.thread_id)
            .order_by("path")
            .values_list("pk", "depth", "author_name", "status", "body")[: limit + 1]
        )
        items = format_html_join(
            "",
            '<li style="margin-left: {}em; font-weight: {}"><a href="{}">#{}</a> {} · <em>{}</em> · {}</li>',
            (
                (
                    depth * 2,
                    "bold" if pk == obj.pk else "normal",
                    reverse("admin:comments_comment_change", args=[pk]),
                    pk,
                    name,
                    Status(status).label,
                    Truncator(" ".join(body.split())).chars(120),
                )
                for pk, depth, name, status, body in rows[:limit]
            ),
        )
        more = f"… and more (the first {limit} are shown)" if len(rows) > limit else ""
        return format_html('<ul style="list-style: none; padding: 0">{}</ul><p>{}</p>', items, more)

    def save_model(self, request, obj, form, change):
        # Only the status can be edited, and a status change goes through the same services as the actions.
        if change and "status" in form.changed_data:
            moderation.set_status(
                comments=Comment.objects.filter(pk=obj.pk),
                status=obj.status,
                moderator=request.user,
                description=f"comment {obj.pk}, change page",
            )

    def delete_model(self, request, obj):
        result = moderation.delete_comments(
            comments=Comment.objects.filter(pk=obj.pk), moderator=request.user, description=f"comment {obj.pk}"
        )
        if result.tombstoned:
            self.message_user(
                request, "The comment has replies, so it stays as “This comment was removed.”", messages.WARNING
            )

    def delete_queryset(self, request, queryset):
        moderation.delete_comments(comments=queryset, moderator=request.user, description="delete selected")
