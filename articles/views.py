from django.views.generic import DetailView, ListView

from articles.models import Article


class HomeView(ListView):
    queryset = Article.objects.published()


class ArticleDetailView(DetailView):
    queryset = Article.objects.published()


SectionView = TagView = AuthorView = HomeView
