import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from articles.models import Article, ArticleRedirect, Author, Byline, Correction, Section

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "articles": sorted(Article.objects.values_list("slug", "status", "published_at")),
        "bylines": Byline.objects.count(),
        "authors": Author.objects.count(),
        "sections": Section.objects.count(),
        "corrections": Correction.objects.count(),
        "redirects": ArticleRedirect.objects.count(),
        "users": sorted(User.objects.values_list("username", flat=True)),
    }


@pytest.fixture
def seeded(settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    return capsys.readouterr().out


def test_seed_demo_builds_a_believable_newsroom(seeded, client):
    assert 25 <= Article.objects.count() <= 40
    statuses = set(Article.objects.values_list("status", flat=True))
    assert statuses == set(Article.Status.values)
    assert Article.objects.scheduled().count() >= 1
    assert Article.objects.published().count() >= 20
    assert any(len(a.byline_authors) >= 3 for a in Article.objects.with_bylines())
    assert Author.objects.filter(user__isnull=True).exists()  # guest and wire bylines
    assert Correction.objects.exists()
    # backdated demo stories must not all claim to have been updated
    assert [a.slug for a in Article.objects.published() if a.was_updated] == ["storm-season-outlook"]
    live = Article.objects.published().first()
    assert client.get(live.get_absolute_url()).status_code == 200


def test_seed_demo_prints_working_logins_for_each_role(seeded, client):
    for username, group in [("reporter", "Reporter"), ("editor", "Editor"), ("moderator", "Moderator")]:
        user = User.objects.get(username=username)
        assert user.groups.filter(name=group).exists()
        assert user.is_staff
        assert f"password: newsroom-{username}" in seeded
        assert client.login(username=username, password=f"newsroom-{username}")


def test_seed_demo_twice_gives_the_same_site(seeded, settings):
    before = snapshot()
    call_command("seed_demo")
    assert snapshot() == before
