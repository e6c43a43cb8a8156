import json

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles import seo

register = template.Library()

# What Django's json_script escapes: with <, > and & as \u escapes no text can close the script element.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

# Newsrooms in the United States write the zone without standard/daylight: "ET", not "EDT".
US_ZONE_NAMES = {
    "EST": "ET", "EDT": "ET", "CST": "CT", "CDT": "CT", "MST": "MT", "MDT": "MT",
    "PST": "PT", "PDT": "PT", "AKST": "AKT", "AKDT": "AKT", "HST": "HT", "HDT": "HT",
}  # fmt: skip


def zone_name(moment) -> str:
    name = moment.tzname() or ""
    zone = timezone.get_current_timezone_name()
    # "CST" is also China Standard Time: only zones of the Americas get the US newsroom names.
    if zone.startswith(("America/", "US/", "Pacific/Honolulu")):
        return US_ZONE_NAMES.get(name, name)
    return name


@register.filter
def dateline(value) -> str:
    """`May 2nd, 2012 05:47 PM ET`: a moment in the site's time zone, as the article page prints it."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{dateformat.format(local, 'F jS, Y h:i A')} {zone_name(local)}"


@register.filter
def absolute(url: str) -> str:
    return seo.absolute_url(url) if url else ""


@register.simple_tag(takes_context=True)
def news_article_json_ld(context, article):
    data = json.dumps(seo.news_article_ld(article), ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES)
    # Data, not code, but it carries the page's CSP nonce like any inline script would.
    nonce = getattr(context.get("request"), "csp_nonce", None)
    if nonce is not None:  # lazy: reading it is what puts the nonce in this response's policy
        return format_html(
            '<script type="application/ld+json" nonce="{}">{}</script>',
            nonce,
            mark_safe(data),  # noqa: S308
        )
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(data))  # noqa: S308
