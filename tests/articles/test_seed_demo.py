import io
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from articles.management.commands.rundemo import Command as RundemoCommand
from articles.management.commands.seed_demo import draw_lead_image
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


def test_rerun_keeps_an_editors_rename_and_its_redirect(seeded, client):
    article = Article.objects.get(slug="ferry-pilot-approved")
    old_url = article.get_absolute_url()
    article.slug = "ferry-pilot-gets-the-green-light"
    article.headline = "Ferry pilot gets the green light"
    article.save()
    call_command("seed_demo")
    assert not Article.objects.filter(slug="ferry-pilot-approved").exists()
    assert Article.objects.filter(headline__startswith="Ferry pilot gets").count() == 1
    response = client.get(old_url)
    assert response.status_code == 301 and response["Location"] == article.get_absolute_url()


def test_rerun_changes_nothing_of_the_newsrooms_work(seeded, make_article):
    Article.objects.filter(slug="draft-water-rates").delete()  # an editor's choice stands too
    real = make_article(headline="Reporter's scoop", slug="budget-vote-slips-to-friday", body="<p>Mine.</p>")
    before = snapshot()
    call_command("seed_demo")
    assert snapshot() == before
    real.refresh_from_db()
    assert not real.is_demo and real.body == "<p>Mine.</p>"


def test_every_row_the_demo_makes_is_marked(seeded):
    assert not Article.objects.filter(is_demo=False).exists()
    assert not Author.objects.filter(is_demo=False).exists()
    assert not Section.objects.filter(is_demo=False).exists()


def test_demo_article_never_shares_an_address_with_a_real_one(settings, tmp_path, make_article):
    settings.MEDIA_ROOT = tmp_path
    real = make_article(slug="budget-vote-slips-to-friday", published_at=timezone.now())
    call_command("seed_demo", stdout=StringIO())
    demo = Article.objects.get(is_demo=True, headline__startswith="Budget vote slips")
    assert demo.get_absolute_url() != real.get_absolute_url()


def test_lead_images_vary_and_are_drawn_the_same_every_time(seeded, tmp_path):
    images = set(Article.objects.values_list("lead_image", flat=True))
    assert len(images) == Article.objects.count()
    assert all((tmp_path / name).is_file() for name in images)
    first, again = io.BytesIO(), io.BytesIO()
    draw_lead_image(3, (30, 100, 120)).save(first, format="PNG")
    draw_lead_image(3, (30, 100, 120)).save(again, format="PNG")
    assert first.getvalue() == again.getvalue()
    other = io.BytesIO()
    draw_lead_image(4, (30, 100, 120)).save(other, format="PNG")
    assert other.getvalue() != first.getvalue()


def test_article_bodies_read_like_full_stories(seeded):
    for body in Article.objects.values_list("body", flat=True):
        assert body.count("<p>") >= 7


def test_make_run_prints_the_logins_after_the_server_banner():
    command = RundemoCommand(stdout=StringIO())
    command.addr, command._raw_ipv6, command.protocol = "127.0.0.1", False, "http"
    command.on_bind("8111")
    output = command.stdout.getvalue()
    assert output.index("Quit the server") < output.index("Demo logins:")
    assert "Site:  http://127.0.0.1:8111/" in output
    assert output.rstrip().endswith("moderates comments; no article editing")
    for username in ("reporter", "editor", "moderator"):
        assert f"password: newsroom-{username}" in output


def test_seed_demo_can_leave_the_logins_to_make_run(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = StringIO()
    call_command("seed_demo", "--no-logins", stdout=out)
    assert "password:" not in out.getvalue()


def test_rerun_leaves_a_changed_demo_password_alone(seeded):
    editor = User.objects.get(username="editor")
    editor.set_password("a-password-the-editor-chose")
    editor.save()
    call_command("seed_demo", stdout=StringIO())
    editor.refresh_from_db()
    assert editor.check_password("a-password-the-editor-chose")
