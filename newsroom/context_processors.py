from django.conf import settings
from django.utils.functional import SimpleLazyObject

from articles.models import Section


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        # Lazy: only pages that draw the navigation (not the admin) pay for the query.
        "NAV_SECTIONS": SimpleLazyObject(lambda: list(Section.objects.all())),
    }
