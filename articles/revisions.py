"""Article revisions (django-reversion): what is kept, how many, and how two of them compare."""

import difflib
import re
from dataclasses import dataclass

import reversion
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import strip_tags
from reversion.models import Revision, Version
from reversion.signals import post_revision_commit

from articles.models import Article, Author, Byline, Correction, Section, Tag

reversion.register(Byline)
reversion.register(Correction)
reversion.register(
    Article,
    follow=["bylines", "corrections"],
    exclude=["comment_count", "lead_image_renditions", "version", "search_vector", "is_demo"],
)

# Fields compared one by one, in the order the form shows them (the body gets a word-level diff of its own).
COMPARED_FIELDS = [
    "headline", "slug", "dek", "section", "tags", "lead_image", "lead_image_caption", "lead_image_credit",
    "lead_image_alt", "status", "published_at", "comments_mode", "comment_moderation",
]  # fmt: skip
# What a restore brings back: the words and the picture, never the status or the publication time. The followed
# bylines and corrections come back too (see `followed`).
RESTORED_FIELDS = ["headline", "dek", "body", "section", "lead_image_caption", "lead_image_credit", "lead_image_alt"]
# The rows each revision keeps alongside the article, and the order they read in.
FOLLOWED = {Byline: ("position", "id"), Correction: ("created_at", "id")}
CORRECTION_FIELDS = [("kind", "kind"), ("text", "text"), ("created_at", "time")]


def article_versions(article: Article) -> QuerySet[Version]:
    """Newest first, with who made them, in one query."""
    return Version.objects.get_for_object(article).select_related("revision__user").order_by("-revision_id")


@receiver(post_revision_commit)
def prune_revisions(sender, revision, versions, **kwargs):
    """Keep the newest `ARTICLE_REVISIONS_KEEP` revisions of each article saved in this revision."""
    keep = settings.ARTICLE_REVISIONS_KEEP
    for version in versions:
        if version.content_type.model_class() is not Article:
            continue
        mine = Version.objects.get_for_object_reference(Article, version.object_id)
        old_revisions = list(mine.order_by("-revision_id").values_list("revision_id", flat=True)[keep:])
        if not old_revisions:
            continue
        # A revision of this article alone goes whole (its bylines and corrections too); one shared with other
        # articles (a bulk action) only loses this article's row.
        shared = (
            Version.objects.filter(revision_id__in=old_revisions, content_type=version.content_type)
            .exclude(object_id=version.object_id)
            .values("revision_id")
        )
        Revision.objects.filter(pk__in=old_revisions).exclude(pk__in=shared).delete()
        mine.filter(revision_id__in=old_revisions).delete()


def followed(versions: list[Version], article_id: int) -> dict[int, dict[type, list[dict]]]:
    """The bylines and corrections each revision kept of this article, as field dicts in reading order.

    One query for any number of revisions; a bulk action's revision also holds other articles' rows, left out here.
    """
    content_types = ContentType.objects.get_for_models(*FOLLOWED)
    by_type = {ct.pk: model for model, ct in content_types.items()}
    kept = {version.revision_id: {model: [] for model in FOLLOWED} for version in versions}
    rows = Version.objects.filter(revision_id__in=list(kept), content_type_id__in=list(by_type)).select_related(
        "content_type"
    )
    for row in rows:
        fields = row.field_dict
        if fields.get("article_id") == article_id:
            kept[row.revision_id][by_type[row.content_type_id]].append(fields)
    for models in kept.values():
        for model, order in FOLLOWED.items():
            models[model].sort(key=lambda fields, order=order: tuple(fields[name] for name in order))
    return kept


def who(version: Version) -> str:
    user = version.revision.user
    return (user.get_full_name() or user.get_username()) if user else "Someone"


WORD = re.compile(r"\S+\s*")


def words(html: str) -> list[str]:
    return WORD.findall(strip_tags(html or "").replace("&nbsp;", " "))


def word_diff(old: str, new: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The two texts as runs of ("same" | "removed" | "added", text), for a side-by-side view."""
    a, b = words(old), words(new)
    left, right = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            left.append(("same", "".join(a[i1:i2])))
            right.append(("same", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            left.append(("removed", "".join(a[i1:i2])))
        if j2 > j1:
            right.append(("added", "".join(b[j1:j2])))
    return left, right


@dataclass
class FieldChange:
    label: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


def _display(name: str, value, tags: dict[int, str], sections: dict[int, str]) -> str:
    if value in (None, ""):
        return "—"
    if name == "tags":
        return ", ".join(sorted(tags.get(pk, f"#{pk}") for pk in value)) or "—"
    if name == "section":
        return sections.get(value, f"#{value}")
    field = Article._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _by_name(fields: dict) -> dict:
    # Versions key foreign keys by their column ("section_id"); the compare speaks of fields.
    return {**fields, "section": fields.get("section_id", fields.get("section"))}


def compare(old: Version, new: Version) -> dict:
    """Field-by-field changes and the body's word diff between two versions of one article."""

    old_fields, new_fields = _by_name(old.field_dict), _by_name(new.field_dict)
    tag_ids = {*old_fields.get("tags", []), *new_fields.get("tags", [])}
    tags = dict(Tag.objects.filter(pk__in=tag_ids).values_list("pk", "name"))
    section_ids = {old_fields.get("section"), new_fields.get("section")}
    sections = dict(Section.objects.filter(pk__in=section_ids).values_list("pk", "name"))
    rows = [
        FieldChange(
            label=str(Article._meta.get_field(name).verbose_name).capitalize(),
            old=_display(name, old_fields.get(name), tags, sections),
            new=_display(name, new_fields.get(name), tags, sections),
        )
        for name in COMPARED_FIELDS
    ]
    rows += _followed_rows(old, new)
    left, right = word_diff(old_fields.get("body", ""), new_fields.get("body", ""))
    return {"fields": rows, "body_old": left, "body_new": right}


def _followed_rows(old: Version, new: Version) -> list[FieldChange]:
    """Bylines (names in reading order) and each correction's kind, text and time, old against new."""
    kept = followed([old, new], int(old.object_id))
    before, after = kept[old.revision_id], kept[new.revision_id]
    author_ids = {fields["author_id"] for fields in before[Byline] + after[Byline]}
    names = dict(Author.objects.filter(pk__in=author_ids).values_list("pk", "name"))

    def bylines(rows: list[dict]) -> str:
        return ", ".join(names.get(fields["author_id"], f"#{fields['author_id']}") for fields in rows) or "—"

    changes = [FieldChange(label="Bylines", old=bylines(before[Byline]), new=bylines(after[Byline]))]
    old_corrections = {fields["id"]: fields for fields in before[Correction]}
    new_corrections = {fields["id"]: fields for fields in after[Correction]}
    ordered = sorted(
        {**old_corrections, **new_corrections}.values(), key=lambda fields: (fields["created_at"], fields["id"])
    )
    kinds = dict(Correction.Kind.choices)
    for number, fields in enumerate(ordered, start=1):
        pair = (old_corrections.get(fields["id"]), new_corrections.get(fields["id"]))
        for name, label in CORRECTION_FIELDS:
            shown = []
            for side in pair:
                value = side.get(name) if side else None
                if side is None:
                    shown.append("—")
                elif name == "kind":
                    shown.append(str(kinds.get(value, value)))
                elif name == "created_at":
                    shown.append(date_format(timezone.localtime(value), "DATETIME_FORMAT"))
                else:
                    shown.append(str(value))
            changes.append(FieldChange(label=f"Correction {number}: {label}", old=shown[0], new=shown[1]))
    return changes


def last_version(article: Article) -> Version | None:
    return article_versions(article).first()
