"""What the article admin's screens share: the publish permission, names and times as the desk shows them."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join

from articles.models import EditorialNote

PUBLISH_PERMISSION = "articles.publish_article"


def can_publish(request) -> bool:
    return request.user.has_perm(PUBLISH_PERMISSION)


HISTORY_PER_PAGE = 100


def display_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "Someone"


def local_time(when) -> str:
    return date_format(timezone.localtime(when), "H:i")


def format_html_join_notes(notes: list[EditorialNote]):
    return format_html_join(
        "",
        "<li><strong>{}</strong>, {}{}: {}</li>",
        (
            (
                display_name(note.author),
                date_format(timezone.localtime(note.created_at), "DATETIME_FORMAT"),
                " (sent back)" if note.kind == EditorialNote.Kind.SENT_BACK else "",
                note.text,
            )
            for note in notes
        ),
    )
