"""Images inside imported post bodies: copied from the old site's uploads and pointed at their new address."""

from pathlib import Path

import pytest
from PIL import Image

from articles.models import Article
from tests.wordpress.conftest import summary_line
from wordpress import images
from wordpress.models import WordPressObject

pytestmark = pytest.mark.django_db

OLD = "http://oldgazette.example.com/wp-content/uploads/2012/05/"


def article_of(wp_id: int) -> Article:
    return Article.objects.get(pk=WordPressObject.objects.get(kind="post", wp_id=wp_id).object_id)


def new_address(name: str) -> str:
    return Article._meta.get_field("lead_image").storage.url(f"wordpress/2012/05/{name}")


def stored(uploads: Path) -> list[Path]:
    return sorted((uploads.parent / "media" / "wordpress").rglob("*.jpg"))


def export_with(site_export: Path, tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    text = site_export.read_text()
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "export.xml"
    path.write_text(text)
    return path


def test_images_in_posts_are_copied_and_point_at_the_new_address(import_wxr, site_export, uploads):
    output = import_wxr(site_export, f"--media-dir={uploads}")
    body = article_of(10).body
    assert f'src="{new_address("crowd.jpg")}"' in body
    assert OLD + "crowd.jpg" not in body
    assert stored(uploads) == [uploads.parent / "media" / "wordpress" / "2012" / "05" / "crowd.jpg"]
    # council.jpg is not in the uploads: its image keeps the old address and is counted.
    assert OLD + "council.jpg" in article_of(11).body
    assert summary_line(output, "images in posts") == [1, 0, 0, 1]
    assert "1  images in posts whose file is missing from --media-dir" in output


def test_missing_size_variant_is_served_from_the_original(import_wxr, site_export, uploads, tmp_path):
    export = export_with(site_export, tmp_path, (OLD + "crowd.jpg", OLD + "crowd-300x200.jpg"))
    import_wxr(export, f"--media-dir={uploads}")
    assert f'src="{new_address("crowd.jpg")}"' in article_of(10).body


def test_a_size_variant_present_in_the_uploads_is_copied_itself(import_wxr, site_export, uploads, tmp_path):
    Image.new("RGB", (3, 2), "blue").save(uploads / "2012" / "05" / "crowd-300x200.jpg")
    export = export_with(site_export, tmp_path, (OLD + "crowd.jpg", OLD + "crowd-300x200.jpg"))
    import_wxr(export, f"--media-dir={uploads}")
    assert f'src="{new_address("crowd-300x200.jpg")}"' in article_of(10).body


def test_an_image_in_two_posts_is_copied_once_and_a_rerun_copies_nothing(import_wxr, site_export, uploads, tmp_path):
    export = export_with(site_export, tmp_path, (OLD + "council.jpg", OLD + "crowd.jpg"))
    output = import_wxr(export, f"--media-dir={uploads}")
    assert summary_line(output, "images in posts") == [1, 0, 1, 0]  # created, then found there
    assert f'src="{new_address("crowd.jpg")}"' in article_of(11).body
    files = stored(uploads)
    output = import_wxr(export, f"--media-dir={uploads}")
    assert summary_line(output, "posts")[0:2] == [0, 0]
    assert stored(uploads) == files == [uploads.parent / "media" / "wordpress" / "2012" / "05" / "crowd.jpg"]


def test_without_media_dir_images_keep_the_old_address_until_a_run_with_it(import_wxr, site_export, uploads):
    output = import_wxr(site_export)
    assert OLD + "crowd.jpg" in article_of(10).body
    assert summary_line(output, "images in posts") == [0, 0, 0, 2]
    assert "2  images in posts not brought over (no --media-dir)" in output
    # The same file again, now with the uploads: the posts whose images stayed behind are done again.
    output = import_wxr(site_export, f"--media-dir={uploads}")
    assert f'src="{new_address("crowd.jpg")}"' in article_of(10).body
    assert summary_line(output, "images in posts") == [1, 0, 0, 1]
    assert summary_line(output, "posts")[1] == 2


def test_dry_run_copies_no_images_in_posts(import_wxr, site_export, uploads):
    output = import_wxr(site_export, "--dry-run", f"--media-dir={uploads}")
    assert summary_line(output, "images in posts") == [1, 0, 0, 1]
    assert not stored(uploads)


def test_only_the_old_sites_uploads_are_touched(uploads, settings):
    hosts = images.site_hosts("http://oldgazette.example.com")
    body = (
        '<p><img src="https://cdn.elsewhere.example/wp-content/uploads/2012/05/crowd.jpg">'
        '<img src="http://www.oldgazette.example.com/about/crowd.jpg">'
        '<img src="http://oldgazette.example.com/wp-content/uploads/../../../etc/passwd">'
        '<img src="/wp-content/uploads/2012/05/crowd.jpg" alt="relative"></p>'
    )
    rewritten, outcome = images.bring_over_images(body, hosts=hosts, media_dir=uploads)
    assert "https://cdn.elsewhere.example/wp-content/uploads/2012/05/crowd.jpg" in rewritten
    assert "http://www.oldgazette.example.com/about/crowd.jpg" in rewritten
    assert "/etc/passwd" in rewritten  # left as it was, nothing read from outside the uploads
    assert f'src="{new_address("crowd.jpg")}" alt="relative"' in rewritten
    assert outcome == {"created": 1, "missing": 1}
