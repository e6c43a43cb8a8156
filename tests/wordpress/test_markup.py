"""WordPress content to article HTML: block comments, captions, classic paragraphs, comment text."""

from articles.sanitize import clean_html
from wordpress.markup import autop, comment_text, plain_text, to_html


def test_classic_content_gets_paragraphs_and_line_breaks():
    assert autop("One\ntwo\n\nThree") == "<p>One<br>\ntwo</p>\n<p>Three</p>"


def test_block_level_elements_are_not_wrapped_and_pre_keeps_its_blank_lines():
    html = autop("Intro\n<ul>\n<li>a</li>\n</ul>\n<pre>x\n\ny</pre>\nEnd")
    assert "<p><ul>" not in html
    assert "<pre>x\n\ny</pre>" in html
    assert html.startswith("<p>Intro</p>")
    assert html.endswith("<p>End</p>")


def test_block_comments_go_and_block_html_is_not_reparagraphed():
    content = '<!-- wp:paragraph -->\n<p>Hi</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:latest-posts {"n":3} /-->'
    assert to_html(content) == "<p>Hi</p>"


def test_caption_shortcode_becomes_a_figure_with_its_caption():
    content = (
        '[caption id="attachment_5" align="alignleft" width="300"]'
        '<a href="/big.jpg"><img src="/p.jpg" alt="A" /></a> The <em>crowd</em>[/caption]'
    )
    html = to_html(content)
    assert html.startswith('<figure><a href="/big.jpg"><img src="/p.jpg" alt="A" /></a>')
    assert "<figcaption>The <em>crowd</em></figcaption>" in html
    assert "[caption" not in html and "[/caption]" not in html


def test_old_caption_attribute_form_is_read():
    html = to_html('[caption id="a" caption="Old &amp; style"]<img src="/p.jpg" />[/caption]')
    assert "<figcaption>Old &amp; style</figcaption>" in html


def test_embed_becomes_a_link():
    assert to_html("[embed]https://video.example.com/1[/embed]") == (
        '<p><a href="https://video.example.com/1">https://video.example.com/1</a></p>'
    )


def test_hostile_html_is_removed_by_the_sanitizer():
    html = clean_html(
        to_html('<img src="/x.jpg" onerror="alert(1)"><script>alert(2)</script>\n\n<a href="javascript:x()">y</a>')
    )
    assert "onerror" not in html and "<script" not in html and "javascript:" not in html
    assert '<img src="/x.jpg">' in html


def test_comment_html_becomes_text_keeping_words_and_link_addresses():
    text = comment_text(
        'Hi <a href="https://x.example/a">there</a> &amp; <em>you</em><br />next<p>para</p><script>bad()</script>'
    )
    assert text == "Hi there (https://x.example/a) & you\nnext\n\npara"


def test_plain_text_of_a_title_decodes_entities():
    assert plain_text("Mayor wins &#8220;second&#8221; <em>term</em>") == "Mayor wins “second” term"
