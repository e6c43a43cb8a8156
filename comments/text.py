"""Pure text work on comments: how text is compared, and what "find more like these" matches on.

No queries and no project imports: the models, the blocklist and moderation all build on this module.
"""

import hashlib
import re
import unicodedata
from urllib.parse import urlsplit

# Comments shorter than this (in words) get no fingerprint: "Great article!" from two readers is no spam wave.
FINGERPRINT_MIN_WORDS = 5
# Comment.link_domains holds at most this many characters.
LINK_DOMAINS_MAX = 500

# Invisible "format" characters (soft hyphen, zero-width space and joiners, direction marks, BOM) are how
# "v\u200biagra" slips past a word filter; they are dropped before anything is compared.
_INVISIBLE = dict.fromkeys(
    [0x00AD, 0x034F, 0x061C, 0x180E, 0xFEFF, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065)]
)
# A regular expression rather than str.translate: scanning for them is several times faster, which counts when
# an import fingerprints a million comments.
_INVISIBLE_CHARS = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")
_SPACE = re.compile(r"\s+")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]]+", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")


def normalise(text: str) -> str:
    """Text as it is compared: compatibility forms folded (NFKC), case folded, invisible characters dropped.

    "ＶＩＡＧＲＡ", "Viagra" and "vi\u00adagra" all become "viagra"; "STRASSE" and "Straße" both become "strasse".
    """
    text = _INVISIBLE_CHARS.sub("", unicodedata.normalize("NFKC", text))
    # Case folding can leave a string that is no longer NFKC (Unicode's NFKC_Casefold applies both).
    return unicodedata.normalize("NFKC", text.casefold())


def phrase_key(text: str) -> str:
    """A word or phrase as the blocklist compares it: normalised, runs of white space made one space."""
    return _SPACE.sub(" ", normalise(text)).strip()


# Characters that draw nothing although Unicode does not call them format characters or spaces: the combining
# grapheme joiner, Hangul fillers, Khmer inherent vowels, the braille blank.
_BLANK_LOOKING = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")


def is_blank(text: str) -> bool:
    """Whether a reader would see nothing: only white space, control and format characters (zero-width spaces
    and joiners, direction marks, U+180E, the BOM) and characters that draw nothing."""
    return all(
        char.isspace() or char in _BLANK_LOOKING or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")
        for char in text or ""
    )


def host(url: str) -> str:
    """The host a link points at, "www." dropped; empty when there is none with a dot in it."""
    if not url.lower().startswith(("http://", "https://")):
        url = "http://" + url
    try:
        name = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    name = name.strip(".").removeprefix("www.")
    return name if "." in name else ""


def _may_link(text: str) -> bool:
    # What every _URL match contains; most comments have neither, and this is cheaper than the search.
    return "://" in text or "www." in text.lower()


def text_fingerprint(body: str) -> str:
    """A hash of the comment's words that survives what spam waves vary: case, Unicode look-alikes, spacing,
    punctuation, numbers, links and word order. Empty for short comments."""
    body = body or ""
    words = _WORD.findall(normalise(_URL.sub(" ", body) if _may_link(body) else body))
    distinct = sorted(set(words))
    if len(words) < FINGERPRINT_MIN_WORDS or len(distinct) < 3:
        return ""
    return hashlib.blake2b(" ".join(distinct).encode(), digest_size=16).hexdigest()


def link_domains(body: str, author_url: str = "") -> str:
    """The domains a comment links to (its text and the author's URL), space-separated, "www." dropped."""
    hosts = {host(url) for url in _URL.findall(body)} if body and _may_link(body) else set()
    if author_url:
        hosts.add(host(author_url))
    hosts.discard("")
    kept, length = [], 0
    for name in sorted(hosts):
        if length + len(name) + 1 > LINK_DOMAINS_MAX:
            break
        kept.append(name)
        length += len(name) + 1
    return " ".join(kept)


def comment_markers(*, body: str, author_url: str = "") -> tuple[str, str]:
    """(fingerprint, link_domains) for a new comment; Comment.save() sets both on insert."""
    return text_fingerprint(body), link_domains(body, author_url)
