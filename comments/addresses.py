"""Who a reader is, by address: an IPv4 address, or the IPv6 network one subscriber holds.

An ISP hands each IPv6 subscriber a whole /64 (often more), and a device picks new addresses inside it at will,
so counting IPv6 readers by full address lets one person report a comment three times or dodge a rate limit.
Rate limits, report counting and blocklist entries therefore treat an IPv6 address as its /COMMENTS_IPV6_PREFIX
network; IPv4-mapped addresses (::ffff:a.b.c.d, from a dual-stack socket) count as the IPv4 address.
"""

import ipaddress

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def ipv6_prefix() -> int:
    return min(max(int(settings.COMMENTS_IPV6_PREFIX), 1), 128)


def parse_ip(value: str | None) -> IPAddress | None:
    """The address, IPv4-mapped IPv6 unwrapped to IPv4; None when it is not an address."""
    if not value:
        return None
    try:
        ip = ipaddress.ip_address(str(value).strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def reader_network(value: str | None) -> str:
    """One reader's address as it is counted: "203.0.113.9", or "2001:db8:aaaa:bbbb::/64" for any address in
    that IPv6 network; empty when there is no valid address."""
    ip = parse_ip(value)
    if ip is None:
        return ""
    if ip.version == 4:
        return str(ip)
    return str(ipaddress.ip_network(f"{ip}/{ipv6_prefix()}", strict=False))


def widen(network: ipaddress.IPv4Network | ipaddress.IPv6Network):
    """A blocklist network as it is matched: an IPv6 entry narrower than a reader's network covers all of it."""
    if network.version == 6 and network.prefixlen > ipv6_prefix():
        return network.supernet(new_prefix=ipv6_prefix())
    return network
