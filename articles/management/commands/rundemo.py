"""`make run`: the development server, with the demo logins printed last, under the server's own banner.

Whatever app provides `runserver` (whitenoise's, without its static handling, here) is the one extended.
"""

from django.core.management import get_commands, load_command_class

from articles.management.commands.seed_demo import logins_text

RunserverCommand = type(load_command_class(get_commands()["runserver"], "runserver"))


class Command(RunserverCommand):
    help = "Serve the demo newsroom and print its logins once the server is listening."

    def on_bind(self, server_port):
        super().on_bind(server_port)
        host = f"[{self.addr}]" if self._raw_ipv6 else ("0.0.0.0" if self.addr == "0" else self.addr)  # noqa: S104
        # The banner, Django's warning and then these: they stay on screen until the first request is logged.
        self.stdout.write(logins_text(f"{self.protocol}://{host}:{server_port}"))
