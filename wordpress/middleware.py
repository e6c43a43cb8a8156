"""Old WordPress addresses answer 301 with the imported article's address.

Normal pages pay nothing: the tables are read only for a response that is already a 404, or for a home-page
request carrying one of WordPress's query-string addresses (`/?p=ID`, `/?page_id=ID`, `/?attachment_id=ID`).
"""

from urllib.parse import unquote

from django.http import HttpResponsePermanentRedirect

from articles.models import Article
from wordpress.models import LegacyPath, WordPressObject

QUERY_KINDS = {
    "p": WordPressObject.Kind.POST,
    "page_id": WordPressObject.Kind.POST,
    "attachment_id": WordPressObject.Kind.ATTACHMENT,
}


class LegacyRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/" and request.method in ("GET", "HEAD") and request.GET:
            article = self._by_query(request.GET)
            if article is not None:
                return HttpResponsePermanentRedirect(article.get_absolute_url())
        response = self.get_response(request)
        if response.status_code == 404 and request.method in ("GET", "HEAD"):
            article = self._by_path(request.path)
            if article is not None:
                return HttpResponsePermanentRedirect(article.get_absolute_url())
        return response

    @staticmethod
    def _by_query(query) -> Article | None:
        for name, kind in QUERY_KINDS.items():
            value = query.get(name, "")
            if value.isdigit() and len(value) < 19:
                ids = WordPressObject.objects.filter(kind=kind, wp_id=int(value), object_id__isnull=False)
                return Article.objects.published().filter(pk__in=ids.values("object_id")).first()
        return None

    @staticmethod
    def _by_path(path: str) -> Article | None:
        candidates = {path, unquote(path)}
        candidates |= {p.rstrip("/") if p.endswith("/") else p + "/" for p in list(candidates)}
        ids = LegacyPath.objects.filter(path__in=candidates).values("article_id")
        return Article.objects.published().filter(pk__in=ids).first()
