"""Blocklists: IPs and networks, emails and domains, words and phrases.

`match_comment` runs on every new comment before Akismet, so it must stay cheap: the entries are compiled once
(networks parsed, words joined into one regular expression) and kept in this process until the blocklist
changes. A version token in Django's cache says when that is, so every app server sees an edit at once
(Redis in production); with the token missing (a cleared or unreachable cache) the entries are read again,
one query, which is always correct.
"""

import ipaddress
import logging
import re
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from comments.addresses import parse_ip, widen
from comments.models import BlocklistEntry, Comment
from comments.text import normalise, phrase_key

logger = logging.getLogger(__name__)

VERSION_KEY = "comments:blocklist-version"
_SPACE = re.compile(r"\s+")


def clean_value(kind: str, value: str) -> str:
    """The canonical form of an entry's value, or ValidationError with a message a moderator can act on."""
    value = (value or "").strip()
    if not value:
        raise ValidationError("Enter a value.")
    if kind == BlocklistEntry.Kind.IP:
        try:
            return str(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ValidationError(
                "Enter an IP address (203.0.113.9, 2001:db8::1) or a network in CIDR form (203.0.113.0/24)."
            ) from None
    if kind == BlocklistEntry.Kind.EMAIL:
        value = value.casefold()
        local, at, domain = value.rpartition("@")
        domain = domain.removeprefix("*.").strip(".")
        if " " in value or not domain or "." not in domain and domain != "localhost":
            raise ValidationError(
                "Enter an email address (name@example.com) or a domain (example.com, which also covers its subdomains)."
            )
        return f"{local}@{domain}" if local else domain
    if kind == BlocklistEntry.Kind.WORD:
        key = phrase_key(value)
        if not key:
            raise ValidationError("Enter a word or phrase.")
        return key
    raise ValidationError("Unknown kind of entry.")


@dataclass
class _Rules:
    """One action's compiled entries."""

    networks: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, BlocklistEntry]] = field(default_factory=list)
    addresses: dict[str, BlocklistEntry] = field(default_factory=dict)
    domains: dict[str, BlocklistEntry] = field(default_factory=dict)
    phrases: dict[str, BlocklistEntry] = field(default_factory=dict)
    pattern: re.Pattern | None = None

    def add(self, entry: BlocklistEntry) -> None:
        try:
            value = clean_value(entry.kind, entry.value)
        except ValidationError:
            logger.warning("Blocklist entry %s has an invalid value %r; it is ignored", entry.pk, entry.value)
            return
        if entry.kind == BlocklistEntry.Kind.IP:
            # An IPv6 entry covers at least the reader's whole network (COMMENTS_IPV6_PREFIX).
            self.networks.append((widen(ipaddress.ip_network(value)), entry))
        elif entry.kind == BlocklistEntry.Kind.EMAIL:
            (self.addresses if "@" in value else self.domains)[value] = entry
        else:
            self.phrases[value] = entry

    def compile(self) -> None:
        if not self.phrases:
            return
        # Longest first, so that "cheap pills" is reported rather than "cheap"; \w is Unicode-aware, so the
        # boundaries hold for "café" as for "cafe".
        alternatives = [
            r"\s+".join(map(re.escape, phrase.split(" "))) for phrase in sorted(self.phrases, key=len, reverse=True)
        ]
        self.pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")

    def match(self, ip, email: str, text: str | None) -> BlocklistEntry | None:
        if ip is not None:
            for network, entry in self.networks:
                if ip.version == network.version and ip in network:
                    return entry
        if email:
            if email in self.addresses:
                return self.addresses[email]
            domain = email.rpartition("@")[2]
            while domain:
                if domain in self.domains:
                    return self.domains[domain]
                domain = domain.partition(".")[2]
        if self.pattern is not None and text:
            found = self.pattern.search(text)
            if found:
                return self.phrases.get(_SPACE.sub(" ", found.group()))
        return None


@dataclass
class _Blocklist:
    version: str
    # Marking spam outranks holding: a comment matching both kinds of entry is spam.
    by_action: list[_Rules]

    @property
    def empty(self) -> bool:
        return not any(r.networks or r.addresses or r.domains or r.phrases for r in self.by_action)


_compiled: _Blocklist | None = None


def _current_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY) or version
    return version


def _load(version: str) -> _Blocklist:
    spam, hold = _Rules(), _Rules()
    for entry in BlocklistEntry.objects.only("id", "kind", "value", "action").order_by("id"):
        (spam if entry.action == BlocklistEntry.Action.SPAM else hold).add(entry)
    spam.compile()
    hold.compile()
    return _Blocklist(version=version, by_action=[spam, hold])


def current_blocklist() -> _Blocklist:
    global _compiled
    version = _current_version()
    compiled = _compiled
    if compiled is None or compiled.version != version:
        compiled = _compiled = _load(version)
    return compiled


def blocklist_changed() -> None:
    """Make every process read the blocklist again before its next check."""
    global _compiled
    _compiled = None
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


@receiver(post_save, sender=BlocklistEntry, dispatch_uid="comments.blocklist.saved")
@receiver(post_delete, sender=BlocklistEntry, dispatch_uid="comments.blocklist.deleted")
def _entry_changed(sender, **kwargs):
    blocklist_changed()


def match_comment(comment: Comment) -> BlocklistEntry | None:
    """The blocklist entry this comment matches, or None; an entry that marks spam wins over one that holds.

    IP entries cover an address or a whole network; email entries an address or a domain with all its
    subdomains; word entries a word or phrase anywhere in the body, the author's name or URL, compared after
    normalise() and only on word boundaries ("ass" does not match "class").
    """
    blocklist = current_blocklist()
    if blocklist.empty:
        return None
    ip = parse_ip(comment.ip_address)
    email = normalise(comment.author_email or "").strip()
    text = None
    for rules in blocklist.by_action:
        if rules.pattern is not None and text is None:
            text = normalise("\n".join([comment.author_name or "", comment.author_url or "", comment.body or ""]))
        entry = rules.match(ip, email, text)
        if entry is not None:
            return entry
    return None
