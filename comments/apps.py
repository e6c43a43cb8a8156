from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self):
        # Django's place for wiring that needs the models loaded: the system checks, and the background tasks
        # plugging themselves into comments.spam (which cannot import them: they import it).
        # The counting triggers go back after every migrate: SQLite drops them when a migration rebuilds the table.
        from comments import checks, tasks, triggers

        checks.register()
        tasks.connect()
        post_migrate.connect(triggers.reinstall_after_migrate, sender=self)
