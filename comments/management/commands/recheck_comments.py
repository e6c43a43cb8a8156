from django.core.management.base import BaseCommand

from comments import spam


class Command(BaseCommand):
    help = (
        "Re-check comments Akismet could not check, give up on those waiting longer than 15 days, and send "
        "moderators' feedback to Akismet. Run it from cron every few minutes; it works with any task backend."
    )
    # Run from cron every few minutes: the system checks' warnings belong to deploys, not to every run's mail.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=5000, help="At most this many re-checks and sends a run.")

    def handle(self, *args, limit, verbosity, **options):
        if status := spam.spam_checking_status():
            self.stderr.write(self.style.WARNING(status))
        rechecks = spam.recheck_due_comments(limit=limit, time_budget=float("inf"))
        feedback = spam.send_due_feedback(limit=limit, time_budget=float("inf"))
        if not verbosity:
            return
        self.stdout.write(
            "Re-checked {checked}: {ham} ham, {spam} spam, {discard} blatant spam; "
            "{failed} failed, {remaining} still waiting, {given_up} left to moderators.".format(**rechecks)
        )
        self.stdout.write("Feedback: {sent} sent, {failed} failed, {remaining} still owed.".format(**feedback))
