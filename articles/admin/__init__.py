"""The editors' and reporters' screens in the Django admin.

common.py     the publish permission, names and times as the desk shows them
filters.py    the article list's filters
inlines.py    bylines and corrections on the article form
desk.py       the desk's extra screens and JSON endpoints (history, compare, restore, autosave, locks, photos)
articles.py   ArticleAdmin: the list, the form, the workflow buttons and actions, built from the above
taxonomy.py   sections, tags and authors
redirects.py  old addresses of articles
"""

from django.conf import settings
from django.contrib import admin

from articles.admin.articles import ArticleAdmin
from articles.admin.redirects import ArticleRedirectAdmin
from articles.admin.taxonomy import AuthorAdmin, SectionAdmin, TagAdmin

# The admin speaks with the site's name, not Django's.
admin.site.site_header = settings.SITE_NAME
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = "The desk"

__all__ = ["ArticleAdmin", "ArticleRedirectAdmin", "AuthorAdmin", "SectionAdmin", "TagAdmin"]
