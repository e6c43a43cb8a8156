from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("<int:pk>/", views.permalink, name="permalink"),
    path("post/<int:article_id>/", views.post, name="post"),
    path("<int:pk>/report/", views.report, name="report"),
]
