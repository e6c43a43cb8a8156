"""The comment list's bulk actions.

Every one goes through comments.moderation, so a select-all over a hundred thousand comments never loads them:
the confirmation page shows counts worked out in SQL, not a list of objects, and the action walks the set in
batches.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count, Exists, OuterRef
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

from articles.models import Article
from comments import moderation
from comments.admin.queues import QUEUES, Status, changelist_url, current_queue
from comments.models import Comment


class CommentActions:
    """The bulk actions of CommentAdmin, and the confirmation page they share."""

    @staticmethod
    def _select_across(request) -> bool:
        return request.POST.get("select_across", "0") not in ("", "0", "False", "false")

    def _scope(self, request) -> str:
        """Which filter a bulk action ran on, for the moderation record."""
        parts = [f"queue: {dict((k, label) for k, label, _ in QUEUES)[current_queue(request)]}"]
        for key, value in sorted(request.GET.items()):
            if key in ("queue", "p", "o", "e"):
                continue
            parts.append(f'search: "{value}"' if key == "q" else f"{key}={value}")
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        parts.append("all matching (select across)" if self._select_across(request) else f"{len(selected)} selected")
        return "; ".join(parts)

    def _confirm(self, request, queryset, *, action, title, question, counted=None, notes=(), danger=False):
        """The confirmation page: counts from SQL and the same selection posted back, never a list of rows."""
        counted = queryset if counted is None else counted
        breakdown = dict(counted.order_by().values_list("status").annotate(n=Count("pk")))
        total = sum(breakdown.values())
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "action": action,
            "question": question.format(count=f"{total:,}", s="" if total == 1 else "s"),
            "total": total,
            "breakdown": [(Status(s).label, breakdown[s]) for s in Status.values if breakdown.get(s)],
            "notes": [note for note in notes if note],
            "danger": danger,
            "scope": self._scope(request),
            "select_across": "1" if self._select_across(request) else "0",
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "back_url": request.get_full_path(),
        }
        return TemplateResponse(request, "admin/comments/comment/confirm_action.html", context)

    def _status_action(self, request, queryset, *, service, action, title, done):
        if self._select_across(request) and request.POST.get("post") != "yes":
            return self._confirm(
                request, queryset, action=action, title=title, question=title + " all {count} matching comment{s}?"
            )
        changed = service(comments=queryset, moderator=request.user, description=self._scope(request))
        self.message_user(request, f"{changed:,} comment{'s' if changed != 1 else ''} {done}.", messages.SUCCESS)
        return None

    @admin.action(description="Approve (publish)", permissions=["moderate"])
    def approve(self, request, queryset):
        return self._status_action(
            request, queryset, service=moderation.approve_comments, action="approve", title="Approve", done="approved"
        )

    @admin.action(description="Mark as spam", permissions=["moderate"])
    def mark_spam(self, request, queryset):
        return self._status_action(
            request,
            queryset,
            service=moderation.mark_spam,
            action="mark_spam",
            title="Mark as spam",
            done="marked spam",
        )

    @admin.action(description="Not spam (publish)", permissions=["moderate"])
    def mark_not_spam(self, request, queryset):
        return self._status_action(
            request,
            queryset,
            service=moderation.mark_not_spam,
            action="mark_not_spam",
            title="Mark as not spam",
            done="published as not spam",
        )

    @admin.action(description="Remove (keep replies)", permissions=["moderate"])
    def remove(self, request, queryset):
        return self._status_action(
            request, queryset, service=moderation.remove_comments, action="remove", title="Remove", done="removed"
        )

    @admin.action(description="Restore removed", permissions=["moderate"])
    def restore(self, request, queryset):
        return self._status_action(
            request,
            queryset,
            service=moderation.restore_comments,
            action="restore",
            title="Restore",
            done="restored",
        )

    @admin.action(description="Delete permanently", permissions=["purge"])
    def delete_permanently(self, request, queryset):
        if request.POST.get("post") != "yes":
            with_replies = queryset.filter(
                Exists(Comment.objects.filter(parent_id=OuterRef("pk")).exclude(status=Status.SPAM))
            ).count()
            return self._confirm(
                request,
                queryset,
                action="delete_permanently",
                title="Delete permanently",
                question="Delete {count} comment{s} permanently? This cannot be undone.",
                notes=[
                    with_replies
                    and f"{with_replies:,} of them have replies; where a reply stays, the comment stays too, "
                    "as “This comment was removed.”"
                ],
                danger=True,
            )
        result = moderation.delete_comments(comments=queryset, moderator=request.user, description=self._scope(request))
        self.message_user(request, f"Comments deleted: {result}.", messages.SUCCESS)
        return None

    @admin.action(description="Delete everything from these senders (by email or IP, site-wide)", permissions=["purge"])
    def delete_senders(self, request, queryset):
        """Ask how senders are matched (no default), show what each way would take, then delete.

        An IP address is often shared (offices, schools, mobile carriers), so the published comments of other
        email addresses that a match by IP would take are counted and sampled, and need their own tick.
        """
        match = request.POST.get("match", "")
        choices = dict(moderation.SenderMatch.CHOICES)
        error = ""
        if request.POST.get("post") == "yes":
            bystanders = moderation.sender_bystanders(queryset, match=match).count() if match in choices else 0
            if match not in choices:
                error = "Choose how to match the senders."
            elif bystanders and request.POST.get("include_bystanders") != "yes":
                error = (
                    f"Tick the box to confirm that the {bystanders:,} published comment(s) from other email "
                    "addresses go too, or match by email address only."
                )
            else:
                result = moderation.delete_from_senders(
                    comments=queryset, moderator=request.user, match=match, description=self._scope(request)
                )
                self.message_user(request, f"Comments from these senders: {result}.", messages.SUCCESS)
                return None
        emails, ips = moderation.senders_of(queryset)
        options = []
        for key, label in moderation.SenderMatch.CHOICES:
            counted = moderation.sender_comments(queryset, match=key)
            options.append(
                {
                    "key": key,
                    "label": label,
                    "total": counted.count(),
                    "published": counted.published().count(),
                    "bystanders": moderation.sender_bystanders(queryset, match=key).count(),
                }
            )
        sample = (
            moderation.sender_bystanders(queryset, match=moderation.SenderMatch.BOTH)
            .select_related("article")
            .order_by("-submitted_at")[:10]
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Delete everything from these senders",
            "opts": self.model._meta,
            "action": "delete_senders",
            "senders": f"{emails.count():,} email address(es) and {ips.count():,} IP address(es)",
            "options": options,
            "chosen": match,
            "error": error,
            "sample": sample,
            "scope": self._scope(request),
            "select_across": "1" if self._select_across(request) else "0",
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "back_url": request.get_full_path(),
        }
        status = 400 if error else 200
        return TemplateResponse(request, "admin/comments/comment/confirm_senders.html", context, status=status)

    @admin.action(description="Find more like these (same links or near-identical text)", permissions=["moderate"])
    def find_similar(self, request, queryset):
        limit = moderation.SIMILAR_SOURCES_MAX
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[: limit + 1])
        if len(ids) > limit:
            self.message_user(request, f"Compared with the first {limit} of the selection.", messages.WARNING)
        return HttpResponseRedirect(changelist_url(queue="all", like=",".join(map(str, ids[:limit]))))

    def _article_action(self, request, queryset, *, reopen: bool):
        """Close or reopen comments on the selection's articles: a change to the articles, so it asks first."""
        articles = Article.objects.filter(pk__in=queryset.order_by().values("article_id"))
        verb, done = ("reopen", "reopened") if reopen else ("close", "closed")
        if request.POST.get("post") != "yes":
            mode = Article.Comments.OPEN if reopen else Article.Comments.CLOSED
            count = articles.count()
            already = articles.filter(comments_mode=mode).count()
            headlines = list(articles.order_by("-published_at", "-pk").values_list("headline", flat=True)[:10])
            return self._confirm(
                request,
                queryset,
                action=f"{verb}_article_comments",
                title=f"{verb.capitalize()} comments on their articles",
                question=f"{verb.capitalize()} comments on {count:,} article{'' if count == 1 else 's'}?",
                notes=[
                    already and f"{already:,} of them are {done} already and stay as they are.",
                    "Articles: " + "; ".join(headlines) + ("; …" if count > len(headlines) else ""),
                    "The selected comments themselves are not changed.",
                ],
            )
        changed = moderation.close_comments(
            articles=articles, moderator=request.user, description=self._scope(request), reopen=reopen
        )
        self.message_user(request, f"Comments {done} on {changed:,} article(s).", messages.SUCCESS)
        return None

    @admin.action(description="Close comments on their articles", permissions=["moderate"])
    def close_article_comments(self, request, queryset):
        return self._article_action(request, queryset, reopen=False)

    @admin.action(description="Reopen comments on their articles", permissions=["moderate"])
    def reopen_article_comments(self, request, queryset):
        return self._article_action(request, queryset, reopen=True)
