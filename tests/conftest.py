import itertools
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.utils import timezone

from articles.models import Article, Author, Byline, Section
from comments.models import Comment

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate limits and cached pages live in the cache; every test starts from an empty one.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def watch_cache_reads(monkeypatch):
    """Call it to start recording every key read from the cache (get and get_many); it returns the list."""

    def watch() -> list:
        read = []
        for name in ("get", "get_many"):
            original = getattr(cache, name)

            def spy(keys, *args, _original=original, **kwargs):
                read.extend([keys] if isinstance(keys, str) else keys)
                return _original(keys, *args, **kwargs)

            monkeypatch.setattr(cache, name, spy)
        return read

    return watch


@pytest.fixture(autouse=True)
def _rebuild_changed_pages_at_once(settings):
    # Most tests check what a page shows right after a change; gathering changes for one rebuild has its own
    # tests (tests/articles/test_stale_pages.py).
    settings.PAGE_CACHE_REBUILD_AFTER = 0


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 is slow on purpose; the suite logs in many users and checks roles, not hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db):
    def make(*, group: str | None = None, username: str | None = None, password: str = "pw", **extra) -> User:
        username = username or f"user{next(_seq)}"
        user = User.objects.create_user(
            username=username, password=password, email=f"{username}@example.com", is_staff=bool(group), **extra
        )
        if group:
            user.groups.add(Group.objects.get(name=group))
        return user

    return make


@pytest.fixture
def reporter(make_user):
    return make_user(group="Reporter", username="reporter")


@pytest.fixture
def editor(make_user):
    return make_user(group="Editor", username="editor")


@pytest.fixture
def moderator(make_user):
    return make_user(group="Moderator", username="moderator")


@pytest.fixture
def make_section(db):
    def make(name: str | None = None) -> Section:
        n = next(_seq)
        name = name or f"Section {n}"
        return Section.objects.create(name=name, slug=f"section-{n}")

    return make


@pytest.fixture
def make_author(db):
    def make(name: str | None = None, **extra) -> Author:
        n = next(_seq)
        return Author.objects.create(name=name or f"Author {n}", slug=f"author-{n}", **extra)

    return make


@pytest.fixture
def make_article(db, make_section, make_author):
    def make(*, authors=None, section=None, status=Article.Status.PUBLISHED, published_at=None, **extra) -> Article:
        n = next(_seq)
        if status == Article.Status.PUBLISHED and published_at is None:
            published_at = timezone.now() - timedelta(hours=1)
        defaults = {"headline": f"Headline number {n}", "slug": f"headline-{n}", "body": "<p>Story text.</p>"}
        defaults.update(extra)
        article = Article.objects.create(
            section=section or make_section(), status=status, published_at=published_at, **defaults
        )
        for position, author in enumerate(authors if authors is not None else [make_author()]):
            Byline.objects.create(article=article, author=author, position=position)
        return article

    return make


@pytest.fixture
def article(make_article):
    return make_article()


@pytest.fixture
def make_comment(db):
    def make(article, *, parent=None, **extra) -> Comment:
        n = next(_seq)
        defaults = {
            "author_name": f"Reader {n}",
            "author_email": f"reader{n}@example.com",
            "body": f"Comment number {n}.",
            "ip_address": "198.51.100.7",
        }
        defaults.update(extra)
        return Comment.objects.create(article=article, parent=parent, **defaults)

    return make
