"""The anonymous page cache for article pages, and its invalidation.

Each article has a version number in Django's cache. A cached page remembers the version it was rendered at and
is served only while that is still the article's version, so bumping it (`invalidate_article`) makes every
cached copy of that article's pages stale at once, on every app server sharing the cache. The comments app bumps
it when an article's visible comments change; the receivers below bump it when an editor changes the article,
and a site-wide version (checked alongside) when a section, tag or author that many pages show is changed.

Only anonymous readers without a session are served from the cache: logged-in readers and staff, anyone with a
session or flash-message cookie (a reader who just posted sees their own pending comment through the session),
and every request other than a plain GET are rendered afresh.

The comment form stays usable on a cached page: before a page is stored, the CSRF token rendered into it is
swapped for a placeholder, and every response from the cache gets the requesting reader's own token (which also
sets their CSRF cookie), so no reader is ever handed another reader's token. The page's Content-Security-Policy
nonce (on its JSON-LD block) is swapped the same way: each response from the cache carries a new nonce, the one
its own policy header names.

A hit is served by `newsroom.middleware.PageCacheMiddleware`, first in the middleware stack, with one round trip
to the cache and none to the database or the session store (`serve_from_cache`); it adds the headers the rest
of the stack would have (security headers, the policy, the CSRF cookie). Whatever it does not serve (a page this
process has not seen yet, a page to render) goes down the whole stack to the view's `cache_article_page`.

A viral article under a comment storm has its version bumped several times a second. So that every reader does
not render the page at once on each bump, a stale copy is served while one request rebuilds it. Changes younger
than PAGE_CACHE_REBUILD_AFTER are gathered (the previous copy is served and nobody rebuilds yet), so a storm
costs one rebuild every that many seconds rather than one a comment; then the first reader to find the copy
stale takes a short lock in the cache (`cache.add`, shared by every app server) and renders the page afresh;
the others are given the previous copy ("X-Page-Cache: stale"), but only while the
oldest change it lacks is less than PAGE_CACHE_STALE_SECONDS old (each bump records when it happened). Past
that bound a reader renders the page itself, so a change is on everyone's page within the bound even if the
rebuild fails. With no copy at all there is nothing to serve, and the request renders as before.

With the local-memory cache each worker process has its own copy, and an invalidation reaches only the process
that made it: production runs with REDIS_URL set (a deploy check warns otherwise).
"""

import math
import os
import re
import time
from functools import wraps

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, _unmask_cipher_token

from articles.models import Article, Author, Byline, Correction, Section, Tag

# The comments app's page number is the one query parameter a cached page may carry.
COMMENT_PAGE_PARAMS = ("page",)
# Cookies that mean the page may differ for this reader.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")
CSRF_PLACEHOLDER = b"\x00csrf-token\x00"
NONCE_PLACEHOLDER = b"\x00csp-nonce\x00"
# A masked CSRF token as `{% csrf_token %}` and `get_token()` write it: 64 letters and digits.
MASKED_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
SITE_VERSION_KEY = "article-version:site"
# Random bytes below 248 (4 x 62) map evenly onto the 62 characters of a CSRF token; the others are dropped.
_TOKEN_CHARS = CSRF_ALLOWED_CHARS.encode()
_BYTE_TO_TOKEN_CHAR = bytes(_TOKEN_CHARS[byte % len(_TOKEN_CHARS)] for byte in range(248)) + bytes(8)
_UNEVEN_BYTES = bytes(range(248, 256))
_TOKEN_CHAR_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}


def version_key(article_id: int) -> str:
    return f"article-version:{article_id}"


def _current(keys: list[str]) -> tuple[int, ...]:
    """The versions under these keys; a missing one (never bumped, or evicted) starts from the clock.

    Starting from the clock rather than from 0 means a version key that was evicted and recreated never
    matches a page stored before it.
    """
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            now = time.time_ns()
            found[key] = now if cache.add(key, now, timeout=None) else cache.get(key, now)
    return tuple(found[key] for key in keys)


def article_version(article_id: int) -> tuple[int, int]:
    """What a cached page of this article is valid for: the article's own version and the site-wide one."""
    return _current([version_key(article_id), SITE_VERSION_KEY])


def _now() -> float:
    # Wall-clock time, comparable between app servers (a bump on one is aged on another).
    return time.time()


def _bumped_at_key(key: str, version: int) -> str:
    return f"{key}:at:{version}"


def _bump(key: str) -> None:
    try:
        version = cache.incr(key)
    except ValueError:
        cache.set(key, time.time_ns(), timeout=None)
        return
    # When this version began, so that a copy stale since then is served only within the bound.
    cache.set(_bumped_at_key(key, version), _now(), timeout=max(60, 10 * settings.PAGE_CACHE_STALE_SECONDS))


def _bump_now_and_on_commit(key: str) -> None:
    # Bumped at once and again when the surrounding transaction commits: a reader who renders the page between
    # the two, from rows not yet committed, stores it under a version that is already gone.
    _bump(key)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump(key))


def invalidate_article(article_id: int) -> None:
    """Call whenever what an article's page shows changes (the article, or its visible comments)."""
    _bump_now_and_on_commit(version_key(article_id))


def invalidate_all_articles() -> None:
    """Call when something every article page shows changes (a section's or author's name, site-wide text)."""
    _bump_now_and_on_commit(SITE_VERSION_KEY)


def page_key(request) -> str | None:
    """The cache key for this request's page, or None when the request must not be served from the cache."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return None
    return _anonymous_page_key(request)


def _anonymous_page_key(request) -> str | None:
    """`page_key` for a request whose user is not known yet: without a session cookie no one is signed in."""
    if request.method != "GET":
        return None
    page = ""
    for name, values in request.GET.lists():
        if name not in COMMENT_PAGE_PARAMS or len(values) != 1 or not values[0].isdigit() or len(values[0]) > 6:
            return None
        page = str(int(values[0]))
    if any(request.COOKIES.get(name) for name in PERSONAL_COOKIES):  # an emptied cookie carries nothing
        return None
    # Without SITE_URL a page's links follow the host it was asked on, so each host gets its own copy.
    host = "" if settings.SITE_URL else request.get_host()
    return f"article-page:{host}{request.path}:{page}"


def _article_id(response) -> int | None:
    context = getattr(response, "context_data", None) or {}
    for name in ("article", "object"):
        if isinstance(context.get(name), Article):
            return context[name].pk
    return None


def _scrub_csrf_token(request, content: bytes) -> bytes:
    """Replace every CSRF token rendered for this request with the placeholder."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return content

    def swap(match):
        token = match.group().decode()
        return CSRF_PLACEHOLDER if _unmask_cipher_token(token) == secret else match.group()

    return MASKED_TOKEN.sub(swap, content)


def scrub_csrf_text(request, text: str) -> str | None:
    """`text` rendered for this request with its CSRF token swapped for the placeholder, for reuse by other readers.

    None when no token of this request's was found in it (there is then nothing to swap back in).
    """
    scrubbed = _scrub_csrf_token(request, text.encode())
    return scrubbed.decode() if CSRF_PLACEHOLDER in scrubbed else None


def _random_token_string() -> str:
    """Django's `_get_new_csrf_string()`, from the same source (os.urandom), without a call into it per character."""
    found = b""
    while len(found) < CSRF_SECRET_LENGTH:
        found += os.urandom(CSRF_SECRET_LENGTH + 8).translate(_BYTE_TO_TOKEN_CHAR, _UNEVEN_BYTES)
    return found[:CSRF_SECRET_LENGTH].decode()


def reader_csrf_token(request) -> str:
    """What `django.middleware.csrf.get_token` returns and does (a masked token for the reader's secret, a new
    secret and cookie for a reader without one), at a fortieth of its CPU: the page cache hands one to every
    reader, and Django's draws each of its 64 random characters with a call of its own.
    """
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = request.META["CSRF_COOKIE"] = _random_token_string()
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # CsrfViewMiddleware sets (or renews) the cookie
    mask = _random_token_string()
    index = _TOKEN_CHAR_INDEX
    cipher = "".join(
        [CSRF_ALLOWED_CHARS[(index[s] + index[m]) % len(index)] for s, m in zip(secret, mask, strict=True)]
    )
    return mask + cipher


def fill_csrf_text(request, text: str) -> str:
    """Text from `scrub_csrf_text` with this reader's own CSRF token (which also sets their CSRF cookie)."""
    return text.replace(CSRF_PLACEHOLDER.decode(), reader_csrf_token(request))


def _scrub_nonce(request, content: bytes) -> bytes:
    """Replace this request's CSP nonce, where the page used it, with the placeholder."""
    nonce = getattr(request, "_csp_nonce", None)
    if not isinstance(nonce, str) or not nonce:
        return content
    return content.replace(f'nonce="{nonce}"'.encode(), b'nonce="' + NONCE_PLACEHOLDER + b'"')


# The page split at its placeholders, with each placeholder an item of its own (at the odd indexes).
_PLACEHOLDERS = re.compile(b"(" + re.escape(CSRF_PLACEHOLDER) + b"|" + re.escape(NONCE_PLACEHOLDER) + b")")


def _page_parts(entry: dict) -> list[bytes]:
    """The entry's page split at its placeholders, worked out once for each copy a process holds: each response
    is then one join of the parts with the reader's token and nonce, not a search and copy of the page per value.
    """
    parts = entry.get("parts")
    if parts is None:
        parts = entry["parts"] = _PLACEHOLDERS.split(entry["content"])
    return parts


def _from_entry(request, entry: dict, state: str = "hit") -> HttpResponse:
    parts = _page_parts(entry)
    if len(parts) == 1:
        content = parts[0]
    else:
        values = {}
        if NONCE_PLACEHOLDER in parts:
            # Reading the request's nonce is what puts it in this response's policy header.
            nonce = getattr(request, "csp_nonce", None)
            if nonce is None:  # no policy here: the page goes without the attribute
                parts = _PLACEHOLDERS.split(entry["content"].replace(b' nonce="' + NONCE_PLACEHOLDER + b'"', b""))
            else:
                values[NONCE_PLACEHOLDER] = str(nonce).encode()
        if CSRF_PLACEHOLDER in parts:
            values[CSRF_PLACEHOLDER] = reader_csrf_token(request).encode()
        pieces = parts.copy()
        pieces[1::2] = [values[placeholder] for placeholder in parts[1::2]]
        content = b"".join(pieces)
    response = HttpResponse(content, headers=entry["headers"])
    response["X-Page-Cache"] = state
    return response


def _stale_since(
    article_id: int, stored: tuple[int, int], current: tuple[int, int], read: dict | None = None
) -> float | None:
    """When the first change a copy stored at `stored` lacks was made; None when that is not known.

    `read` holds keys already read in this request (None for one that was missing), which are not read again.
    """
    keys = [
        _bumped_at_key(key, old + 1)
        for key, old, new in zip(_version_keys(article_id), stored, current, strict=True)
        if old != new
    ]
    read = read or {}
    found = {key: read[key] for key in keys if read.get(key) is not None}
    unread = [key for key in keys if key not in read]
    if unread:
        found.update(cache.get_many(unread))
    if not keys or len(found) != len(keys):
        return None
    return min(found.values())


def rebuild_lock_key(key: str, version: tuple[int, int]) -> str:
    """Held by the one request that rebuilds the page under `key` for this version."""
    return f"{key}:rebuild:{version[0]}:{version[1]}"


def _serve_stale(request, key: str, entry: dict, version: tuple[int, int], read: dict | None) -> HttpResponse | None:
    """The previous copy while another request rebuilds the page, within the bound; None: render it here.

    The lock is per version, so a newer bump lets a new rebuild start at once; it is never released, only
    left to expire, so a request that finishes rebuilding cannot let a second rebuild of the same version in.
    """
    bound = settings.PAGE_CACHE_STALE_SECONDS
    if bound <= 0 or not isinstance(entry.get("version"), tuple):
        return None
    since = _stale_since(entry["article"], entry["version"], version, read)
    age = None if since is None else _now() - since
    if age is not None and age < min(settings.PAGE_CACHE_REBUILD_AFTER, bound):
        return _from_entry(request, entry, "stale")  # gathering changes: nobody rebuilds yet
    if _rebuild_taken.get(key) != version:
        lock_timeout = max(1, math.ceil(10 * bound))
        if cache.add(rebuild_lock_key(key, version), 1, timeout=lock_timeout):
            return None  # this request rebuilds
        _remember_rebuild_taken(key, version)
    if age is None or age >= bound:
        return None
    return _from_entry(request, entry, "stale")


# The page versions whose rebuild lock this process has found taken, so that its other readers of the stale copy
# do not ask the shared cache again. Only a memo of the shared lock: a lock outlives the stale bound (its timeout
# is ten times the bound), and past the bound nothing here is used, so it never says "taken" of a lock that
# has expired while a stale copy could still be served.
_rebuild_taken: dict[str, tuple[int, int]] = {}
REBUILD_TAKEN_MAX = 10_000


def _remember_rebuild_taken(key: str, version: tuple[int, int]) -> None:
    if len(_rebuild_taken) >= REBUILD_TAKEN_MAX:
        _rebuild_taken.clear()
    _rebuild_taken[key] = version


# Which article each cached page belongs to, remembered per process, so that a hit reads the page and the
# versions it is checked against in one round trip to the cache. Only a hint: the entry itself says whose it is.
_page_articles: dict[str, int] = {}
PAGE_ARTICLES_MAX = 10_000

# The pages this process served last, kept so that a hit reads only the two versions from the shared cache, not
# the whole page (about 100 KB for a page of comments: moving it out of Redis cost Redis more CPU than the
# worker's own work on a hit). A copy is used only while its version is the current one in the shared cache and
# its shared entry would not have expired yet, so every process serves the same page a shared read would give.
_local_copies: dict[str, dict] = {}
LOCAL_COPIES_MAX = 64


def _remember(key: str, entry: dict) -> None:
    if len(_page_articles) >= PAGE_ARTICLES_MAX:
        _page_articles.clear()
    _page_articles[key] = entry["article"]
    if "stored_at" in entry:
        _local_copies.pop(key, None)
        if len(_local_copies) >= LOCAL_COPIES_MAX:
            # The one stored longest ago; pop, not del, as another thread of a threaded worker may be at it too.
            _local_copies.pop(next(iter(_local_copies), None), None)
        _local_copies[key] = entry


def _local_copy(key: str, article_id: int) -> dict | None:
    entry = _local_copies.get(key)
    if entry is None or entry["article"] != article_id:
        return None
    if time.time() >= entry["stored_at"] + settings.PAGE_CACHE_SECONDS:
        _local_copies.pop(key, None)
        return None
    return entry


def _stored_version_key(key: str) -> str:
    """The version of the copy stored under `key`, kept beside it so a process can tell whether its own copy is
    the newest stored without reading the page."""
    return f"{key}:stored"


def _store(key: str, entry: dict, seconds: int) -> None:
    cache.set_many({key: entry, _stored_version_key(key): entry["version"]}, seconds)
    _remember(key, entry)


def _version_keys(article_id: int) -> tuple[str, str]:
    return version_key(article_id), SITE_VERSION_KEY


def _known_version(article_id: int, found: dict) -> tuple[int, int] | None:
    """The article's version from keys read with `get_many`; None when either was missing (evicted, or new)."""
    keys = _version_keys(article_id)
    return (found[keys[0]], found[keys[1]]) if keys[0] in found and keys[1] in found else None


def _entry_and_version(key: str) -> tuple[dict | None, tuple[int, int] | None, int | None, dict]:
    """The cached entry under `key`, the current version of the article it is for, that article's id, and what
    else was read on the way (key: value, None for a missing key) for `_stale_since`.

    The version is known even without an entry when this process has served the page before, so a page whose
    entry expired is re-rendered with its version read first, like a stale one.
    """
    hint = _page_articles.get(key)
    version = None
    if hint is None:
        entry = cache.get(key)
    elif (local := _local_copy(key, hint)) is not None:
        # With this process's copy: the versions, the newest version stored by any process, and when the first
        # change this copy lacks was made (missing unless it is stale), all in one round trip.
        after = [_bumped_at_key(name, old + 1) for name, old in zip(_version_keys(hint), local["version"], strict=True)]
        found = cache.get_many([*_version_keys(hint), _stored_version_key(key), *after])
        version, stored = _known_version(hint, found), found.get(_stored_version_key(key))
        if version is not None and local["version"] in (version, stored):
            # Current; or stale, with nothing newer stored by any process: this copy is the shared one, and the
            # stale path need not move the page out of the cache again.
            return local, version, hint, {name: found.get(name) for name in after}
        entry = cache.get(key)  # another process has stored a newer copy (or says nothing of it)
    else:
        found = cache.get_many([key, *_version_keys(hint)])
        entry, version = found.get(key), _known_version(hint, found)
    if entry is not None:
        _remember(key, entry)
    if version is not None and (entry is None or entry["article"] == hint):
        return entry, version, hint, {}
    if entry is None:
        return None, None, None, {}
    return entry, article_version(entry["article"]), entry["article"], {}


def _cached_response(request, key: str, entry, version, version_of, read) -> HttpResponse | None:
    """The cached copy, current or (within the bound) stale, or None when this request is to render the page."""
    if entry and entry["version"] == version:
        return _from_entry(request, entry)
    if entry and version is not None and entry["article"] == version_of:
        return _serve_stale(request, key, entry, version, read)
    return None


def known_page_key(request) -> str | None:
    """The cache key of this anonymous request's page when this process has cached (or found cached) it before."""
    if settings.PAGE_CACHE_SECONDS <= 0:
        return None
    try:
        key = _anonymous_page_key(request)
    except DisallowedHost:
        return None  # refused further down the stack, as for any page
    return key if key is not None and key in _page_articles else None


def serve_from_cache(request, key: str) -> HttpResponse | None:
    """The page under `key` (from `known_page_key`) from the cache, for a middleware to serve before the rest of
    the stack; see the module docstring. None when the page is to be rendered: the view's `cache_article_page`
    then renders it, reusing what was read here (and the rebuild lock, if taken here).

    The request must have been through the CSRF and CSP middlewares' `process_request`, for the reader's token
    and the page's nonce.
    """
    entry, version, version_of, read = _entry_and_version(key)
    response = _cached_response(request, key, entry, version, version_of, read)
    if response is None:
        request._page_cache_lookup = (key, entry, version, version_of)
    return response


def cache_article_page(view):
    """Serve anonymous readers an article page from the cache; see the module docstring."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        seconds = settings.PAGE_CACHE_SECONDS
        key = page_key(request) if seconds > 0 else None
        if key is None:
            return view(request, *args, **kwargs)

        # The version is read before rendering: a change made during the render then leaves this copy stale.
        looked_up = getattr(request, "_page_cache_lookup", None)
        if looked_up is not None and looked_up[0] == key:
            # PageCacheMiddleware has read the cache already and found nothing to serve.
            _key, entry, version, version_of = looked_up
        else:
            entry, version, version_of, read = _entry_and_version(key)
            cached = _cached_response(request, key, entry, version, version_of, read)
            if cached is not None:
                return cached

        response = view(request, *args, **kwargs)
        article_id = _article_id(response)
        if response.status_code != 200 or article_id is None or response.cookies or response.streaming:
            return response
        if {"private", "no-store", "no-cache"} & set(re.split(r"[\s,=]+", response.get("Cache-Control", ""))):
            return response
        if version is None or version_of != article_id:
            version = article_version(article_id)
        if hasattr(response, "render"):
            response.render()
        session = getattr(request, "session", None)
        if session is not None and session.modified:
            return response
        entry = {
            "article": article_id,
            "version": version,
            "content": _scrub_nonce(request, _scrub_csrf_token(request, response.content)),
            "headers": dict(response.items()),
            "stored_at": time.time(),
        }
        _store(key, entry, seconds)
        response["X-Page-Cache"] = "miss"
        return response

    return wrapped


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
def _article_changed(sender, instance, **kwargs):
    invalidate_article(instance.pk)


@receiver(post_save, sender=Byline)
@receiver(post_delete, sender=Byline)
@receiver(post_save, sender=Correction)
@receiver(post_delete, sender=Correction)
def _article_part_changed(sender, instance, **kwargs):
    invalidate_article(instance.article_id)


@receiver(post_save, sender=Section)
@receiver(post_delete, sender=Section)
@receiver(post_save, sender=Author)
@receiver(post_delete, sender=Author)
@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
def _shared_part_changed(sender, **kwargs):
    # Shown on many article pages and rarely edited: cheaper to drop every cached page than to find them.
    invalidate_all_articles()


@receiver(m2m_changed, sender=Article.tags.through)
def _article_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:
        if action.startswith("post_"):
            invalidate_article(instance.pk)
    elif action in ("post_add", "post_remove"):
        for article_id in pk_set:
            invalidate_article(article_id)
    elif action == "pre_clear":
        for article_id in Article.objects.filter(tags=instance).values_list("pk", flat=True):
            invalidate_article(article_id)


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.PAGE_CACHE_SECONDS > 0 and backend.endswith("LocMemCache"):
        return [
            checks.Warning(
                "The page cache and rate limits use local memory, which each worker process keeps apart: an "
                "invalidation reaches only the process that made it.",
                hint="Set REDIS_URL so that every worker shares one cache (or PAGE_CACHE_SECONDS=0).",
                id="articles.W001",
            )
        ]
    return []
