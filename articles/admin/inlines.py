"""Bylines and corrections on the article form."""

from django.contrib import admin
from django.forms import BaseInlineFormSet, ModelForm

from articles.models import Byline, Correction


class LabelledFormSet(BaseInlineFormSet):
    """Tabular rows have no visible label per box; screen readers get one (with the row number)."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = "new" if index is None else index + 1
        for name, field in form.fields.items():
            label = "Delete" if name == "DELETE" else field.label
            name = f"{label} ({self.model._meta.verbose_name} {row})"
            halves = getattr(field.widget, "widgets", None)
            if halves and len(halves) == 2:  # a split date and time: each box is named on its own
                for half, widget in zip(("date", "time"), halves, strict=True):
                    widget.attrs.setdefault("aria-label", f"{name}: {half}")
            else:
                field.widget.attrs.setdefault("aria-label", name)


class BylineForm(ModelForm):
    class Meta:
        model = Byline
        fields = ["position", "author"]


class BylineInline(admin.TabularInline):
    model = Byline
    form = BylineForm
    formset = LabelledFormSet
    fields = ["position", "author"]
    autocomplete_fields = ["author"]
    extra = 1
    ordering = ["position", "id"]
    verbose_name = "byline"
    verbose_name_plural = "Bylines (read in order of position: 0 first)"


class CorrectionInline(admin.StackedInline):
    model = Correction
    formset = LabelledFormSet
    fields = ["kind", "text", "created_at"]
    extra = 0
    verbose_name_plural = "Corrections and update notes (shown at the foot of the article)"
