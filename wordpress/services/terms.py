"""WordPress categories as sections, its tags as tags (a post's second category and on are tags too)."""

from urllib.parse import unquote

from django.db import transaction
from django.utils.text import slugify

from articles.models import Section, Tag
from wordpress import markup, wxr
from wordpress.services.authors import guest_author_for, guest_name
from wordpress.services.records import Kind, at_slug, find_mapping, found_or_created, mapped, remember_mapping, rename
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
    return _term_for(
        run,
        Section,
        Kind.CATEGORY,
        "sections",
        slug=slug,
        name=name,
        wp_id=wp_id,
        declared=declared,
        renames=True,
        description=markup.plain_text(description),
    )


def tag_for(run: ImportRun, *, slug: str, name: str, wp_id: int | None = None, declared: bool = False) -> int:
    return _term_for(run, Tag, Kind.TAG, "tags", slug=slug, name=name, wp_id=wp_id, declared=declared, renames=False)


def _term_for(
    run: ImportRun,
    model: type[Section | Tag],
    kind: str,
    row: str,
    *,
    slug: str,
    name: str,
    wp_id: int | None,
    declared: bool,
    renames: bool,
    **fields,
) -> int:
    """A section or a tag: found by its import record, else by slug or name, else created. The file `renames`
    sections; a tag keeps the name it was first given."""
    key = slug[:200] or slugify(name)[:200]
    if (pk := run.known(kind, key)) is not None:
        return pk
    name = markup.plain_text(name)[:100] or key
    mapping = find_mapping(run, kind, key=key)
    term = mapped(model, mapping)
    if term is None:
        found = at_slug(model, slugify(unquote(key))[:100]) or model.objects.filter(name=name).first()
        term = found_or_created(
            run, row, model, found, name=name, slug_from=key, fallback=name, limit=100, declared=declared, **fields
        )
    elif renames:
        rename(run, row, term, mapping, name, declared=declared, unique=True)
    else:
        run.tally[row, "unchanged"] += declared
    remember_mapping(run, kind, pk=term.pk, key=key, wp_id=wp_id, data={"name": name})
    run.remember(kind, key, term.pk)
    return term.pk


def default_section(run: ImportRun) -> int:
    return section_for(run, slug="uncategorized", name="Uncategorized")
