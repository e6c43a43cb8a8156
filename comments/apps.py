from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self):
        # Django's place for wiring that needs the models loaded: the system checks, and the background tasks
        # plugging themselves into comments.spam (which cannot import them: they import it).
        from comments import checks, tasks

        checks.register()
        tasks.connect()
