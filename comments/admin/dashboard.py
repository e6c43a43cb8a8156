"""The moderation dashboard and "Empty spam": CommentAdmin's extra pages."""

from bisect import bisect_right
from datetime import datetime, time, timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from comments import moderation, spam
from comments.admin.queues import Status, can_moderate, can_purge, changelist_url, queue_counts
from comments.models import Comment, ModerationRecord, QuarterHourCount


class ModerationPages:
    """CommentAdmin's pages beside the list and the change page."""

    def get_urls(self):
        extra = [
            path("dashboard/", self.admin_site.admin_view(self.dashboard_view), name="comments_comment_dashboard"),
            path("empty-spam/", self.admin_site.admin_view(self.empty_spam_view), name="comments_comment_empty_spam"),
        ]
        return extra + super().get_urls()

    def dashboard_view(self, request):
        if not can_moderate(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Moderation dashboard",
            "opts": self.model._meta,
            "queues": [
                (label, count, changelist_url(queue=key)) for key, label, count in queue_counts() if key != "all"
            ],
            "chart": daily_chart(days=30),
            "spam_checking_note": spam.spam_checking_status(),
            "records": ModerationRecord.objects.select_related("actor")[:10],
            "can_purge": can_purge(request),
        }
        return TemplateResponse(request, "admin/comments/dashboard.html", context)

    def empty_spam_view(self, request):
        if not can_purge(request):
            raise PermissionDenied
        ages = spam_by_age()
        retention = settings.SPAM_RETENTION_DAYS
        older_than_retention = moderation.spam_to_purge(older_than_days=retention).count()
        # Offer what would delete something: the retention age when spam is that old, else all spam.
        initial = {"scope": "older" if older_than_retention else "all", "days": retention}
        form = EmptySpamForm(request.POST if request.method == "POST" else None, initial=initial)
        context = {
            **self.admin_site.each_context(request),
            "title": "Empty spam",
            "opts": self.model._meta,
            "form": form,
            "ages": ages,
            "spam_total": ages[0]["count"],
            "retention_days": retention,
            "older_than_retention": older_than_retention,
        }
        if request.method == "POST" and form.is_valid():
            days = form.older_than_days()
            count = moderation.spam_to_purge(older_than_days=days).count()
            if request.POST.get("confirm") == "yes" and count:
                result = moderation.empty_spam(moderator=request.user, older_than_days=days)
                self.message_user(request, f"Spam emptied: {result}.", messages.SUCCESS)
                return HttpResponseRedirect(changelist_url(queue="spam"))
            # Nothing to delete is said on the choice page, with the counts, not offered as "Delete 0".
            context["confirm_count"] = count
            context["confirm_days"] = days
        return TemplateResponse(request, "admin/comments/empty_spam.html", context)


class EmptySpamForm(forms.Form):
    scope = forms.ChoiceField(
        choices=[("all", "All spam"), ("older", "Spam older than a number of days")],
        widget=forms.RadioSelect,
        initial="older",
    )
    days = forms.IntegerField(
        min_value=0, max_value=36500, required=False, initial=settings.SPAM_RETENTION_DAYS, label="Days"
    )

    def clean(self):
        data = super().clean()
        if data.get("scope") == "older" and data.get("days") is None:
            self.add_error("days", "Enter a whole number of days (0 or more).")
        return data

    def older_than_days(self) -> int:
        return 0 if self.cleaned_data["scope"] == "all" else self.cleaned_data["days"]


# The ages "Empty spam" offers up front, in days; 0 is all spam.
SPAM_AGES = [0, 1, 7, 30]


def spam_by_age() -> list[dict]:
    """How much spam each age choice would delete (all, older than 1, 7, the retention, 30 days): one query."""
    now = timezone.now()
    days = sorted({*SPAM_AGES, settings.SPAM_RETENTION_DAYS})
    counts = Comment.objects.spam().aggregate(
        **{f"d{n}": Count("pk", filter=Q(submitted_at__lt=now - timedelta(days=n)) if n else Q()) for n in days}
    )
    return [
        {
            "days": n,
            "scope": "older" if n else "all",
            "label": f"Older than {n} day{'s' if n != 1 else ''}" if n else "All spam",
            "count": counts[f"d{n}"],
            "retention": n == settings.SPAM_RETENTION_DAYS,
        }
        for n in days
    ]


def daily_chart(*, days: int = 30, width: int = 720, height: int = 220) -> dict:
    """Comments a day over the last `days` days, published / held / spam, laid out as SVG rectangles.

    All the drawing is numbers worked out here; the template only writes them into <rect> elements. The counts
    come from the quarter-hour counters (a few thousand rows a month at most), not from the comments themselves.
    """
    zone = timezone.get_current_timezone()
    first = timezone.localdate() - timedelta(days=days - 1)
    start = datetime.combine(first, time.min, tzinfo=zone)
    series = {"published": [Status.PUBLISHED], "held": [Status.PENDING, Status.FLAGGED], "spam": [Status.SPAM]}
    group = {status: name for name, statuses in series.items() for status in statuses}
    per_day = {first + timedelta(days=i): dict.fromkeys(series, 0) for i in range(days)}
    # Each local midnight in Unix seconds: every zone's offset is whole quarter hours, so a quarter hour falls
    # inside one local day.
    midnights = [int(datetime.combine(day, time.min, tzinfo=zone).timestamp()) for day in per_day]
    day_list = list(per_day)
    rows = (
        QuarterHourCount.objects.filter(quarter__gte=int(start.timestamp()), status__in=list(group))
        .order_by()
        .values_list("quarter", "status")
        .annotate(n=Sum("count"))
    )
    for quarter, status, n in rows:
        index = bisect_right(midnights, quarter) - 1
        if 0 <= index < days and n:
            per_day[day_list[index]][group[status]] += n
    peak = max((sum(counts.values()) for counts in per_day.values()), default=0)
    scale_top = _nice_ceiling(peak)
    left, bottom, top = 44, 24, 8
    plot_w, plot_h = width - left - 8, height - bottom - top
    slot = plot_w / days
    bars = []
    for index, (day, counts) in enumerate(per_day.items()):
        x = left + index * slot + 1
        y = top + plot_h
        segments = []
        for name in series:
            h = plot_h * counts[name] / scale_top if scale_top else 0
            y -= h
            segments.append({"name": name, "y": round(y, 1), "height": round(h, 1)})
        bars.append(
            {
                "day": day,
                "x": round(x, 1),
                "width": round(slot - 2, 1),
                "segments": segments,
                "counts": counts,
                "label": f"{day:%b} {day.day}" if index % 5 == 0 or index == days - 1 else "",
                "label_x": round(x + (slot - 2) / 2, 1),
            }
        )
    ticks = (
        [{"value": scale_top * i // 4, "y": round(top + plot_h - plot_h * i / 4, 1)} for i in range(5)]
        if scale_top
        else [{"value": 0, "y": top + plot_h}]
    )
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - 8,
        "baseline": top + plot_h,
        "label_y": height - 6,
        "bars": bars,
        "ticks": ticks,
        "totals": {name: sum(counts[name] for counts in per_day.values()) for name in series},
    }


def _nice_ceiling(value: int) -> int:
    """The top of the axis: four ticks of a round step (1, 2 or 5 times a power of ten) that reach value."""
    if value <= 0:
        return 0
    step = 1
    while True:
        for factor in (1, 2, 5):
            if 4 * step * factor >= value:
                return 4 * step * factor
        step *= 10
