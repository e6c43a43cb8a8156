"""The desk's extra screens and JSON endpoints on the article admin: preview, history, compare and restore,
autosave, edit locks and the article's photos."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST
from PIL import Image

from articles import revisions, services
from articles.admin.common import HISTORY_PER_PAGE, display_name, local_time
from articles.forms import ArticleImageDetailsForm, ArticleImageForm
from articles.models import Article, ArticleImage
from articles.views import ArticlePreviewView


class DeskViews:
    """Mixed into ArticleAdmin, whose get_urls routes to these views."""

    def preview_view(self, request, pk):
        """The article page exactly as readers will see it, whatever the article's status."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return ArticlePreviewView.as_view(queryset=self.get_queryset(request))(request, pk=pk)

    def history_view(self, request, object_id, extra_context=None):
        """Every revision of the article: who, when, what changed; pick two to compare, or restore one."""
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_or_change_permission(request, article):
            raise Http404
        # A page of revisions at a time, like Django's own history: the screen costs the same for 5 or 5,000.
        page = Paginator(revisions.article_versions(article), HISTORY_PER_PAGE).get_page(request.GET.get("p"))
        versions = list(page.object_list)
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {article}",
            "subtitle": None,
            "opts": self.opts,
            "object": article,
            "original": article,
            "versions": versions,
            "page": page,
            "newest_first": page.number == 1,
            "can_restore": self.has_change_permission(request, article),
            "keep": settings.ARTICLE_REVISIONS_KEEP,
        }
        return TemplateResponse(request, "admin/articles/article/object_history.html", context)

    def compare_view(self, request, pk):
        article = self.get_object(request, str(pk))
        if article is None or not self.has_view_or_change_permission(request, article):
            raise Http404
        versions = revisions.article_versions(article)
        try:
            ids = sorted(int(request.GET[key]) for key in ("a", "b"))
        except (KeyError, ValueError):
            messages.error(request, "Pick two revisions to compare.")
            return HttpResponseRedirect(reverse("admin:articles_article_history", args=[pk]))
        found = {version.pk: version for version in versions.filter(pk__in=ids)}
        if len(found) != len(set(ids)):
            raise Http404("No such revision of this article.")
        old, new = found[ids[0]], found[ids[1]]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Compare revisions: {article}",
            "subtitle": None,
            "opts": self.opts,
            "object": article,
            "original": article,
            "old": old,
            "new": new,
            "old_who": revisions.who(old),
            "new_who": revisions.who(new),
            "diff": revisions.compare(old, new),
            "can_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def restore_view(self, request, pk, version_id):
        article = self.get_object(request, str(pk))
        if article is None:
            raise Http404
        if request.method != "POST" or not self.has_change_permission(request, article):
            raise PermissionDenied
        version = get_object_or_404(revisions.article_versions(article), pk=version_id)
        services.restore_version(article=article, version=version, user=request.user)
        when = local_time(version.revision.date_created)
        self.message_user(request, f"Restored the version from {when}; it is a new revision.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[pk]))

    def json_view(self, view):
        @never_cache
        @csrf_protect
        @require_POST
        def wrapper(request, pk=None, **kwargs):
            user = request.user
            if not user.is_active or not user.is_staff:
                return JsonResponse({"error": "login", "message": "Your login expired."}, status=401)
            article = None
            if pk is not None:
                # A plain fetch: the permission check below decides what this user may touch. These endpoints
                # need the version, never the text, which can be long.
                article = Article.objects.only("pk", "version", "status").filter(pk=pk).first()
                if article is None:
                    return JsonResponse({"error": "missing", "message": "No such article."}, status=404)
            allowed = self.has_change_permission(request, article) if article else self.has_add_permission(request)
            if not allowed:
                return JsonResponse({"error": "forbidden", "message": "You may not edit this article."}, status=403)
            return view(request, article, **kwargs)

        return wrapper

    def autosave_view(self, request, article):
        try:
            payload = json.loads(request.body or b"{}")
            assert isinstance(payload, dict)  # noqa: S101 -- turned into the 400 below
        except (ValueError, AssertionError):
            return JsonResponse({"error": "invalid", "message": "Send the fields as a JSON object."}, status=400)
        version = payload.get("version")
        saved_at = services.autosave(
            user=request.user,
            article=article,
            data=payload,
            base_version=version if isinstance(version, int) else None,
        )
        answer = {"saved_at": saved_at.isoformat(), "saved": local_time(saved_at)}
        if article is not None:
            answer["stale"] = isinstance(version, int) and version != article.version
        return JsonResponse(answer)

    def image_upload_view(self, request, article):
        """A photo for this article's text, from the picker under the editor: 201 with what to insert."""
        form = ArticleImageForm(request.POST, request.FILES)
        if not form.is_valid():
            message = " ".join(str(error) for errors in form.errors.values() for error in errors)
            return JsonResponse({"error": "invalid", "message": message, "fields": form.errors}, status=400)
        try:
            with transaction.atomic():
                photo = services.add_article_image(article=article, user=request.user, **form.cleaned_data)
        except (OSError, Image.DecompressionBombError):
            # Pillow could read the header but not the picture (a truncated or oversized file).
            return JsonResponse({"error": "invalid", "message": "That file could not be read as a photo."}, status=400)
        return JsonResponse(photo.as_figure(), status=201)

    @staticmethod
    def _photo(article, image_id) -> ArticleImage | None:
        return ArticleImage.objects.filter(article=article, pk=image_id).first()

    def image_edit_view(self, request, article, image_id):
        """New alt text, caption and credit for one of this article's uploads: 200 with the photo as listed."""
        photo = self._photo(article, image_id)
        if photo is None:
            return JsonResponse({"error": "missing", "message": "No such photo on this article."}, status=404)
        try:
            payload = json.loads(request.body or b"{}")
            assert isinstance(payload, dict)  # noqa: S101 -- turned into the 400 below
            assert all(isinstance(payload.get(name, ""), str) for name in ("alt", "caption", "credit"))  # noqa: S101
        except (ValueError, AssertionError):
            message = "Send the alt text, caption and credit as a JSON object of strings."
            return JsonResponse({"error": "invalid", "message": message}, status=400)
        form = ArticleImageDetailsForm(payload)
        if not form.is_valid():
            message = " ".join(str(error) for errors in form.errors.values() for error in errors)
            return JsonResponse({"error": "invalid", "message": message, "fields": form.errors}, status=400)
        services.change_article_image(photo=photo, **form.cleaned_data)
        return JsonResponse(photo.as_figure())

    def image_remove_view(self, request, article, image_id):
        """Delete one of this article's uploads, unless its text (saved or autosaved) shows it: then a 409."""
        photo = self._photo(article, image_id)
        if photo is None:
            return JsonResponse({"error": "missing", "message": "No such photo on this article."}, status=404)
        try:
            services.remove_article_image(photo=photo, user=request.user)
        except services.PhotoInUse as refusal:
            return JsonResponse({"error": "in_use", "message": str(refusal)}, status=409)
        return JsonResponse({"removed": image_id})

    def discard_view(self, request, article):
        services.discard_draft(user=request.user, article=article)
        return JsonResponse({"discarded": True})

    def lock_view(self, request, article):
        take = request.GET.get("take") == "1" or request.POST.get("take") == "1"
        if request.GET.get("release") == "1":
            services.release_lock(article=article, user=request.user)
            return JsonResponse({"released": True})
        if not take and services.keep_lock_alive(article=article, user=request.user):
            # Still ours: the page needs no more than that (who and since are shown only for someone else).
            return JsonResponse({"mine": True, "holder": display_name(request.user), "version": article.version})
        lock = services.touch_lock(article=article, user=request.user, take=take)
        return JsonResponse(
            {
                "mine": lock.user_id == request.user.pk,
                "holder": display_name(lock.user),
                "since": local_time(lock.since),
                "version": article.version,
            }
        )
