from django import forms
from django.contrib.admin.widgets import AdminSplitDateTime
from django.utils import timezone


class ScheduleForm(forms.Form):
    """The admin's "Schedule" action asks when the selected articles go live."""

    publish_at = forms.SplitDateTimeField(
        label="Publish at",
        widget=AdminSplitDateTime,
        help_text="In the site's time zone. The articles appear on every public page at this time.",
    )

    def clean_publish_at(self):
        publish_at = self.cleaned_data["publish_at"]
        if publish_at <= timezone.now():
            raise forms.ValidationError("Choose a time in the future; use “Publish now” to publish at once.")
        return publish_at
