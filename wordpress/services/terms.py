"""WordPress categories as sections, its tags as tags (a post's second category and on are tags too)."""

from urllib.parse import unquote

from django.db import transaction
from django.utils.text import slugify

from articles.models import Section, Tag
from wordpress import markup, wxr
from wordpress.services.authors import guest_author_for, guest_name
from wordpress.services.records import Kind, find_mapping, remember_mapping, unique_slug
from wordpress.services.run import ImportRun


def import_term(*, run: ImportRun, term: wxr.Term) -> None:
    """A category becomes a section, a tag a tag, a Co-Authors Plus author term a guest author."""
    with transaction.atomic():
        if term.taxonomy == "category":
            section_for(
                run, slug=term.slug, name=term.name, wp_id=term.wp_id, description=term.description, declared=True
            )
        elif term.taxonomy == "post_tag":
            tag_for(run, slug=term.slug, name=term.name, wp_id=term.wp_id, declared=True)
        elif term.taxonomy == "author" and term.slug:
            guest_author_for(run, nicename=term.slug, name=guest_name(term.name, term.description), declared=True)


def section_for(
    run: ImportRun, *, slug: str, name: str, wp_id: int | None = None, description: str = "", declared: bool = False
) -> int:
    key = slug[:200] or slugify(name)[:200]
    if (pk := run.known(Kind.CATEGORY, key)) is not None:
        return pk
    name = markup.plain_text(name)[:100] or key
    mapping = find_mapping(run, Kind.CATEGORY, key=key)
    section = Section.objects.filter(pk=mapping.object_id).first() if mapping else None
    if section is not None:
        if mapping.data.get("name") != name and section.name != name and not Section.objects.filter(name=name).exists():
            section.name = name
            section.save(update_fields=["name"])
            run.tally["sections", "updated"] += 1
        else:
            run.tally["sections", "unchanged"] += declared
    else:
        wanted = slugify(unquote(key))[:100]
        section = Section.objects.filter(slug=wanted).first() if wanted else None
        section = section or Section.objects.filter(name=name).first()
        if section is None:
            section = Section.objects.create(
                name=name,
                slug=unique_slug(Section, key, fallback=name, limit=100),
                description=markup.plain_text(description),
            )
            run.tally["sections", "created"] += 1
        else:
            run.tally["sections", "unchanged"] += declared
    remember_mapping(run, Kind.CATEGORY, pk=section.pk, key=key, wp_id=wp_id, data={"name": name})
    run.remember(Kind.CATEGORY, key, section.pk)
    return section.pk


def tag_for(run: ImportRun, *, slug: str, name: str, wp_id: int | None = None, declared: bool = False) -> int:
    key = slug[:200] or slugify(name)[:200]
    if (pk := run.known(Kind.TAG, key)) is not None:
        return pk
    name = markup.plain_text(name)[:100] or key
    mapping = find_mapping(run, Kind.TAG, key=key)
    tag = Tag.objects.filter(pk=mapping.object_id).first() if mapping else None
    if tag is not None:
        run.tally["tags", "unchanged"] += declared
    else:
        wanted = slugify(unquote(key))[:100]
        tag = Tag.objects.filter(slug=wanted).first() if wanted else None
        tag = tag or Tag.objects.filter(name=name).first()
        if tag is None:
            tag = Tag.objects.create(name=name, slug=unique_slug(Tag, key, fallback=name, limit=100))
            run.tally["tags", "created"] += 1
        else:
            run.tally["tags", "unchanged"] += declared
    remember_mapping(run, Kind.TAG, pk=tag.pk, key=key, wp_id=wp_id, data={"name": name})
    run.remember(Kind.TAG, key, tag.pk)
    return tag.pk


def default_section(run: ImportRun) -> int:
    return section_for(run, slug="uncategorized", name="Uncategorized")
