"""A WordPress export (WXR 1.0 to 1.2) read as a stream.

`read_export` walks the file with `xml.etree.ElementTree.iterparse` and yields one plain dataclass per
top-level thing in the channel (the site, each author, each term, each item with its comments), clearing every
element once it has been turned into a dataclass: memory holds one item at a time whatever the file's size.

Nothing here knows about Django or the database; the write side is the `wordpress.services` package.
"""

import functools
import hashlib
import xml.etree.ElementTree as ET  # noqa: S405 - iterparse of a file the site owner exported; no entities expand
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO

# WordPress changed the version in its namespace with each WXR version: match on the start.
WP_NAMESPACE = "http://wordpress.org/export/"
CONTENT_NAMESPACE = "http://purl.org/rss/1.0/modules/content/"
DC_NAMESPACE = "http://purl.org/dc/elements/1.1/"
ZERO_DATE = "0000-00-00 00:00:00"


class WxrError(Exception):
    """The file is not a readable export; `line` and `column` say where (1-based line, 0-based column)."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"{message}{where}")
        self.line = line
        self.column = column


@dataclass(slots=True)
class Site:
    title: str = ""
    link: str = ""
    base_site_url: str = ""
    base_blog_url: str = ""
    version: str = ""

    @property
    def key(self) -> str:
        """What tells one WordPress site's ids from another's."""
        return (self.base_blog_url or self.link or self.base_site_url).rstrip("/")


@dataclass(slots=True)
class Author:
    login: str
    wp_id: int | None = None
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""

    @property
    def name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return self.display_name.strip() or full or self.login


@dataclass(slots=True)
class Term:
    taxonomy: str  # "category", "post_tag", or a custom taxonomy such as Co-Authors Plus's "author"
    slug: str
    name: str
    wp_id: int | None = None
    parent_slug: str = ""
    description: str = ""


@dataclass(slots=True)
class ItemTerm:
    """A `<category domain=... nicename=...>` on an item, in the order the item lists them."""

    domain: str
    slug: str
    name: str


@dataclass(slots=True)
class Comment:
    wp_id: int
    author: str = ""
    author_email: str = ""
    author_url: str = ""
    author_ip: str = ""
    date: datetime | None = None  # naive, the WordPress site's local time
    date_gmt: datetime | None = None  # aware, UTC
    content: str = ""
    approved: str = "1"  # "1", "0", "spam", "trash", "post-trashed"
    type: str = ""  # "" or "comment" for comments, "pingback", "trackback"
    parent_id: int = 0
    user_id: int = 0


@dataclass(slots=True)
class Item:
    wp_id: int
    post_type: str = "post"
    title: str = ""
    link: str = ""
    creator: str = ""
    content: str = ""
    excerpt: str = ""
    post_date: datetime | None = None
    post_date_gmt: datetime | None = None
    post_name: str = ""
    status: str = ""
    post_parent: int = 0
    password: str = ""
    is_sticky: bool = False
    attachment_url: str = ""
    terms: list[ItemTerm] = field(default_factory=list)
    meta: dict[str, list[str]] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)

    def meta_value(self, key: str) -> str:
        values = self.meta.get(key)
        return values[0] if values else ""

    def digest(self) -> str:
        """A fingerprint of everything the item carries: an unchanged item on a rerun needs no writing."""
        fields = [getattr(self, name) for name in self.__slots__ if name not in ("terms", "comments")]
        fields.append([(term.domain, term.slug, term.name) for term in self.terms])
        fields.append([[getattr(comment, name) for name in Comment.__slots__] for comment in self.comments])
        return hashlib.sha256(repr(fields).encode()).hexdigest()


Entry = Site | Author | Term | Item


def read_export(stream: IO[bytes]) -> Iterator[Entry]:
    """Yield the export's site once, then its authors, terms and items in file order.

    Raises WxrError naming the line and column of the first malformed spot; whatever was yielded before it
    stands, and the item it stopped in is never yielded.
    """
    parser = ET.iterparse(stream, events=("start", "end"))  # noqa: S314 - see the import
    depth = 0
    channel = None
    site = Site()
    site_sent = False
    try:
        for event, element in parser:
            if event == "start":
                depth += 1
                if depth == 2 and _local(element.tag) == "channel":
                    channel = element
                continue
            depth -= 1
            if depth == 0:
                if _local(element.tag) != "rss" or channel is None:
                    raise WxrError("This is not a WordPress export: no <rss><channel> at its top")
                break
            if depth != 2 or channel is None:
                continue
            prefix, name = _split(element.tag)
            entry = None
            if name == "item" and not prefix:
                entry = _item(element)
            elif prefix == "wp" and name == "author":
                entry = _author(element)
            elif prefix == "wp" and name in ("category", "tag", "term"):
                entry = _term(name, element)
            elif not site_sent:
                _site_field(site, prefix, name, element)
            if entry is not None:
                if not site_sent:
                    site_sent = True
                    yield site
                yield entry
            # Only the channel keeps hold of its children; emptying it lets each finished one be collected.
            channel.clear()
    except ET.ParseError as error:
        line, column = error.position
        message = str(error).split(":")[0]
        raise WxrError(f"The export is malformed or cut short ({message})", line=line, column=column) from None
    if channel is None:
        raise WxrError("This is not a WordPress export: no <rss><channel> at its top")
    if not site_sent:
        yield site


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@functools.lru_cache(maxsize=512)
def _split(tag: str) -> tuple[str, str]:
    """("wp" | "content" | "excerpt" | "dc" | "" , local name). Cached: an export repeats a few dozen tags."""
    if not tag.startswith("{"):
        return "", tag
    namespace, name = tag[1:].split("}", 1)
    if namespace.startswith(WP_NAMESPACE):
        return ("excerpt" if namespace.rstrip("/").endswith("excerpt") else "wp"), name
    if namespace == CONTENT_NAMESPACE:
        return "content", name
    if namespace == DC_NAMESPACE:
        return "dc", name
    return "other", name


def _site_field(site: Site, prefix: str, name: str, element) -> None:
    text = (element.text or "").strip()
    if not prefix and name in ("title", "link"):
        setattr(site, name, text)
    elif prefix == "wp" and name in ("base_site_url", "base_blog_url"):
        setattr(site, name, text)
    elif prefix == "wp" and name == "wxr_version":
        site.version = text


def _children(element) -> Iterator[tuple[str, str, object]]:
    for child in element:
        prefix, name = _split(child.tag)
        yield prefix, name, child


def _text(element) -> str:
    return element.text or ""


def _int(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        return 0


def _date(value: str) -> datetime | None:
    value = value.strip()
    if not value or value.startswith("0000"):
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)  # the caller knows the zone
    except ValueError:
        return None


def _utc(value: str) -> datetime | None:
    naive = _date(value)
    return naive.replace(tzinfo=UTC) if naive else None


def _author(element) -> Author:
    fields = {name: _text(child).strip() for prefix, name, child in _children(element) if prefix == "wp"}
    return Author(
        login=fields.get("author_login", ""),
        wp_id=_int(fields["author_id"]) if fields.get("author_id") else None,
        email=fields.get("author_email", ""),
        display_name=fields.get("author_display_name", ""),
        first_name=fields.get("author_first_name", ""),
        last_name=fields.get("author_last_name", ""),
    )


def _term(kind: str, element) -> Term:
    fields = {name: _text(child).strip() for prefix, name, child in _children(element) if prefix == "wp"}
    if kind == "category":
        taxonomy, slug, name = "category", fields.get("category_nicename", ""), fields.get("cat_name", "")
        parent, description = fields.get("category_parent", ""), fields.get("category_description", "")
    elif kind == "tag":
        taxonomy, slug, name = "post_tag", fields.get("tag_slug", ""), fields.get("tag_name", "")
        parent, description = "", fields.get("tag_description", "")
    else:
        taxonomy, slug, name = fields.get("term_taxonomy", ""), fields.get("term_slug", ""), fields.get("term_name", "")
        parent, description = fields.get("term_parent", ""), fields.get("term_description", "")
    term_id = fields.get("term_id")
    return Term(
        taxonomy=taxonomy,
        slug=slug,
        name=name or slug,
        wp_id=_int(term_id) if term_id else None,
        parent_slug=parent,
        description=description,
    )


def _comment(element) -> Comment:
    fields = {}
    for child in element:  # no _children() here: a generator per comment costs more than the rest of it
        prefix, name = _split(child.tag)
        if prefix == "wp":
            fields[name] = child.text or ""
    return Comment(
        wp_id=_int(fields.get("comment_id", "0")),
        author=fields.get("comment_author", "").strip(),
        author_email=fields.get("comment_author_email", "").strip(),
        author_url=fields.get("comment_author_url", "").strip(),
        author_ip=fields.get("comment_author_IP", "").strip(),
        date=_date(fields.get("comment_date", "")),
        date_gmt=_utc(fields.get("comment_date_gmt", "")),
        content=fields.get("comment_content", ""),
        approved=fields.get("comment_approved", "1").strip(),
        type=fields.get("comment_type", "").strip(),
        parent_id=_int(fields.get("comment_parent", "0")),
        user_id=_int(fields.get("comment_user_id", "0")),
    )


def _item(element) -> Item:
    item = Item(wp_id=0)
    for prefix, name, child in _children(element):
        if not prefix:
            if name == "title":
                item.title = _text(child).strip()
            elif name == "link":
                item.link = _text(child).strip()
            elif name == "category":
                item.terms.append(
                    ItemTerm(domain=child.get("domain", ""), slug=child.get("nicename", ""), name=_text(child).strip())
                )
        elif prefix == "dc" and name == "creator":
            item.creator = _text(child).strip()
        elif prefix == "content" and name == "encoded":
            item.content = _text(child)
        elif prefix == "excerpt" and name == "encoded":
            item.excerpt = _text(child)
        elif prefix == "wp":
            _item_wp_field(item, name, child)
    return item


def _item_wp_field(item: Item, name: str, child) -> None:
    text = _text(child)
    if name == "post_id":
        item.wp_id = _int(text)
    elif name == "post_type":
        item.post_type = text.strip()
    elif name == "post_date":
        item.post_date = _date(text)
    elif name == "post_date_gmt":
        item.post_date_gmt = _utc(text)
    elif name == "post_name":
        item.post_name = text.strip()
    elif name == "status":
        item.status = text.strip()
    elif name == "post_parent":
        item.post_parent = _int(text)
    elif name == "post_password":
        item.password = text
    elif name == "is_sticky":
        item.is_sticky = text.strip() == "1"
    elif name == "attachment_url":
        item.attachment_url = text.strip()
    elif name == "postmeta":
        key = value = ""
        for prefix, meta_name, meta in _children(child):
            if prefix == "wp" and meta_name == "meta_key":
                key = _text(meta).strip()
            elif prefix == "wp" and meta_name == "meta_value":
                value = _text(meta)
        if key:
            item.meta.setdefault(key, []).append(value)
    elif name == "comment":
        item.comments.append(_comment(child))
