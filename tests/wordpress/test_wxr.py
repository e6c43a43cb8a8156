"""The streaming reader: plain dataclasses out, clear errors for broken files, one item in memory at a time."""

import io
import multiprocessing
import tracemalloc
from datetime import UTC, datetime

import pytest

from tests.wordpress.conftest import DATA
from wordpress import services, wxr

WXR_1_0 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.0/"
     xmlns:excerpt="http://wordpress.org/export/1.0/excerpt/">
<channel><title>Old</title><link>http://old.example.com</link><wp:wxr_version>1.0</wp:wxr_version>
<item><title>First</title><link>http://old.example.com/?p=1</link><dc:creator>admin</dc:creator>
<content:encoded>Hello</content:encoded><excerpt:encoded>Short</excerpt:encoded>
<wp:post_id>1</wp:post_id><wp:post_date>2008-01-02 03:04:05</wp:post_date>
<wp:post_date_gmt>2008-01-02 08:04:05</wp:post_date_gmt><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<category><![CDATA[Uncategorized]]></category>
<category domain="category" nicename="uncategorized"><![CDATA[Uncategorized]]></category>
</item></channel></rss>"""


def read(data: bytes) -> list:
    return list(wxr.read_export(io.BytesIO(data)))


def test_site_authors_terms_and_items_come_in_file_order(site_export):
    with site_export.open("rb") as handle:
        entries = list(wxr.read_export(handle))
    assert isinstance(entries[0], wxr.Site)
    assert entries[0].key == "http://oldgazette.example.com"
    assert [a.login for a in entries if isinstance(a, wxr.Author)] == ["jsmith", "mjones"]
    terms = [(t.taxonomy, t.slug) for t in entries if isinstance(t, wxr.Term)]
    assert terms == [
        ("category", "news"),
        ("category", "politics"),
        ("post_tag", "elections"),
        ("author", "cap-jane-guest"),
    ]
    items = [e for e in entries if isinstance(e, wxr.Item)]
    assert [i.wp_id for i in items] == [10, 11, 12, 13, 14, 15, 16, 17, 18, 50]
    mayor = items[0]
    assert mayor.title == "Mayor wins &#8220;second&#8221; term"
    assert mayor.post_date_gmt == datetime(2012, 5, 2, 21, 47, tzinfo=UTC)
    assert mayor.is_sticky
    assert mayor.meta_value("_thumbnail_id") == "50"
    assert [(t.domain, t.slug) for t in mayor.terms][:2] == [("category", "politics"), ("category", "news")]
    assert len(mayor.comments) == 11
    assert {c.type for c in mayor.comments} == {"comment", "", "pingback", "trackback"}
    assert mayor.comments[4].author == "Zoë Ωmega"


def test_wxr_1_0_namespaces_and_bare_categories_are_read():
    site, item = read(WXR_1_0)
    assert site.version == "1.0"
    assert (item.wp_id, item.title, item.content, item.excerpt, item.creator) == (1, "First", "Hello", "Short", "admin")
    assert [(t.domain, t.slug) for t in item.terms] == [("", ""), ("category", "uncategorized")]


def test_zero_dates_of_drafts_are_none(site_export):
    with site_export.open("rb") as handle:
        draft = next(e for e in wxr.read_export(handle) if isinstance(e, wxr.Item) and e.wp_id == 13)
    assert draft.post_date_gmt is None
    assert draft.post_date == datetime(2012, 5, 4, 9, 0)  # noqa: DTZ001 - the site's local time, zone unknown here


def test_truncated_file_names_line_and_column_after_yielding_the_complete_items():
    data = (DATA / "truncated.xml").read_bytes()
    seen = []
    with pytest.raises(wxr.WxrError) as raised:
        for entry in wxr.read_export(io.BytesIO(data)):
            seen.append(entry)
    assert [e.wp_id for e in seen if isinstance(e, wxr.Item)] == [10, 11]
    assert raised.value.line == data.count(b"\n") + 1
    assert raised.value.column > 0
    assert f"line {raised.value.line}, column {raised.value.column}" in str(raised.value)


def test_malformed_markup_inside_an_item_is_reported_where_it_is():
    broken = WXR_1_0.replace(b"<content:encoded>Hello</content:encoded>", b"<content:encoded>Hello</oops>")
    with pytest.raises(wxr.WxrError, match=r"malformed .* at line 7, column \d+"):
        read(broken)


def test_a_file_that_is_not_an_export_is_refused():
    with pytest.raises(wxr.WxrError, match="not a WordPress export"):
        read(b"<html><body>Not an export</body></html>")


def test_memory_stays_flat_however_many_items():
    def export(items: int) -> bytes:
        item = (
            "<item><title>T</title><wp:post_id>{n}</wp:post_id><wp:post_type>post</wp:post_type>"
            "<content:encoded>" + "word " * 400 + "</content:encoded></item>"
        )
        body = "".join(item.format(n=n) for n in range(items))
        return WXR_1_0.replace(b"<item>", (body + "<item>").encode(), 1)

    def peak(data: bytes) -> int:
        stream = io.BytesIO(data)
        tracemalloc.start()
        try:
            for _ in wxr.read_export(stream):
                pass
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = export(200), export(4000)
    # Twenty times the items, yet the peak does not grow with them (a kept tree would hold ~8 MB more).
    assert peak(large) < peak(small) + 1_000_000


# --- Reading in a child process (what the import command does) ---------------------------------------------


def test_read_prepared_gives_every_entry_in_order_with_its_posts_prepared(site_export):
    read = [(entry, prepared) for entry, prepared, _ in services.read_prepared(site_export)]
    with site_export.open("rb") as handle:
        direct = list(wxr.read_export(handle))
    assert [entry for entry, _ in read] == direct
    for entry, prepared in read:
        is_post = isinstance(entry, wxr.Item) and entry.post_type == "post"
        assert (prepared is not None) == is_post
        if is_post:
            assert prepared.digest == entry.digest()


def test_read_prepared_raises_after_the_entries_before_a_malformed_spot():
    seen = []
    with pytest.raises(wxr.WxrError, match=r"line \d+, column \d+"):
        for entry, _, _ in services.read_prepared(DATA / "truncated.xml"):
            seen.append(entry)
    assert any(isinstance(entry, wxr.Item) for entry in seen)
    assert not multiprocessing.active_children()


def test_read_prepared_stops_its_reader_when_the_import_stops(site_export):
    entries = services.read_prepared(site_export, ahead=1)
    next(entries)
    entries.close()
    assert not multiprocessing.active_children()
