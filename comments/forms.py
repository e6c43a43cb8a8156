from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Layout, Submit
from django import forms
from django.core.validators import URLValidator
from django.forms import BoundField
from django.urls import reverse

from articles.models import Article
from comments.models import Comment
from comments.text import is_blank

# The honeypot: a field people never see (it sits off-screen, out of the tab order) but form-filling robots do.
# Akismet is told its name (honeypot_field_name) too.
HONEYPOT_FIELD = "homepage"
NAME_MAX = Comment._meta.get_field("author_name").max_length
BODY_MAX = Comment._meta.get_field("body").max_length

# Ids in comments/_form.html and in the form's layout below.
RESPOND_TITLE_ID = "respond-title"
LENGTH_COUNTER_ID = "comment-length"


class CommentBoxBoundField(BoundField):
    """The Comment box is described by the "Post a comment" / "Reply to ..." heading above the form and by the
    live count of characters left, besides its own errors (Django's aria-describedby, kept)."""

    @property
    def aria_describedby(self):
        return " ".join(filter(None, [RESPOND_TITLE_ID, super().aria_describedby, LENGTH_COUNTER_ID]))


class WebsiteField(forms.URLField):
    # http(s) only; replacing the default validator rather than adding a second keeps "Enter a valid URL." single.
    default_validators = [URLValidator(schemes=["http", "https"])]


class CommentForm(forms.Form):
    name = forms.CharField(label="Name", max_length=NAME_MAX)
    email = forms.EmailField(
        label="Email", max_length=254, help_text="Never shown publicly.", widget=forms.EmailInput()
    )
    url = WebsiteField(label="Website (optional)", max_length=300, required=False, assume_scheme="https")
    comment = forms.CharField(
        label="Comment",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "data-max-length": BODY_MAX}),
        bound_field_class=CommentBoxBoundField,
    )
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    homepage = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, article: Article, user=None, **kwargs):
        self.article = article
        if user is not None and user.is_authenticated:
            kwargs.setdefault("initial", {})
            kwargs["initial"].setdefault("name", (user.get_full_name() or user.get_username())[:NAME_MAX])
            kwargs["initial"].setdefault("email", user.email)
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_id = "comment-form"
        self.helper.form_class = "comment-form"
        self.helper.form_action = reverse("comments:post", kwargs={"article_id": article.pk})
        self.helper.layout = Layout(
            "parent",
            Div(
                Div(Field("name", autocomplete="name"), css_class="col-md-6"),
                Div(Field("email", autocomplete="email"), css_class="col-md-6"),
                css_class="row",
            ),
            "url",
            "comment",
            Div(HONEYPOT_FIELD, css_class="comment-hp", aria_hidden="true"),
            HTML(f'<p class="form-text comment-length" id="{LENGTH_COUNTER_ID}" aria-live="polite"></p>'),
        )
        self.helper.add_input(Submit("submit", "Post comment", css_class="btn btn-primary"))

    def clean(self):
        cleaned = super().clean()
        # The parent travels in a hidden field, whose errors a reader would never see: they go to the top.
        if "parent" in self.errors:
            del self.errors["parent"]
            self.add_error(None, "The comment you replied to does not exist.")
            return cleaned
        parent_id = cleaned.get("parent")
        cleaned["parent"] = None
        if parent_id:
            parent = Comment.objects.filter(pk=parent_id).first()
            if parent is None:
                self.add_error(None, "The comment you replied to does not exist.")
            elif parent.article_id != self.article.pk:
                self.add_error(None, "The comment you replied to belongs to another article.")
            elif parent.status != Comment.Status.PUBLISHED:
                self.add_error(None, "The comment you replied to is no longer available.")
            else:
                cleaned["parent"] = parent
        return cleaned

    def clean_name(self) -> str:
        return _visible(self.cleaned_data["name"], "Enter your name.")

    def clean_comment(self) -> str:
        return _visible(self.cleaned_data["comment"], "Write a comment before posting.")

    def clean_email(self) -> str:
        # Stored lower-case, so "same text twice from the same email" and the moderators' per-sender record
        # cannot be dodged by changing case.
        return self.cleaned_data["email"].lower()


def _visible(value: str, message: str) -> str:
    # Zero-width spaces, U+180E, the BOM and the like pass "required" but show nothing: such a field is empty.
    if is_blank(value):
        raise forms.ValidationError(message, code="required")
    return value
