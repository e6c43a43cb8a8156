"""In a real browser the Content-Security-Policy blocks nothing our own pages need."""


def csp_violations(page, path: str) -> list[str]:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(path)
    page.wait_for_load_state("networkidle")
    return violations


def test_article_page_with_comments_runs_without_violations(page, live_url, article, make_comment):
    root = make_comment(article)
    make_comment(article, parent=root)
    assert csp_violations(page, article.get_absolute_url()) == []


def test_admin_pages_run_without_violations(page, live_url, editor, article):
    page.goto("/admin/login/?next=/admin/articles/article/add/")
    page.get_by_label("Username").fill(editor.username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/articles/article/add/")
    assert csp_violations(page, "/admin/articles/article/add/") == []
    assert csp_violations(page, "/admin/comments/comment/dashboard/") == []


def test_article_page_from_the_page_cache_runs_without_violations(page, live_url, article, make_comment):
    make_comment(article)
    assert csp_violations(page, article.get_absolute_url()) == []
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text))
    response = page.goto(article.get_absolute_url())
    page.wait_for_load_state("networkidle")
    assert response.headers["x-page-cache"] == "hit"
    assert [text for text in violations if "Content Security Policy" in text] == []
