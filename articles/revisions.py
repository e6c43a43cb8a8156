"""Article revisions (django-reversion): what is kept, how many, and how two of them compare."""

import difflib
import re
from dataclasses import dataclass

import reversion
from django.conf import settings
from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils.html import strip_tags
from reversion.models import Revision, Version
from reversion.signals import post_revision_commit

from articles.models import Article, Byline, Correction, Section, Tag

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
# What a restore brings back: the words and the picture, never the status or the publication time.
RESTORED_FIELDS = ["headline", "dek", "body", "section", "lead_image_caption", "lead_image_credit", "lead_image_alt"]


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
    left, right = word_diff(old_fields.get("body", ""), new_fields.get("body", ""))
    return {"fields": rows, "body_old": left, "body_new": right}


def last_version(article: Article) -> Version | None:
    return article_versions(article).first()
