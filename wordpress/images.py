"""Images inside imported post bodies: brought over from a copy of the old site's `wp-content/uploads`.

A post's `<img src>` pointing under the old site's `wp-content/uploads/` is copied into the media storage (once:
the copy keeps the upload's path under `wordpress/`, so a second post or a rerun finds it there) and the address
rewritten to the new one. Without the uploads, or when the file is missing from them, the old address stays.
Article bodies keep no `srcset` (the sanitizer drops it), so `src` is the only address to rewrite.
"""

import html
import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.files import File

from articles.models import Article

UPLOADS = "/wp-content/uploads/"
STORAGE_DIR = "wordpress"
# The bodies come out of the sanitizer, which writes every attribute double-quoted and escaped.
IMG_SRC = re.compile(r'(<img\b[^>]*?\ssrc=")([^"]*)(")', re.IGNORECASE)
# WordPress's resized copies, "photo-300x200.jpg" of "photo.jpg"; an export's uploads often lack them.
SIZE_VARIANT = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")


def site_hosts(*urls: str) -> frozenset[str]:
    """The host names the old site's own links use (with and without "www.")."""
    hosts = set()
    for url in urls:
        host = (urlsplit(url).hostname or "").lower()
        if host:
            hosts |= {host, host.removeprefix("www."), "www." + host.removeprefix("www.")}
    return frozenset(hosts)


def bring_over_images(
    body: str, *, hosts: frozenset[str], media_dir: Path | None, dry_run: bool = False
) -> tuple[str, Counter]:
    """The body with its old-site upload images pointing at copies in the media storage, and what happened:
    "created" (copied), "unchanged" (copied before), "not brought over" (no media dir), "missing" (no file)."""
    outcome: Counter = Counter()

    def rewrite(match: re.Match) -> str:
        relative = _upload_path(html.unescape(match.group(2)), hosts)
        if relative is None:
            return match.group(0)
        if media_dir is None:
            outcome["not brought over"] += 1
            return match.group(0)
        name, result = store_upload(relative, media_dir, dry_run=dry_run)
        outcome[result] += 1
        if name is None:
            return match.group(0)
        return match.group(1) + html.escape(_storage().url(name)) + match.group(3)

    return IMG_SRC.sub(rewrite, body), outcome


def _upload_path(url: str, hosts: frozenset[str]) -> str | None:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("", "http", "https") or (parts.hostname and parts.hostname.lower() not in hosts):
        return None
    path = unquote(parts.path)
    at = path.find(UPLOADS)
    if at < 0:
        return None
    return path[at + len(UPLOADS) :] or None


def store_upload(relative: str, media_dir: Path, *, dry_run: bool = False) -> tuple[str | None, str]:
    """(storage name, "created" | "unchanged") of the upload at `relative` under `media_dir`, copied into the
    media storage unless already there; (None, "missing") when the file is not in `media_dir`."""
    root = media_dir.resolve()
    source = None
    for candidate in dict.fromkeys([relative, SIZE_VARIANT.sub("", relative)]):
        path = (root / candidate).resolve()
        if path.is_relative_to(root) and path.is_file():
            source = path
            break
    if source is None:
        return None, "missing"
    storage = _storage()
    name = f"{STORAGE_DIR}/{source.relative_to(root).as_posix()}"
    if storage.exists(name) and storage.size(name) == source.stat().st_size:
        return name, "unchanged"
    if not dry_run:
        with source.open("rb") as handle:
            name = storage.save(name, File(handle))
    return name, "created"


def _storage():
    return Article._meta.get_field("lead_image").storage
