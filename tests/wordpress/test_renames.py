"""Names on a rerun: what WordPress renamed since the last import follows, what an editor renamed in Newsroom stays."""

import pytest

from articles.models import Author, Section, Tag
from tests.wordpress.conftest import summary_line

pytestmark = pytest.mark.django_db


def renamed_export(site_export, tmp_path, *pairs: tuple[str, str]):
    text = site_export.read_text()
    for old, new in pairs:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "renamed.xml"
    path.write_text(text)
    return path


def test_names_changed_in_wordpress_follow_on_a_rerun_but_tags_keep_theirs(import_wxr, site_export, tmp_path):
    import_wxr(site_export)
    output = import_wxr(
        renamed_export(
            site_export,
            tmp_path,
            ("[John Smith]]></wp:author_display_name>", "[Johnny Smith]]></wp:author_display_name>"),
            ("<wp:cat_name><![CDATA[Politics]]>", "<wp:cat_name><![CDATA[Government]]>"),
            ("<wp:tag_name><![CDATA[Elections]]>", "<wp:tag_name><![CDATA[Votes]]>"),
        )
    )
    assert Author.objects.get(slug="jsmith").name == "Johnny Smith"
    assert Section.objects.get(slug="politics").name == "Government"
    assert Tag.objects.get(slug="elections").name == "Elections"
    assert summary_line(output, "authors")[:2] == [0, 1]
    assert summary_line(output, "sections")[:2] == [0, 1]
    assert summary_line(output, "tags")[:2] == [0, 0]


def test_names_an_editor_changed_survive_a_rerun_of_the_same_file(import_wxr, site_export):
    import_wxr(site_export)
    Author.objects.filter(slug="jsmith").update(name="J. Smith")
    Section.objects.filter(slug="politics").update(name="Politics & Government")
    output = import_wxr(site_export)
    assert Author.objects.get(slug="jsmith").name == "J. Smith"
    assert Section.objects.get(slug="politics").name == "Politics & Government"
    assert summary_line(output, "authors")[:2] == [0, 0]
    assert summary_line(output, "sections")[:2] == [0, 0]


def test_section_renamed_to_a_name_another_section_has_keeps_its_own(import_wxr, site_export, tmp_path, make_section):
    import_wxr(site_export)
    make_section("Government")
    output = import_wxr(
        renamed_export(
            site_export, tmp_path, ("<wp:cat_name><![CDATA[Politics]]>", "<wp:cat_name><![CDATA[Government]]>")
        )
    )
    assert Section.objects.get(slug="politics").name == "Politics"
    assert summary_line(output, "sections")[:2] == [0, 0]


def test_new_author_section_and_tag_are_created_once_and_counted(import_wxr, site_export):
    output = import_wxr(site_export)
    assert Author.objects.filter(slug="jsmith").count() == 1
    assert summary_line(output, "authors")[0] == Author.objects.count()
    assert summary_line(output, "sections")[0] == Section.objects.count()
    assert summary_line(output, "tags")[0] == Tag.objects.count()
