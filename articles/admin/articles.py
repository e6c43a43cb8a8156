"""ArticleAdmin: the article list and form, the review workflow's buttons and actions."""

import json

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from js_asset import Media as NoncedMedia

from articles import revisions, search, services
from articles.admin.common import can_publish, display_name, format_html_join_notes, local_time
from articles.admin.desk import DeskViews
from articles.admin.filters import PublicationFilter, SentBackFilter
from articles.admin.inlines import BylineInline, CorrectionInline
from articles.forms import ArticleAdminForm, ScheduleForm
from articles.models import Article, ArticleDraft, ArticleLock, Byline, EditorialNote


@admin.register(Article)
class ArticleAdmin(DeskViews, admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = [
        "headline",
        "status_column",
        "section",
        "bylines_column",
        "published_at",
        "live",
        "editing_column",
        "preview_link",
    ]
    list_filter = [PublicationFilter, "status", SentBackFilter, "section", "published_at", "tags"]
    list_select_related = ["section", "edit_lock__user"]
    search_fields = ["headline", "dek", "slug", "authors__name"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["section", "tags"]
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = ["created_at", "updated_at", "lead_image_thumbnail", "notes_thread"]
    actions = ["publish_now", "schedule", "unpublish", "submit_for_review"]
    # Drafts (no publication time yet) first on every database; PostgreSQL and SQLite order NULLs differently.
    ordering = [F("published_at").desc(nulls_first=True), "-id"]
    change_form_template = "admin/articles/article/change_form.html"

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

    # --- the form -------------------------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        editable = obj is None or self.has_change_permission(request, obj)
        created_by, section = self._viewer_fields(request)
        body = "body" if editable else self._body_rendered
        publishing = ["status", "published_at", created_by, "created_at", "updated_at"]
        notes = ["notes_thread", "new_note"] if obj is not None else ["new_note"]
        if can_publish(request) and obj is not None:
            notes.append("sendback_note")
        main = ["headline", "slug", "dek", "section" if editable else section, "tags", body]
        if editable:
            main.append("opened_version")
        fieldsets = [
            (None, {"fields": main}),
            (
                "Lead image",
                {
                    "fields": [
                        "lead_image",
                        "lead_image_thumbnail",
                        "lead_image_alt",
                        "lead_image_caption",
                        "lead_image_credit",
                    ]
                },
            ),
            ("Publishing", {"fields": publishing}),
            ("Newsroom notes (never shown to readers)", {"fields": notes if editable else ["notes_thread"]}),
            ("Comments", {"fields": ["comments_mode", "comment_moderation"], "classes": ["collapse"]}),
        ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        created_by, section = self._viewer_fields(request)
        readonly.append(created_by)
        if not can_publish(request):
            readonly.append("published_at")
        if obj is not None and not self.has_change_permission(request, obj):
            readonly += [self._body_rendered, section]
        return readonly

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not can_publish(request):
            kwargs["choices"] = [(status.value, status.label) for status in Article.EDITABLE_BY_REPORTERS]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_prepopulated_fields(self, request, obj=None):
        # Once an article has had a public address the headline no longer rewrites it.
        if obj is not None and obj.published_at is not None:
            return {}
        return super().get_prepopulated_fields(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        form.can_publish = can_publish(request)
        form.autosave_initial = None
        if request.method == "GET" and "_restore_autosave" in request.GET:
            draft = ArticleDraft.objects.for_user(request.user, obj).first()
            form.autosave_initial = draft.data if draft else None
        if "published_at" in form.base_fields:
            field = form.base_fields["published_at"]
            for half, widget in zip(("date", "time"), field.widget.widgets, strict=True):
                widget.attrs["aria-label"] = f"Published at: {half}"
        if obj is not None and obj.published_at is not None and "slug" in form.base_fields:
            form.base_fields["slug"].help_text = (
                "Published: the address is frozen. Changing it by hand moves the article; the old address "
                "redirects to the new one."
            )
        return form

    def _viewer_fields(self, request):
        """Read-only "Created by" and section that link only where this viewer may go (built per request)."""
        cached = getattr(request, "_article_viewer_fields", None)
        if cached:
            return cached
        user_model = get_user_model()
        may_see_users = request.user.has_perm(
            f"{user_model._meta.app_label}.view_{user_model._meta.model_name}"
        ) or request.user.has_perm(f"{user_model._meta.app_label}.change_{user_model._meta.model_name}")
        may_see_sections = request.user.has_perm("articles.view_section") or request.user.has_perm(
            "articles.change_section"
        )

        def created_by(obj):
            if obj is None or obj.created_by is None:
                return "—"
            if may_see_users:
                url = reverse(
                    f"admin:{user_model._meta.app_label}_{user_model._meta.model_name}_change",
                    args=[obj.created_by_id],
                )
                return format_html('<a href="{}">{}</a>', url, display_name(obj.created_by))
            return display_name(obj.created_by)

        created_by.short_description = "Created by"

        def section(obj):
            if obj is None or obj.section_id is None:
                return "—"
            if may_see_sections:
                url = reverse("admin:articles_section_change", args=[obj.section_id])
                return format_html('<a href="{}">{}</a>', url, obj.section)
            return str(obj.section)

        section.short_description = "Section"
        request._article_viewer_fields = (created_by, section)
        return request._article_viewer_fields

    @staticmethod
    @admin.display(description="Body")
    def _body_rendered(obj):
        # A read-only article shows its text as readers see it, not as HTML source.
        return format_html('<div class="desk-body-rendered">{}</div>', obj.body_html)

    @admin.display(description="Thumbnail")
    def lead_image_thumbnail(self, obj):
        if obj is None or not obj.lead_image:
            return "No photo yet."
        return format_html(
            '<img src="{}" alt="{}" class="desk-thumbnail" width="240">', obj.lead_image.url, obj.lead_image_alt
        )

    @admin.display(description="Notes")
    def notes_thread(self, obj):
        notes = list(obj.editorial_notes.select_related("author")) if obj and obj.pk else []
        if not notes:
            return "No notes yet."
        return format_html(
            '<ol class="desk-notes">{}</ol>',
            format_html_join_notes(notes),
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            with services.revision(user=request.user, comment=""):
                return super().changeform_view(request, object_id, form_url, extra_context)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def log_addition(self, request, obj, message):
        services.set_revision_comment(LogEntry(change_message=json.dumps(message)).get_change_message() or "Created")
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        text = LogEntry(change_message=json.dumps(message)).get_change_message() or "Saved without changes"
        services.set_revision_comment(text)
        return super().log_change(request, obj, message)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        # The form already limits a reporter's choices; this is the last door, whatever was posted.
        if not can_publish(request) and obj.status not in Article.EDITABLE_BY_REPORTERS:
            raise PermissionDenied
        new_photo = "lead_image" in form.changed_data
        super().save_model(request, obj, form, change)
        if new_photo:
            services.make_lead_renditions(article=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        profile = getattr(request.user, "author_profile", None)
        if not change and profile is not None and not article.bylines.exists():
            # A reporter who files without naming anyone gets the byline.
            Byline.objects.create(article=article, author=profile, position=0)
        note = form.cleaned_data.get("new_note", "").strip()
        if note:
            services.add_note(article=article, user=request.user, text=note)
        if form.workflow == "sendback":
            services.add_note(
                article=article,
                user=request.user,
                text=form.cleaned_data["sendback_note"],
                kind=EditorialNote.Kind.SENT_BACK,
            )
        # The saved article now holds what the autosave kept.
        services.discard_draft(user=request.user, article=article)
        if not change:
            services.discard_draft(user=request.user, article=None)

    def response_add(self, request, obj, post_url_continue=None):
        if "_workflow" in request.POST:
            self.message_user(request, self._workflow_message(request, obj), messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.pk]))
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_workflow" in request.POST:
            self.message_user(request, self._workflow_message(request, obj), messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.pk]))
        return super().response_change(request, obj)

    def _workflow_message(self, request, obj) -> str:
        workflow = request.POST.get("_workflow")
        when = date_format(timezone.localtime(obj.published_at), "DATETIME_FORMAT") if obj.published_at else ""
        return {
            "review": "Submitted for review: the editors see it in their “In review” list.",
            "publish": "Published: it is live.",
            "schedule": f"Scheduled for {when}.",
            "sendback": "Sent back to the reporter with your note.",
            "unpublish": "Unpublished: its page answers 404 again.",
        }.get(workflow, f"Saved at {local_time(timezone.now())}.")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(self._desk_context(request, context, obj))
        # The editor's import map is an inline script: under the Content-Security-Policy it runs only with the
        # request's nonce.
        context["media"] = NoncedMedia.from_media(context["media"], nonce=getattr(request, "csp_nonce", ""))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _desk_context(self, request, context, obj) -> dict:
        form = context["adminform"].form
        editable = context.get("has_change_permission", True) if obj is not None else True
        desk = {"editable": editable, "buttons": self._workflow_buttons(request, obj) if editable else []}
        if obj is not None:
            desk["history_url"] = reverse("admin:articles_article_history", args=[obj.pk])
            desk["sent_back"] = obj.editorial_notes.filter(kind=EditorialNote.Kind.SENT_BACK).last()
        if editable and obj is not None:
            desk["images"] = [photo.as_figure() for photo in obj.images.all()]
        if editable:
            desk["lock"] = self._lock_state(request, obj)
            desk["autosave"] = self._autosave_offer(request, obj)
            desk["config"] = {
                "autosaveUrl": reverse("admin:articles_article_autosave", args=[obj.pk] if obj else []),
                "discardUrl": reverse("admin:articles_article_autosave_discard", args=[obj.pk] if obj else []),
                "lockUrl": reverse("admin:articles_article_lock", args=[obj.pk]) if obj else None,
                "imagesUrl": reverse("admin:articles_article_images", args=[obj.pk]) if obj else None,
                "storageKey": f"newsroom-desk:{request.user.pk}:{obj.pk if obj else 'new'}",
                "newStorageKey": f"newsroom-desk:{request.user.pk}:new",
                "holdsLock": desk["lock"]["mine"] if desk.get("lock") else True,
                "lockSeconds": settings.ARTICLE_LOCK_SECONDS,
            }
        stale = getattr(form, "stale_version", None)
        if stale is not None and obj is not None:
            last = revisions.last_version(obj)
            desk["stale"] = {
                "who": revisions.who(last) if last else "Someone",
                "when": local_time(last.revision.date_created) if last else "",
                "compare_url": desk["history_url"],
            }
        return {"desk": desk}

    def _workflow_buttons(self, request, obj) -> list[tuple[str, str, bool]]:
        """(value, label, is_default) for the buttons this role has on this article."""
        if not can_publish(request):
            if obj is not None and obj.status == Article.Status.REVIEW:
                return [("keep", "Save", True), ("draft", "Back to draft", False)]
            return [("draft", "Save draft", False), ("review", "Submit for review", True)]
        if obj is not None and obj.status == Article.Status.PUBLISHED:
            buttons = [("keep", "Update", True)]
            if obj.is_scheduled:
                buttons += [("publish", "Publish now", False), ("schedule", "Reschedule", False)]
            return [*buttons, ("unpublish", "Unpublish", False)]
        buttons = [("keep", "Save", False), ("publish", "Publish now", True), ("schedule", "Schedule…", False)]
        if obj is not None:
            buttons.append(("sendback", "Send back to reporter", False))
        return buttons

    def _lock_state(self, request, obj) -> dict | None:
        if obj is None:
            return None
        lock = services.touch_lock(article=obj, user=request.user)
        return {
            "mine": lock.user_id == request.user.pk,
            "holder": display_name(lock.user),
            "since": local_time(lock.since),
        }

    def _autosave_offer(self, request, obj) -> dict | None:
        draft = ArticleDraft.objects.for_user(request.user, obj).first()
        if draft is None or (obj is not None and draft.saved_at <= obj.updated_at):
            return None
        if "_restore_autosave" in request.GET:
            return {"restored": True, "when": local_time(draft.saved_at)}
        old = obj.body if obj else ""
        left, right = revisions.word_diff(old, draft.data.get("body", ""))
        changed = [
            name for name in ("headline", "dek") if obj is None or draft.data.get(name, "") != getattr(obj, name)
        ]
        return {"when": local_time(draft.saved_at), "body_old": left, "body_new": right, "changed": changed}

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

    @admin.display(description="Editing now")
    def editing_column(self, obj):
        try:
            lock = obj.edit_lock
        except ArticleLock.DoesNotExist:
            return ""
        if not lock.is_active:
            return ""
        return f"{display_name(lock.user)} since {local_time(lock.since)}"

    @admin.display(description="Preview")
    def preview_link(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview</a>',
            reverse("admin:articles_article_preview", args=[obj.pk]),
        )

    # --- extra screens --------------------------------------------------------------------------------

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        return [
            path("<int:pk>/preview/", wrap(self.preview_view), name="articles_article_preview"),
            path("<int:pk>/history/compare/", wrap(self.compare_view), name="articles_article_compare"),
            path(
                "<int:pk>/history/<int:version_id>/restore/",
                wrap(self.restore_view),
                name="articles_article_restore",
            ),
            # JSON endpoints: no redirect to the login page, a 401/403 the page can explain instead.
            path("autosave/", self.json_view(self.autosave_view), name="articles_article_autosave"),
            path("<int:pk>/autosave/", self.json_view(self.autosave_view), name="articles_article_autosave"),
            path("autosave/discard/", self.json_view(self.discard_view), name="articles_article_autosave_discard"),
            path(
                "<int:pk>/autosave/discard/",
                self.json_view(self.discard_view),
                name="articles_article_autosave_discard",
            ),
            path("<int:pk>/lock/", self.json_view(self.lock_view), name="articles_article_lock"),
            path("<int:pk>/images/", self.json_view(self.image_upload_view), name="articles_article_images"),
            path(
                "<int:pk>/images/<int:image_id>/",
                self.json_view(self.image_edit_view),
                name="articles_article_image_edit",
            ),
            path(
                "<int:pk>/images/<int:image_id>/remove/",
                self.json_view(self.image_remove_view),
                name="articles_article_image_remove",
            ),
            *super().get_urls(),
        ]

    # --- actions --------------------------------------------------------------------------------------

    def has_publish_permission(self, request):
        return can_publish(request)

    @admin.action(description="Publish selected articles now", permissions=["publish"])
    def publish_now(self, request, queryset):
        count = services.publish_articles(articles=queryset, user=request.user)
        self.message_user(request, f"Published {count} article(s).", messages.SUCCESS)

    @admin.action(description="Schedule selected articles…", permissions=["publish"])
    def schedule(self, request, queryset):
        form = ScheduleForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            publish_at = form.cleaned_data["publish_at"]
            count = services.publish_articles(articles=queryset, at=publish_at, user=request.user)
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
        count = services.unpublish_articles(articles=queryset, user=request.user)
        self.message_user(request, f"Unpublished {count} article(s).", messages.SUCCESS)

    @admin.action(description="Submit selected drafts for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        count = services.submit_for_review(
            articles=queryset.filter(pk__in=Article.objects.editable_by(request.user)), user=request.user
        )
        self.message_user(request, f"Submitted {count} draft(s) for review.", messages.SUCCESS)
