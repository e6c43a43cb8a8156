from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("<int:year>/<str:month>/<str:day>/<slug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path("section/<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("tag/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("author/<slug:slug>/", views.AuthorView.as_view(), name="author"),
]
