"""An IPv6 reader is their /64 (COMMENTS_IPV6_PREFIX); an IPv4-mapped address is the IPv4 address."""

import pytest
from django.test import Client
from django.urls import reverse

from comments.addresses import reader_network
from comments.blocklist import match_comment
from comments.models import BlocklistEntry, Comment, CommentReport
from comments.services import _take_rate_limit_slot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "address, network",
    [
        ("2001:db8:aaaa:bbbb::1", "2001:db8:aaaa:bbbb::/64"),
        ("2001:db8:aaaa:bbbb:ffff:1:2:3", "2001:db8:aaaa:bbbb::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("203.0.113.9", "203.0.113.9"),
        ("not an address", ""),
        (None, ""),
    ],
)
def test_reader_network(address, network):
    assert reader_network(address) == network


def test_prefix_is_a_setting(settings):
    settings.COMMENTS_IPV6_PREFIX = 56
    assert reader_network("2001:db8:aaaa:bbff::1") == "2001:db8:aaaa:bb00::/56"


def test_three_addresses_of_one_ipv6_network_count_as_one_report(article, make_comment, settings):
    settings.COMMENTS_REPORT_THRESHOLD = 3
    comment = make_comment(article)
    url = reverse("comments:report", args=[comment.pk])
    answers = [
        Client(REMOTE_ADDR=f"2001:db8:aaaa:bbbb::{n}").post(url, {"reason": "abuse"}).status_code for n in (1, 2, 3)
    ]
    assert answers == [302, 409, 409]
    assert CommentReport.objects.count() == 1
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED and comment.report_count == 1


def test_readers_of_different_ipv6_networks_each_count(article, make_comment, settings):
    settings.COMMENTS_REPORT_THRESHOLD = 2
    comment = make_comment(article)
    url = reverse("comments:report", args=[comment.pk])
    for address in ("2001:db8:aaaa:1::1", "2001:db8:aaaa:2::1"):
        Client(REMOTE_ADDR=address).post(url, {"reason": "abuse"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.FLAGGED


def test_rate_limit_holds_for_a_new_address_in_the_same_ipv6_network(article, settings):
    settings.COMMENTS_RATE_LIMIT_SECONDS = 60
    url = reverse("comments:post", kwargs={"article_id": article.pk})

    def post(address, body):
        data = {"name": "Ada", "email": "ada@example.com", "comment": body, "homepage": ""}
        return Client(REMOTE_ADDR=address).post(url, data).status_code

    assert post("2001:db8:aaaa:bbbb::1", "First") == 302
    assert post("2001:db8:aaaa:bbbb::2", "Second") == 429
    assert post("2001:db8:aaaa:cccc::1", "Third, another network") == 302


def test_rate_limit_counts_an_ipv4_mapped_address_as_the_ipv4_address(article, settings):
    settings.COMMENTS_RATE_LIMIT_SECONDS = 60
    assert _take_rate_limit_slot("203.0.113.9")
    assert not _take_rate_limit_slot("::ffff:203.0.113.9")


def test_blocklisted_ipv6_address_covers_its_reader_network(article, make_comment):
    BlocklistEntry.objects.create(kind="ip", value="2001:db8:aaaa:bbbb::1", action="spam")
    same_network = make_comment(article, ip_address="2001:db8:aaaa:bbbb:1234::99")
    other_network = make_comment(article, ip_address="2001:db8:aaaa:cccc::1")
    assert match_comment(same_network) is not None
    assert match_comment(other_network) is None


def test_blocklisted_ipv4_address_matches_a_mapped_reader(article, make_comment):
    BlocklistEntry.objects.create(kind="ip", value="203.0.113.9", action="hold")
    mapped = Comment(article=article, ip_address="::ffff:203.0.113.9", author_email="a@example.com", body="x")
    assert match_comment(mapped) is not None
