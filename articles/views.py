from datetime import date
from urllib.parse import urlencode

from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.views.generic import DetailView, ListView

from articles import search
from articles.models import Article, Author, Section, Tag

ARTICLES_PER_PAGE = 20


class HomeView(ListView):
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    paginate_by = ARTICLES_PER_PAGE

    def get_queryset(self):
        # Built per request: published() reads the clock, which is what makes scheduled articles go live.
        return Article.objects.published().with_bylines()


class SectionView(HomeView):
    template_name = "articles/section_detail.html"

    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        return super().get_queryset().filter(section=self.section)

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)


class TagView(HomeView):
    template_name = "articles/tag_detail.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class AuthorView(HomeView):
    template_name = "articles/author_detail.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_queryset().filter(bylines__author=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class SearchView(ListView):
    """/search/?q=: published articles matching the reader's words, best first (articles/search.py)."""

    template_name = "articles/search.html"
    context_object_name = "articles"
    paginate_by = search.RESULTS_PER_PAGE

    def get_queryset(self):
        typed = self.request.GET.get("q", "")
        self.query = search.clean_query(typed)
        self.shortened = len(" ".join(typed.split())) > search.MAX_QUERY_LENGTH
        return search.search_articles(Article.objects.published().with_bylines(), self.query)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            query=self.query,
            more_results=self.object_list.more,
            timed_out=self.object_list.timed_out,
            searchable=bool(search.parse_query(self.query)),
            shortened=self.shortened,
            max_query_length=search.MAX_QUERY_LENGTH,
            query_string=urlencode({"q": self.query}),
            **kwargs,
        )
        context["results"] = [(article, search.excerpt(article, self.query)) for article in context["articles"]]
        return context


class ArticleDetailView(DetailView):
    """The article page at /YYYY/MM/DD/slug/ (the date is the publication date in the site's zone)."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"
    preview = False

    def get_queryset(self):
        return Article.objects.published()

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            moved = self.get_queryset().filter(redirects__old_path=request.path).first()
            if moved is None:
                raise
            location = moved.get_absolute_url()
            if request.META.get("QUERY_STRING"):
                location = f"{location}?{request.META['QUERY_STRING']}"
            return HttpResponsePermanentRedirect(location)

    def get_object(self, queryset=None):
        try:
            day = date(int(self.kwargs["year"]), int(self.kwargs["month"]), int(self.kwargs["day"]))
        except ValueError:
            raise Http404("No such date.") from None
        queryset = self._with_page_relations(self.get_queryset() if queryset is None else queryset)
        article = queryset.on_day(day).filter(slug=self.kwargs["slug"]).first()
        if article is None:
            raise Http404("No article at this address.")
        return article

    @staticmethod
    def _with_page_relations(queryset):
        return queryset.with_bylines().prefetch_related("tags", "corrections")

    def get_context_data(self, **kwargs):
        # `section` lights up the article's section in the navigation.
        return super().get_context_data(preview=self.preview, section=self.object.section, **kwargs)


class ArticlePreviewView(ArticleDetailView):
    """Staff preview (wired up in the admin): the reader's page, for an article in any status."""

    preview = True
    queryset = None

    def get_queryset(self):
        return self.queryset

    def get(self, request, *args, **kwargs):
        response = DetailView.get(self, request, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        response["X-Robots-Tag"] = "noindex"
        return response

    def get_object(self, queryset=None):
        # The admin hands over its own queryset (a reporter sees only their work); its prefetches are dropped.
        queryset = self._with_page_relations(self.get_queryset().prefetch_related(None))
        return get_object_or_404(queryset, pk=self.kwargs["pk"])
