"""The production set-up: deploy checks, static files, gunicorn, health checks, and the comment-page query plan."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from comments.management.commands.bench_comments import SHARED_GENERATOR, build_article, generate_thread
from comments.models import Comment
from comments.threads import get_page

BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DEBUG": "False",
    "SECRET_KEY": "x7Qp-production-key-for-the-deploy-check-9fK2mZ4vL8rT1wY6uN3bC5dH0jS",
    "ALLOWED_HOSTS": "news.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://news.example.com",
    "REDIS_URL": "redis://127.0.0.1:6379/9",
    "SECURE_HSTS_PRELOAD": "True",
    "TASK_BACKEND": "database",
    "AKISMET_API_KEY": "0123456789ab",
    "SITE_URL": "https://news.example.com",
}


# `check --deploy` verifies the Akismet key with one request: here Akismet is a stand-in answering "valid", through
# the transport knob comments.spam offers, so the check runs its real code without leaving the machine.
DEPLOY_CHECK = """
import django
import httpx

django.setup()
from comments import spam
from django.core.management import call_command

spam.http_transport = httpx.MockTransport(lambda request: httpx.Response(200, text="valid"))
call_command("check", deploy=True, fail_level="WARNING")
"""


def run_deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", DEPLOY_CHECK],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = run_deploy_check(PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_workers_would_not_share_the_page_cache():
    result = run_deploy_check({**PRODUCTION_ENV, "REDIS_URL": ""})
    assert result.returncode != 0
    assert "articles.W001" in result.stdout + result.stderr


def test_collectstatic_writes_compressed_hashed_files(tmp_path):
    storage = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storage):
        call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").is_file()
    hashed = [path for path in tmp_path.glob("newsroom.*.css")]
    assert hashed, "no hashed copy of newsroom.css"
    assert Path(f"{hashed[0]}.gz").is_file()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_gunicorn_serves_the_site_with_the_production_config(tmp_path):
    """The shipped gunicorn.conf.py boots the app with DEBUG off and answers the health check."""
    port = free_port()
    env = {
        **os.environ,
        **PRODUCTION_ENV,
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_ERROR_LOG": str(tmp_path / "gunicorn.log"),
    }
    if connection.vendor == "postgresql":
        # The test database exists for the length of the test; the health check only needs to reach it.
        db = connection.settings_dict
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        env["DATABASE_POOL"] = "1"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'site.sqlite3'}"
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", "gunicorn.conf.py", "newsroom.wsgi"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=15) as response:  # noqa: S310
                    status, body = response.status, response.read().decode()
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.2)
        log = (tmp_path / "gunicorn.log").read_text() if (tmp_path / "gunicorn.log").exists() else ""
        assert body is not None, f"gunicorn did not answer: {log}"
        assert status == 200
        assert '"database": "ok"' in body
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- Health check ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_reports_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_fails_without_the_database(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@pytest.mark.django_db
def test_healthz_stays_up_when_only_the_cache_is_down(client):
    caches = {
        "default": {
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=caches):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unavailable"}


# --- Benchmark data ----------------------------------------------------------------------------------


@pytest.mark.skipif(not SHARED_GENERATOR.is_file(), reason="the shared gen_thread.py is not beside the repository")
@pytest.mark.parametrize(("n", "spam"), [(235, 0.0), (600, 0.1)])
def test_builtin_thread_generator_matches_the_shared_one(n, spam):
    import json

    shared = subprocess.run(
        [sys.executable, str(SHARED_GENERATOR), str(n), str(spam)], capture_output=True, text=True, check=True
    ).stdout
    assert generate_thread(n, spam) == json.loads(shared)


@pytest.mark.django_db
def test_bench_comments_builds_the_thread_with_a_correct_tree(capsys):
    call_command("bench_comments", comments=235, spam_fraction=0.1)
    url = capsys.readouterr().out.strip()
    article = Article.objects.get(slug="allies-and-rivals-still-at-odds-over-missile-shield-235")
    assert url == article.get_absolute_url()
    data = generate_thread(235, 0.1)
    comments = {c.pk: c for c in Comment.objects.filter(article=article)}
    assert len(comments) == 235
    assert article.comment_count == sum(not c["is_spam"] for c in data["comments"])
    for comment in comments.values():
        if comment.parent_id is None:
            assert comment.thread_id == comment.pk and comment.depth == 0
        else:
            parent = comments[comment.parent_id]
            assert comment.thread_id == parent.thread_id
            assert comment.path.startswith(parent.path) and comment.depth == parent.depth + 1 <= 3

    # Built again: replaced, not doubled, and the next comment gets a fresh id.
    call_command("bench_comments", comments=235)
    article = Article.objects.get(slug=article.slug)
    assert article.comments.count() == 235
    fresh = Comment.objects.create(article=article, author_name="A", author_email="a@example.com", body="New.")
    assert fresh.pk > max(article.comments.exclude(pk=fresh.pk).values_list("pk", flat=True))


@pytest.mark.django_db
def test_bench_comments_refreshes_statistics_unless_told_not_to():
    for flags, expected in [((), True), (("--no-analyze",), False)]:
        with CaptureQueriesContext(connection) as ctx:
            call_command("bench_comments", "--comments", "20", *flags, stdout=StringIO(), stderr=StringIO())
        analyzed = any(q["sql"].upper().startswith("ANALYZE") for q in ctx.captured_queries)
        assert analyzed is expected


# --- Query plans ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_comment_page_queries_never_scan_the_comments_table():
    """EXPLAIN every query of the comment section on a table shaped like a busy site's."""
    if connection.vendor != "postgresql":
        pytest.skip("the query-plan check needs PostgreSQL's EXPLAIN")
    small = generate_thread(200)
    for n in range(60):
        build_article(small, slug=f"other-story-{n}")
    big = build_article(generate_thread(5000), slug="the-big-story")
    # Moderators removed some top-level comments that have replies: their placeholders are part of the page.
    removed = Comment.objects.filter(article=big, parent__isnull=True, replies__isnull=False).distinct()
    Comment.objects.filter(pk__in=[c.pk for c in removed[:40]]).update(status=Comment.Status.REMOVED)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comments_comment")
        cursor.execute("ANALYZE articles_article")

    for article in (big, Article.objects.get(slug="other-story-7")):
        for number in (1, 2, 40):
            with CaptureQueriesContext(connection) as ctx:
                page = get_page(article, number)
            assert page.comments, "the page under test must show comments"
            comment_queries = [q["sql"] for q in ctx.captured_queries if "comments_comment" in q["sql"]]
            assert comment_queries
            for sql in comment_queries:
                with connection.cursor() as cursor:
                    cursor.execute(f"EXPLAIN {sql}")
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                assert "Seq Scan on comments_comment" not in plan, f"{sql}\n{plan}"


def test_without_a_secret_key_production_settings_refuse_to_start():
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env={**env, **{key: value for key, value in PRODUCTION_ENV.items() if key != "SECRET_KEY"}},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "set SECRET_KEY in the environment" in result.stderr


def test_check_deploy_warns_without_site_url():
    result = run_deploy_check({**PRODUCTION_ENV, "SITE_URL": ""})
    assert result.returncode != 0
    assert "articles.W002" in result.stdout + result.stderr


@pytest.mark.django_db
def test_comment_page_stays_fast_right_after_a_bulk_insert_with_stale_statistics():
    """Statistics from a quiet site, then 5,000 comments at once: no plan may re-read the page's threads per row."""
    if connection.vendor != "postgresql":
        pytest.skip("the query-plan check needs PostgreSQL's EXPLAIN")
    build_article(generate_thread(235), slug="a-quiet-story")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE comments_comment")
    big = build_article(generate_thread(5000), slug="the-story-that-went-viral")  # no ANALYZE after it

    for number in (1, 2, 40):
        with CaptureQueriesContext(connection) as ctx:
            page = get_page(big, number)
        assert page.comments and page.number == number
        comment_queries = [q["sql"] for q in ctx.captured_queries if "comments_comment" in q["sql"]]
        assert comment_queries
        for sql in comment_queries:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
                plan = cursor.fetchone()[0][0]["Plan"]
            # Rows a node produced over all its loops: the rescanned roots were millions of rows.
            assert _rows_touched(plan) < 50_000, sql


def _rows_touched(node: dict) -> int:
    own = node.get("Actual Rows", 0) * node.get("Actual Loops", 1)
    return own + sum(_rows_touched(child) for child in node.get("Plans", []))
