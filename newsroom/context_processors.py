from django.conf import settings
from django.utils.functional import SimpleLazyObject

from articles.models import Section
from articles.seo import site_url


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": SimpleLazyObject(site_url),
        # Lazy: only pages that draw the navigation (not the admin) pay for the query.
        "NAV_SECTIONS": SimpleLazyObject(lambda: list(Section.objects.all())),
    }
