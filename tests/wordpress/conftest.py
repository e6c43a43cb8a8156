from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from tests.comments.conftest import no_akismet_network  # noqa: F401 - the same guard as the comment tests

DATA = Path(__file__).parent / "data"


@pytest.fixture
def site_export() -> Path:
    """A small export of a 2012 news blog: every post status, threads five deep, every comment status, pingbacks,
    Co-Authors Plus guest bylines, block markup, shortcodes, non-ASCII text and hostile HTML."""
    return DATA / "site.xml"


@pytest.fixture
def import_wxr(db):
    """Run the management command; returns what it printed."""

    def run(path: Path, *args: str) -> str:
        out = StringIO()
        call_command("import_wxr", str(path), "--progress=log", *args, stdout=out)
        return out.getvalue()

    return run


@pytest.fixture
def uploads(tmp_path, settings) -> Path:
    """A copy of wp-content/uploads holding the featured photo, and an empty media storage to copy it into."""
    settings.MEDIA_ROOT = tmp_path / "media"
    root = tmp_path / "uploads"
    (root / "2012" / "05").mkdir(parents=True)
    Image.new("RGB", (8, 6), "red").save(root / "2012" / "05" / "crowd.jpg")
    return root


def summary_line(output: str, row: str) -> list[int]:
    """The created/updated/unchanged/skipped counts of one row of the command's summary table."""
    for line in output.splitlines():
        if line.startswith(row + "  ") or line.startswith(row + " "):
            cells = line[len(row) :].split()
            if len(cells) == 4 and all(cell.isdigit() for cell in cells):
                return [int(cell) for cell in cells]
    raise AssertionError(f"no summary row {row!r} in:\n{output}")
