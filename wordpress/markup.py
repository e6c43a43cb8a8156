"""WordPress post content as the HTML an article body holds.

WordPress stores posts in one of two shapes: block markup (Gutenberg, 2018 on), where the HTML is complete and
wrapped in `<!-- wp:name {...} -->` comments; and classic content, where paragraphs are bare blank lines that
WordPress's `wpautop()` turns into `<p>` on every page view. Both carry shortcodes such as `[caption]`.
`to_html` gives plain HTML for either; the caller still passes it through `articles.sanitize.clean_html`.
"""

import html
import re
from html.parser import HTMLParser

BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:[^>]*?-->", re.DOTALL)
HAS_BLOCKS = re.compile(r"<!--\s*wp:")
CAPTION = re.compile(r"\[(caption|wp_caption)\b([^\]]*)\](.*?)\[/\1\]", re.DOTALL | re.IGNORECASE)
CAPTION_IMAGE = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.DOTALL | re.IGNORECASE)
SHORTCODE_ATTRIBUTE = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|(\S+))')
EMBED = re.compile(r"\[embed\b[^\]]*\](.*?)\[/embed\]", re.DOTALL | re.IGNORECASE)
# An embed block's URL sits alone in a wrapper div; WordPress turns it into a player, here it becomes a link.
EMBED_WRAPPER = re.compile(r'<div class="wp-block-embed__wrapper">\s*(https?://[^\s<]+)\s*</div>', re.IGNORECASE)

# Elements wpautop never wraps in a paragraph (WordPress's own list, less what the sanitizer drops anyway).
BLOCK_TAGS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote"
    "|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure"
    "|figcaption|details|menu|summary|iframe|script|video|audio|object"
)
OPENS_BLOCK = re.compile(rf"^\s*</?(?:{BLOCK_TAGS})\b", re.IGNORECASE)
BLOCK_BOUNDARY_BEFORE = re.compile(rf"(<(?:{BLOCK_TAGS})\b[^>]*>)", re.IGNORECASE)
BLOCK_BOUNDARY_AFTER = re.compile(rf"(</(?:{BLOCK_TAGS})>)", re.IGNORECASE)
PRE = re.compile(r"<pre\b.*?</pre>", re.DOTALL | re.IGNORECASE)


def to_html(content: str) -> str:
    """Block comments removed, captions as `<figure>`, and classic content's bare paragraphs made real."""
    content = (content or "").replace("\r\n", "\n").replace("\r", "\n")
    blocks = bool(HAS_BLOCKS.search(content))
    content = BLOCK_COMMENT.sub("", content)
    content = EMBED_WRAPPER.sub(lambda m: f'<p><a href="{m.group(1)}">{m.group(1)}</a></p>', content)
    content = EMBED.sub(lambda m: _link(m.group(1).strip()), content)
    content = CAPTION.sub(_caption, content)
    # WordPress skips wpautop for block content: its HTML is already complete.
    return content.strip() if blocks else autop(content)


def autop(text: str) -> str:
    """WordPress's wpautop, in short: blank lines separate paragraphs, a single newline is a line break,
    and block-level elements are left as they are. `<pre>` keeps its newlines."""
    if not text.strip():
        return ""
    kept: list[str] = []

    def keep(match):
        kept.append(match.group())
        return f"\n\n\x00{len(kept) - 1}\x00\n\n"

    text = PRE.sub(keep, text)
    text = BLOCK_BOUNDARY_BEFORE.sub(r"\n\n\1", text)
    text = BLOCK_BOUNDARY_AFTER.sub(r"\1\n\n", text)
    paragraphs = []
    for chunk in re.split(r"\n\s*\n", text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if OPENS_BLOCK.match(chunk) or re.fullmatch(r"\x00\d+\x00", chunk):
            paragraphs.append(chunk)
        else:
            paragraphs.append("<p>" + re.sub(r"\s*\n\s*", "<br>\n", chunk) + "</p>")
    text = "\n".join(paragraphs)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)


def _attributes(text: str) -> dict[str, str]:
    return {
        m.group(1).lower(): html.unescape(next(v for v in m.groups()[1:] if v is not None))
        for m in SHORTCODE_ATTRIBUTE.finditer(text)
    }


def _caption(match) -> str:
    attributes = _attributes(match.group(2))
    inner = match.group(3)
    image = CAPTION_IMAGE.match(inner)
    if image is None:
        return inner
    caption = image.group(2).strip() or html.escape(attributes.get("caption", ""))
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"<figure>{image.group(1).strip()}{figcaption}</figure>"


def _link(url: str) -> str:
    if not re.match(r"https?://", url):
        return html.escape(url)
    escaped = html.escape(url)
    return f'<p><a href="{escaped}">{escaped}</a></p>'


class _CommentText(HTMLParser):
    """Reader comments are stored as plain text (the comment section escapes them and makes links itself)."""

    BREAKS = {"p": "\n\n", "blockquote": "\n\n", "br": "\n", "li": "\n", "div": "\n\n"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hrefs: list[str | None] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skipping += 1
        elif tag == "a":
            self.hrefs.append(dict(attrs).get("href"))
        elif tag in self.BREAKS:
            self.parts.append(self.BREAKS[tag])

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")
        elif tag == "img" and (alt := dict(attrs).get("alt")):
            self.parts.append(alt)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skipping = max(0, self.skipping - 1)
        elif tag == "a" and self.hrefs:
            href = self.hrefs.pop()
            # The address stays readable (the comment section links it); nothing the reader wrote is dropped.
            if href and href.startswith(("http://", "https://")) and href not in self.parts[-1:]:
                self.parts.append(f" ({href})")
        elif tag in self.BREAKS:
            self.parts.append(self.BREAKS[tag])

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def comment_text(content: str) -> str:
    """A WordPress comment (text with a little HTML) as plain text: tags dropped, their words and links kept."""
    content = (content or "").replace("\r\n", "\n").replace("\r", "\n")
    if "<" not in content and "&" not in content:
        return content.strip()
    parser = _CommentText()
    parser.feed(content)
    parser.close()
    text = "".join(parser.parts)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def plain_text(content: str) -> str:
    """Text of a title or an excerpt: tags dropped, entities decoded, whitespace folded."""
    return " ".join(comment_text(content).split())
