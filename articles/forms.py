import re

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils import timezone
from django_prose_editor.fields import ProseEditorFormField

from articles.models import Article, ArticleImage
from articles.sanitize import clean_html

# What people type into a time box: "08:00", "8:00", "8:00 AM", "8:00am", "08:00:00".
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M", "%I:%M %p", "%I:%M%p", "%I %p", "%I%p", "%H:%M:%S.%f"]

# The editor's tools; everything they make is inside the nh3 allowlist in articles/sanitize.py.
BODY_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Figure": True,
    "Image": True,
    "Caption": True,
    "HardBreak": True,
    "History": True,
}

IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'\b(src|alt)\s*=\s*"([^"]*)"', re.IGNORECASE)


class DateTimeField(forms.SplitDateTimeField):
    def __init__(self, **kwargs):
        kwargs.setdefault("widget", AdminSplitDateTime)
        super().__init__(input_time_formats=TIME_INPUT_FORMATS, **kwargs)


class ScheduleForm(forms.Form):
    """The admin's "Schedule" action asks when the selected articles go live."""

    publish_at = DateTimeField(
        label="Publish at",
        help_text="In the site's time zone; type the time as 08:00 or 8:00 AM. The articles appear on every public "
        "page at this time.",
    )

    def clean_publish_at(self):
        publish_at = self.cleaned_data["publish_at"]
        if publish_at <= timezone.now():
            raise forms.ValidationError("Choose a time in the future; use “Publish now” to publish at once.")
        return publish_at


class ArticleAdminForm(forms.ModelForm):
    """The desk's article form: rich-text body, workflow buttons instead of a status menu, stale-save check.

    The admin sets `user`, `can_publish` and `autosave_initial` on the class it builds for each request.
    """

    # Which button was pressed: each maps to a status, checked against the role's choices like the status was.
    WORKFLOW = {
        "keep": None,
        "draft": Article.Status.DRAFT,
        "review": Article.Status.REVIEW,
        "publish": Article.Status.PUBLISHED,
        "schedule": Article.Status.PUBLISHED,
        "sendback": Article.Status.DRAFT,
        "unpublish": Article.Status.UNPUBLISHED,
    }
    EDITOR_WORKFLOW = {"publish", "schedule", "sendback", "unpublish"}

    body = ProseEditorFormField(
        extensions=BODY_EXTENSIONS,
        sanitize=clean_html,
        help_text="Headings, emphasis, links, lists, quotes and photos. Paste from anywhere: it comes out as clean "
        "markup.",
    )
    opened_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    sendback_note = forms.CharField(
        label="Note to the reporter",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Required with “Send back to reporter”; they see it on the article.",
    )
    new_note = forms.CharField(
        label="Add an internal note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="For the newsroom only: never shown to readers, in feeds or in search engines' data.",
    )

    user = None
    can_publish = False
    autosave_initial: dict | None = None

    class Meta:
        model = Article
        fields = [
            "headline", "slug", "dek", "section", "tags", "body", "lead_image", "lead_image_caption",
            "lead_image_credit", "lead_image_alt", "status", "published_at", "comments_mode", "comment_moderation",
        ]  # fmt: skip
        widgets = {
            "headline": forms.TextInput(attrs={"class": "vLargeTextField desk-headline", "size": 90}),
            "dek": forms.TextInput(attrs={"class": "vLargeTextField", "size": 90}),
            "status": forms.HiddenInput,
        }
        field_classes = {"published_at": DateTimeField}

    def __init__(self, data=None, *args, **kwargs):
        self.workflow = data.get("_workflow", "keep") if data is not None else "keep"
        if data is not None and self.WORKFLOW.get(self.workflow):
            # The button decides the status; without one (a plain post) the status field does, as before.
            data = data.copy()
            data["status"] = self.WORKFLOW[self.workflow]
        super().__init__(data, *args, **kwargs)
        if "opened_version" in self.fields:
            self.fields["opened_version"].initial = self.instance.version
            if self.instance.pk is None:
                self.fields["opened_version"].required = False
        if not self.is_bound and self.autosave_initial:
            self.initial.update({k: v for k, v in self.autosave_initial.items() if k in ("headline", "dek", "body")})

    def clean_body(self):
        body = self.cleaned_data["body"]
        for tag in IMG_TAG.findall(body):
            attributes = {name.lower(): value for name, value in ATTRIBUTE.findall(tag)}
            if not attributes.get("alt", "").strip():
                raise forms.ValidationError("Every photo in the text needs alt text (what it shows).")
            if not attributes.get("src", "").startswith(
                settings.MEDIA_URL if settings.MEDIA_URL.startswith("/") else "/" + settings.MEDIA_URL
            ):
                raise forms.ValidationError("Photos in the text must be the newsroom's own uploads (under /media/).")
        return body

    def clean(self):
        cleaned = super().clean()
        if self.workflow not in self.WORKFLOW:
            raise forms.ValidationError("Unknown button; nothing was saved.")
        if self.workflow in self.EDITOR_WORKFLOW and not self.can_publish:
            raise forms.ValidationError("Only an editor may do that; your text is kept below.")
        if self.workflow == "sendback" and not cleaned.get("sendback_note", "").strip():
            self.add_error("sendback_note", "Tell the reporter what to change.")
        now = timezone.now()
        if self.workflow == "schedule":
            when = cleaned.get("published_at")
            if when is None or when <= now:
                self.add_error("published_at", "Choose a time in the future to schedule; or use “Publish now”.")
        elif self.workflow == "publish" and "published_at" in self.fields:
            when = cleaned.get("published_at")
            if when is None or when > now:
                cleaned["published_at"] = now
        self._check_not_stale()
        return cleaned

    def _check_not_stale(self):
        if self.instance.pk is None:
            return
        # Locking the row makes two racing saves queue up: the second sees the first one's version and is refused.
        current = Article.objects.select_for_update().filter(pk=self.instance.pk).values_list("version", flat=True)
        current = current.first()
        opened = self.cleaned_data.get("opened_version")
        if current is None or opened is None or opened == current:
            return
        self.stale_version = current
        # Saving again on purpose keeps their text over the newer version: the form now carries the current one.
        self.data = self.data.copy()
        self.data["opened_version"] = current
        raise forms.ValidationError("stale", code="stale")


class ArticleImageForm(forms.ModelForm):
    """A photo uploaded from the picker under the editor."""

    class Meta:
        model = ArticleImage
        fields = ["image", "alt", "caption", "credit"]

    def clean_image(self):
        image = self.cleaned_data["image"]
        if image and image.size > settings.ARTICLE_IMAGE_MAX_BYTES:
            limit = settings.ARTICLE_IMAGE_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"That file is too big: photos up to {limit} MB.")
        return image

    def clean_alt(self):
        alt = self.cleaned_data["alt"].strip()
        if not alt:
            raise forms.ValidationError("Describe the photo for readers who cannot see it.")
        return alt


class ArticleImageDetailsForm(forms.Form):
    """An upload's words, corrected from the picker (the file itself stays)."""

    alt = forms.CharField(label="Alt text", max_length=200, required=False)
    caption = forms.CharField(max_length=300, required=False)
    credit = forms.CharField(max_length=150, required=False)

    def clean_alt(self):
        alt = self.cleaned_data["alt"].strip()
        if not alt:
            raise forms.ValidationError("Describe the photo for readers who cannot see it.")
        return alt
