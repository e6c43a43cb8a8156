"""Featured images: WordPress attachments, and the lead image of the articles that feature them."""

from urllib.parse import unquote, urlsplit

from django.utils import timezone

from articles.models import Article
from wordpress import images, markup, wxr
from wordpress.models import WordPressObject
from wordpress.services.records import Kind, find_mapping
from wordpress.services.run import ImportRun
from wordpress.services.values import whole_number


def _credit(item: wxr.Item) -> str:
    # The Media Credit plugin's field, else the credit WordPress read from the photo's IPTC data (kept in a
    # PHP-serialized array: ...s:6:"credit";s:9:"AP Photo";...).
    if credit := item.meta_value("_media_credit"):
        return credit
    serialized = item.meta_value("_wp_attachment_metadata")
    marker = 's:6:"credit";s:'
    start = serialized.find(marker)
    if start < 0:
        return ""
    rest = serialized[start + len(marker) :]
    length, _, text = rest.partition(':"')
    return text.encode()[: whole_number(length)].decode(errors="ignore") if length.isdigit() else ""


def import_attachment(run: ImportRun, item: wxr.Item) -> None:
    data = {
        "url": item.attachment_url,
        "file": item.meta_value("_wp_attached_file"),
        "caption": markup.plain_text(item.excerpt),
        "alt": markup.plain_text(item.meta_value("_wp_attachment_image_alt")),
        "credit": markup.plain_text(_credit(item)),
        "parent": item.post_parent,
    }
    parent = find_mapping(run, Kind.POST, wp_id=item.post_parent) if item.post_parent else None
    mapping, _ = WordPressObject.objects.update_or_create(
        site=run.site,
        kind=Kind.ATTACHMENT,
        wp_id=item.wp_id,
        defaults={"data": data, "object_id": parent.object_id if parent else None, "imported_at": timezone.now()},
    )
    # Posts imported earlier in the file that have this as their featured image.
    waiting = WordPressObject.objects.filter(site=run.site, kind=Kind.POST, featured_wp_id=item.wp_id)
    for article in Article.objects.filter(pk__in=waiting.values("object_id")):
        apply_image(run, article, mapping)


def apply_image(run: ImportRun, article: Article, attachment: WordPressObject) -> None:
    data = attachment.data
    if run.media_dir is None:
        run.tally["images", "skipped"] += 1
        run.notes["featured images not brought over (no --media-dir; articles have no field for an image URL)"] += 1
        return
    relative = unquote(data.get("file") or urlsplit(data.get("url", "")).path.partition("/uploads/")[2])
    # The same copy as the post bodies' images: one file however many places show it.
    name = images.store_upload(relative, run.media_dir, dry_run=run.dry_run)[0] if relative else None
    if name is None:
        run.tally["images", "skipped"] += 1
        run.notes["featured images whose file is missing from --media-dir"] += 1
        return
    field = article.lead_image
    if field.name == name:
        outcome = "unchanged"
    elif run.dry_run:
        name, outcome = field.name, "created"  # nothing was copied for the article to point at
    else:
        outcome = "updated" if field.name else "created"
    changes = {
        "lead_image": name,
        "lead_image_caption": data.get("caption", "")[:300],
        "lead_image_credit": data.get("credit", "")[:150],
        "lead_image_alt": data.get("alt", "")[:200],
    }
    changed = [name_ for name_, value in changes.items() if getattr(article, name_) != value]
    if changed:
        for name_ in changed:
            setattr(article, name_, changes[name_])
        article.save(update_fields=[*changed, "updated_at"])
        if outcome == "unchanged":
            outcome = "updated"
    run.tally["images", outcome] += 1
    if attachment.object_id is None:
        WordPressObject.objects.filter(pk=attachment.pk).update(object_id=article.pk)
