"""Old addresses: each post's permalink on the old site, and its earlier slugs', kept to redirect to the article."""

from urllib.parse import parse_qs, quote, unquote, urlsplit

from articles.models import Article
from wordpress import wxr
from wordpress.models import LegacyPath
from wordpress.services.run import ImportRun


def _legacy_paths(item: wxr.Item) -> list[str]:
    """The post's old permalink path, and the same with each of its earlier slugs (`_wp_old_slug`)."""
    parts = urlsplit(item.link)
    if "p" in parse_qs(parts.query) or parts.path in ("", "/"):
        return []  # a plain permalink, /?p=ID, is answered from the post's id
    path = unquote(parts.path)
    paths = [path]
    name = unquote(item.post_name)
    segments = path.split("/")
    # The slug's place in the permalink structure (/%year%/%postname%/, /%postname%.html, ...): the last segment
    # that holds it.
    at = next((i for i in range(len(segments) - 1, -1, -1) if name and name in segments[i]), None)
    if at is not None:
        for old in item.meta.get("_wp_old_slug", []):
            old = unquote(old.strip())
            if old and old != name:
                segment = segments[at].replace(name, old, 1)
                paths.append("/".join([*segments[:at], segment, *segments[at + 1 :]]))
    return [p[:500] for p in dict.fromkeys(paths)]


def import_legacy_paths(run: ImportRun, item: wxr.Item, article: Article) -> None:
    current = article.get_absolute_url()
    paths = [p for p in _legacy_paths(item) if p != current and quote(p) != current]
    if not paths:
        return
    existing = dict(LegacyPath.objects.filter(path__in=paths).values_list("path", "article_id"))
    new = [LegacyPath(path=p, article=article) for p in paths if p not in existing]
    moved = [p for p in paths if p in existing and existing[p] != article.pk]
    LegacyPath.objects.bulk_create(new)
    if moved:
        LegacyPath.objects.filter(path__in=moved).update(article=article)
    run.tally["redirects", "created"] += len(new)
    run.tally["redirects", "updated"] += len(moved)
    run.tally["redirects", "unchanged"] += len(paths) - len(new) - len(moved)
