"""The Content-Security-Policy: on every page, never `unsafe-inline` for scripts, and public pages that need none."""

import re

import pytest
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_only_own_styles(style_src: list[str]):
    """Stylesheets from our own origin and nothing else: no inline styles, no style attributes by hash."""
    assert style_src == ["'self'"]


def assert_no_inline_code(html: str, nonce: str | None):
    assert "style=" not in html
    assert "<style" not in html
    assert not re.search(r"\son[a-z]+\s*=", html, re.I), "inline event handler"
    for attributes in SCRIPT_TAG.findall(html):
        if "src=" in attributes:
            continue
        assert nonce and f'nonce="{nonce}"' in attributes, f"inline <script{attributes}> without the nonce"


@pytest.fixture
def public_pages(make_article, make_comment, make_author, settings):
    settings.PAGE_CACHE_SECONDS = 0
    author = make_author("Ann Able")
    article = make_article(authors=[author], lead_image="lead/tide.jpg", dek="A dek.")
    tag = article.tags.create(name="Harbor", slug="harbor")
    root = make_comment(article)
    make_comment(article, parent=make_comment(article, parent=root))
    return [
        "/",
        article.get_absolute_url(),
        f"{article.get_absolute_url()}?replyto={root.pk}",
        article.section.get_absolute_url(),
        tag.get_absolute_url(),
        author.get_absolute_url(),
        f"/comments/{root.pk}/report/",
        "/no-such-page/",
    ]


def test_public_pages_have_a_strict_policy_and_no_inline_code(client, public_pages):
    for url in public_pages:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        directives = policy(response)
        assert directives["script-src"][0] == "'self'"
        assert "'unsafe-inline'" not in directives["script-src"]
        assert_only_own_styles(directives["style-src"])
        assert directives["object-src"] == ["'none'"]
        nonces = [value[7:-1] for value in directives["script-src"] if value.startswith("'nonce-")]
        assert_no_inline_code(response.content.decode(), nonces[0] if nonces else None)


def test_json_ld_carries_the_nonce_of_its_response(client, article, settings):
    settings.PAGE_CACHE_SECONDS = 0
    response = client.get(article.get_absolute_url())
    nonce = next(v[7:-1] for v in policy(response)["script-src"] if v.startswith("'nonce-"))
    assert f'<script type="application/ld+json" nonce="{nonce}">' in response.content.decode()
    again = client.get(article.get_absolute_url())
    assert nonce not in again.headers["Content-Security-Policy"]


def test_a_page_from_the_page_cache_gets_a_policy_too(client, article, settings):
    settings.PAGE_CACHE_SECONDS = 300
    client.get(article.get_absolute_url())
    hit = client.get(article.get_absolute_url())
    assert hit["X-Page-Cache"] == "hit"
    assert "'unsafe-inline'" not in policy(hit)["script-src"]


@pytest.mark.parametrize(
    "url",
    [
        "/admin/login/",
        "/admin/",
        "/admin/articles/article/",
        "/admin/articles/article/add/",
        "/admin/comments/comment/",
        "/admin/comments/comment/dashboard/",
    ],
)
def test_admin_pages_have_a_policy_without_inline_scripts(client, url, article, make_comment):
    make_comment(article)
    if url != "/admin/login/":
        client.force_login(User.objects.create_superuser("chief", "chief@example.com", "pw"))
    response = client.get(url)
    assert response.status_code == 200
    directives = policy(response)
    assert "'unsafe-inline'" not in directives["script-src"]
    nonces = [value[7:-1] for value in directives["script-src"] if value.startswith("'nonce-")]
    for attributes in SCRIPT_TAG.findall(response.content.decode()):
        # A file, a data block, or (the rich-text editor's import map) an inline script carrying this response's nonce.
        nonced = bool(nonces) and f'nonce="{nonces[0]}"' in attributes
        assert "src=" in attributes or "application/json" in attributes or nonced, attributes


def test_admin_allows_inline_styles_and_nothing_that_would_cancel_them(client):
    assert policy(client.get("/admin/login/"))["style-src"] == ["'self'", "'unsafe-inline'"]


def test_admin_inline_styles_can_be_turned_off(client, settings):
    settings.CSP_ADMIN_INLINE_STYLES = False
    assert_only_own_styles(policy(client.get("/admin/login/"))["style-src"])
