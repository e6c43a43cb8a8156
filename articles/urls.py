from django.urls import path, re_path

from articles import feeds, views
from articles.cache import cache_article_page

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    re_path(
        r"^(?P<year>[0-9]{4})/(?P<month>[0-9]{2})/(?P<day>[0-9]{2})/(?P<slug>[-a-zA-Z0-9_]+)/$",
        cache_article_page(views.ArticleDetailView.as_view()),
        name="detail",
    ),
    path("search/", views.SearchView.as_view(), name="search"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("tag/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("author/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("rss/", feeds.LatestArticlesFeed(), name="rss"),
    path("atom/", feeds.LatestArticlesAtomFeed(), name="atom"),
    path("section/<slug:slug>/rss/", feeds.SectionFeed(), name="section-rss"),
    path("section/<slug:slug>/atom/", feeds.SectionAtomFeed(), name="section-atom"),
    path("author/<slug:slug>/rss/", feeds.AuthorFeed(), name="author-rss"),
    path("author/<slug:slug>/atom/", feeds.AuthorAtomFeed(), name="author-atom"),
]
