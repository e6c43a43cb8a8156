import pytest

from articles.sanitize import clean_html

pytestmark = pytest.mark.django_db

HOSTILE = [
    '<script>alert("x")</script>',
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="java&#x09;script:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<p onclick="alert(1)" style="background:url(javascript:alert(1))">text</p>',
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(1)"><circle/></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    '<form action="https://evil.example"><input name="password"></form>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<<script>script>alert(1)<</script>/script>",
    '<img src="javascript:alert(1)">',
    '<div style="position:fixed;top:0">overlay</div>',
]
FORBIDDEN = ["<script", "onerror", "onload", "onclick", "javascript:", "vbscript:", "data:text", "<iframe", "<svg",
             "<form", "<input", "<object", "<embed", "<meta", "<base", "<link", "style="]  # fmt: skip


@pytest.mark.parametrize("dirty", HOSTILE)
def test_hostile_markup_is_defused(dirty):
    clean = clean_html(dirty).lower()
    for needle in FORBIDDEN:
        assert needle not in clean, (dirty, clean)


def test_newsroom_markup_survives():
    body = (
        '<p>First <em>graf</em> with <strong>weight</strong> and <a href="https://example.org/report">a link</a>.</p>'
        "<blockquote><p>A quote.</p></blockquote>"
        "<ul><li>One</li><li>Two</li></ul><ol><li>First</li></ol>"
        "<h2>Subhead</h2>"
    )
    clean = clean_html(body)
    for kept in ["<p>", "<em>graf</em>", "<strong>weight</strong>", "<blockquote>", "<ul><li>One</li>", "<ol>",
                 "<h2>Subhead</h2>", 'href="https://example.org/report"']:  # fmt: skip
        assert kept in clean
    assert 'rel="noopener noreferrer"' in clean


def test_the_article_page_serves_the_sanitized_body(client, make_article):
    article = make_article(body='<p>Safe words.</p><script>steal()</script><a href="javascript:steal()">x</a>')
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<p>Safe words.</p>" in html
    assert "steal()" not in html


def test_feeds_carry_no_markup_from_the_body(client, make_article):
    make_article(body="<p>Safe words.</p><script>steal()</script>")
    assert "steal()" not in client.get("/rss/").content.decode()
