"""Blocklist matching: IPs and CIDR networks, emails and domains, words with case and Unicode variants."""

import pytest
from django.core.exceptions import ValidationError

from comments import blocklist
from comments.blocklist import clean_value, match_comment, normalise
from comments.models import BlocklistEntry, Comment

pytestmark = pytest.mark.django_db

Kind, Action = BlocklistEntry.Kind, BlocklistEntry.Action


def block(kind, value, action=Action.HOLD):
    return BlocklistEntry.objects.create(kind=kind, value=clean_value(kind, value), action=action)


def comment(**fields) -> Comment:
    defaults = {
        "author_name": "Reader",
        "author_email": "reader@example.com",
        "body": "A perfectly ordinary comment.",
        "ip_address": "198.51.100.7",
    }
    return Comment(**{**defaults, **fields})


@pytest.mark.parametrize(
    ("value", "ip", "hit"),
    [
        ("203.0.113.9", "203.0.113.9", True),
        ("203.0.113.9", "203.0.113.10", False),
        ("203.0.113.0/24", "203.0.113.200", True),
        ("203.0.113.0/24", "203.0.114.1", False),
        ("10.0.0.0/8", "10.255.1.2", True),
        ("2001:db8::/32", "2001:db8:abcd::1", True),
        ("2001:db8::/32", "2001:db9::1", False),
        ("203.0.113.0/24", "::ffff:203.0.113.5", True),  # an IPv4 address written as IPv6
        ("2001:db8::/32", "203.0.113.5", False),
        ("203.0.113.0/24", None, False),
    ],
)
def test_ip_addresses_and_cidr_networks(value, ip, hit):
    entry = block(Kind.IP, value)
    assert match_comment(comment(ip_address=ip)) == (entry if hit else None)


@pytest.mark.parametrize(
    ("value", "email", "hit"),
    [
        ("bad@spam.example", "bad@spam.example", True),
        ("bad@spam.example", "BAD@Spam.Example", True),
        ("bad@spam.example", "good@spam.example", False),
        ("spam.example", "anyone@spam.example", True),
        ("spam.example", "anyone@mail.spam.example", True),  # subdomains too
        ("@spam.example", "x@deep.mail.spam.example", True),
        ("*.spam.example", "x@spam.example", True),
        ("spam.example", "x@notspam.example", False),
        ("spam.example", "x@spam.example.org", False),
    ],
)
def test_email_addresses_and_whole_domains(value, email, hit):
    entry = block(Kind.EMAIL, value)
    assert match_comment(comment(author_email=email)) == (entry if hit else None)


@pytest.mark.parametrize(
    ("value", "text", "hit"),
    [
        ("viagra", "Buy Viagra now", True),
        ("viagra", "BUY VIAGRA", True),
        ("viagra", "ｖｉａｇｒａ for sale", True),  # full-width letters (NFKC)
        ("viagra", "vi\u200bagra, invisibly split", True),  # zero-width space
        ("viagra", "vi\u00adagra with a soft hyphen", True),
        ("viagra", "viagras", False),  # whole words only
        ("viagra", "noviagra", False),
        ("ass", "a class of its own", False),
        ("straße", "STRASSE closed", True),  # case folding: ß is ss
        ("STRASSE", "die Straße", True),
        ("café", "Cafe\u0301 au lait", True),  # e + combining accent composes to é
        ("cheap pills", "get CHEAP\n   PILLS here", True),  # phrases, any whitespace between words
        ("cheap pills", "cheap and pills", False),
        ("$$$", "earn $$$ fast", True),
    ],
)
def test_words_and_phrases_fold_case_and_unicode_on_word_boundaries(value, text, hit):
    entry = block(Kind.WORD, value)
    assert match_comment(comment(body=text)) == (entry if hit else None)


def test_words_match_author_name_and_url_too():
    entry = block(Kind.WORD, "casino")
    assert match_comment(comment(author_name="Best Casino")) == entry
    assert match_comment(comment(author_url="https://casino.example/")) == entry


def test_mark_spam_wins_over_hold():
    block(Kind.WORD, "pills", Action.HOLD)
    spam = block(Kind.IP, "198.51.100.0/24", Action.SPAM)
    assert match_comment(comment(body="pills")) == spam


def test_longest_phrase_is_reported():
    block(Kind.WORD, "cheap")
    longer = block(Kind.WORD, "cheap pills")
    assert match_comment(comment(body="cheap pills here")) == longer


def test_changes_take_effect_at_once_and_lookups_are_cached(django_assert_num_queries):
    assert match_comment(comment(body="buy pills")) is None
    entry = block(Kind.WORD, "pills")
    assert match_comment(comment(body="buy pills")) == entry
    with django_assert_num_queries(0):
        assert match_comment(comment(body="buy pills")) == entry
    entry.delete()
    assert match_comment(comment(body="buy pills")) is None


def test_one_query_when_the_cache_forgets(django_assert_num_queries):
    from django.core.cache import cache

    entry = block(Kind.WORD, "pills")
    cache.clear()
    with django_assert_num_queries(1):
        assert match_comment(comment(body="pills")) == entry


def test_an_invalid_stored_value_is_skipped_not_fatal():
    BlocklistEntry.objects.create(kind=Kind.IP, value="not an ip")
    good = block(Kind.IP, "198.51.100.7")
    blocklist.blocklist_changed()
    assert match_comment(comment()) == good


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (Kind.IP, " 203.0.113.77/24 ", "203.0.113.0/24"),
        (Kind.IP, "2001:DB8::1", "2001:db8::1/128"),
        (Kind.EMAIL, "Bad@Spam.Example", "bad@spam.example"),
        (Kind.EMAIL, "@Spam.Example", "spam.example"),
        (Kind.EMAIL, "*.spam.example", "spam.example"),
        (Kind.WORD, "  Cheap   PILLS ", "cheap pills"),
    ],
)
def test_values_are_stored_canonical(kind, value, expected):
    assert clean_value(kind, value) == expected


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (Kind.IP, "300.1.1.1"),
        (Kind.IP, "203.0.113.0/33"),
        (Kind.EMAIL, "no domain@"),
        (Kind.EMAIL, "x"),
        (Kind.WORD, "\u200b "),
    ],
)
def test_bad_values_are_refused_with_a_message(kind, value):
    with pytest.raises(ValidationError):
        clean_value(kind, value)


def test_normalise_is_idempotent():
    for text in ["ﬁ ligature", "Straße", "ＡＢＣ", "e\u0301", "ΣΑΣ"]:
        assert normalise(normalise(text)) == normalise(text)


def test_blocked_sender_skips_akismet_and_gets_the_entrys_action(settings, article, use_test_client):
    """Checked before Akismet: a blocked sender costs no Akismet call."""
    import akismet

    from comments.services import submit_comment

    settings.COMMENTS_RATE_LIMIT_SECONDS = 0
    client_class = use_test_client(akismet.CheckResponse.HAM)
    calls = []
    original = client_class.comment_check

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    client_class.comment_check = counting
    block(Kind.EMAIL, "spam.example", Action.SPAM)
    blocked = submit_comment(
        article=article, author_name="Bot", author_email="bot@spam.example", body="hello there", ip="203.0.113.1"
    )
    assert blocked.status == Comment.Status.SPAM and not calls
    fine = submit_comment(
        article=article, author_name="Ann", author_email="ann@example.com", body="hello there", ip="203.0.113.2"
    )
    assert fine.status == Comment.Status.PUBLISHED and calls
