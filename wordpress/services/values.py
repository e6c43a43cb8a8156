"""The file's strings as column values: no database."""

import ipaddress
from datetime import UTC, datetime

from django.utils import timezone


def aware(gmt: datetime | None, local: datetime | None) -> datetime | None:
    if gmt is not None:
        return gmt.astimezone(UTC)
    if local is not None:
        return timezone.make_aware(local, timezone.get_default_timezone())
    return None


def whole_number(value: str) -> int:
    try:
        return int(value.strip())
    except (AttributeError, ValueError):
        return 0


def ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None
