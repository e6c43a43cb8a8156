"""The reporter's desk in a real browser: autosave, edit locks with take-over, revisions, review buttons, axe."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from articles import services
from articles.models import Article


def log_in(page, user, next_url):
    page.goto(f"/admin/login/?next={next_url}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()


def change_path(article):
    return f"/admin/articles/article/{article.pk}/change/"


def leave(*pages):
    # Leaving sends the last autosave; let it land before the test database is reset.
    for page in pages:
        page.goto("about:blank")
    pages[0].wait_for_timeout(1500)


def editor_box(page):
    return page.locator(".ProseMirror[contenteditable='true']").first


def test_typing_is_autosaved_and_offered_back_after_reload(page, live_url, editor, make_article):
    article = make_article(status=Article.Status.DRAFT, body="<p>First paragraph.</p>")
    log_in(page, editor, change_path(article))
    box = editor_box(page)
    box.click()
    page.keyboard.press("End")
    page.keyboard.type(" A sentence typed in the browser.")
    expect(page.locator("#desk-autosave-status")).to_contain_text(re.compile(r"^Saved \d\d:\d\d"), timeout=15_000)
    expect(page.locator("#desk-word-count")).to_contain_text("8 words")
    page.reload()
    expect(page.get_by_text(re.compile(r"Restore the autosaved version from \d\d:\d\d\?"))).to_be_visible()
    page.get_by_role("link", name="Restore the autosaved version").click()
    expect(editor_box(page)).to_contain_text("A sentence typed in the browser.")
    leave(page)
    article.refresh_from_db()
    assert "typed in the browser" not in article.body  # pending until saved


def test_expired_login_keeps_the_text_and_says_what_to_do(page, live_url, editor, make_article):
    article = make_article(status=Article.Status.DRAFT, body="<p>Start.</p>")
    log_in(page, editor, change_path(article))
    editor_box(page).click()
    page.keyboard.press("End")
    page.keyboard.type(" Saved while signed in.")
    expect(page.locator("#desk-autosave-status")).to_contain_text("Saved", timeout=15_000)
    page.context.clear_cookies()
    editor_box(page).click()
    page.keyboard.press("End")
    page.keyboard.type(" Typed after the session ended.")
    expect(page.locator("#desk-autosave-status")).to_have_text(
        "Your login expired: sign in in another tab, your text is kept here.", timeout=15_000
    )
    expect(editor_box(page)).to_contain_text("Typed after the session ended.")
    kept = page.evaluate("Object.values(localStorage).join(' ')")
    assert "Typed after the session ended." in kept
    # Signing in again in another tab: the next attempt goes through with the new session.
    other = page.context.new_page()
    log_in(other, editor, "/admin/")
    # As a person closes a tab, and without waiting for it to be gone: Chromium now and then never reports a
    # closed page back, and a plain close() then waits for ever.
    other.close(run_before_unload=True)
    expect(page.locator("#desk-autosave-status")).to_contain_text("Saved", timeout=20_000)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Saved at")
    leave(page)
    article.refresh_from_db()
    assert "Typed after the session ended." in article.body


def test_second_editor_takes_over_and_the_first_ones_stale_save_keeps_their_text(
    make_page, live_url, editor, make_user, make_article
):
    article = make_article(status=Article.Status.REVIEW, body="<p>Original.</p>")
    dana = make_user(group="Editor", username="dana", first_name="Dana", last_name="Whitfield")
    first, second = make_page(), make_page()
    log_in(first, dana, change_path(article))
    expect(editor_box(first)).to_be_visible(timeout=15_000)
    log_in(second, editor, change_path(article))
    expect(second.get_by_text(re.compile(r"Dana Whitfield has been editing this since \d\d:\d\d"))).to_be_visible()
    expect(second.get_by_role("button", name="Save", exact=True)).to_be_disabled()
    second.get_by_role("button", name="Take over").click()
    expect(second.get_by_role("button", name="Save", exact=True)).to_be_enabled()
    second.get_by_label("Headline").fill("Taken over headline")
    second.get_by_role("button", name="Save", exact=True).click()
    expect(second.locator(".messagelist")).to_contain_text("Saved at")

    box = editor_box(first)
    box.click()
    first.keyboard.press("End")
    first.keyboard.type(" Words the first editor must not lose.")
    first.get_by_role("button", name="Save", exact=True).click()
    expect(first.get_by_role("alert")).to_contain_text("Not saved: editor saved this article at")
    expect(editor_box(first)).to_contain_text("Words the first editor must not lose.")
    leave(first, second)
    article.refresh_from_db()
    assert article.headline == "Taken over headline"
    assert "must not lose" not in article.body


def test_compare_two_revisions_and_restore_one(page, live_url, editor, make_article):
    article = make_article(status=Article.Status.DRAFT, body="<p>The vote was six to three.</p>")
    with services.revision(user=editor, comment="Filed"):
        article.save()
    with services.revision(user=editor, comment="Changed body."):
        article.body = "<p>The vote was seven to two.</p>"
        article.save()
    log_in(page, editor, f"/admin/articles/article/{article.pk}/history/")
    expect(page.locator("#desk-revisions tbody tr")).to_have_count(2)
    page.get_by_role("button", name="Compare selected revisions").click()
    expect(page.locator(".desk-diff del").first).to_have_text("six ")
    expect(page.locator(".desk-diff ins").first).to_have_text("seven ")
    page.get_by_role("button", name="Restore the older one").click()
    expect(page.locator(".messagelist")).to_contain_text("Restored the version from")
    leave(page)
    article.refresh_from_db()
    assert article.body == "<p>The vote was six to three.</p>"


def test_reporter_submits_and_editor_publishes_with_the_buttons(
    make_page, live_url, reporter, editor, make_author, make_section
):
    make_author("Rita Reporter", user=reporter)
    section = make_section("Metro")
    reporter_page = make_page()
    log_in(reporter_page, reporter, "/admin/articles/article/add/")
    reporter_page.get_by_label("Headline").press_sequentially("Bridge reopens")
    expect(reporter_page.get_by_label("Slug")).to_have_value("bridge-reopens")
    reporter_page.locator(".field-section .select2-selection").click()
    reporter_page.locator(".select2-container--open .select2-search__field").fill(section.name)
    reporter_page.get_by_role("option", name=section.name).click()
    editor_box(reporter_page).click()
    reporter_page.keyboard.type("The bridge reopened at noon.")
    reporter_page.get_by_role("button", name="Submit for review").click()
    expect(reporter_page.locator(".messagelist")).to_contain_text("Submitted for review")
    article = Article.objects.get(slug="bridge-reopens")
    assert article.status == Article.Status.REVIEW
    leave(reporter_page)  # closing the page frees the edit lock

    editor_page = make_page()
    log_in(editor_page, editor, "/admin/")
    editor_page.get_by_role("link", name="In review (1)").click()
    editor_page.get_by_role("link", name="Bridge reopens").click()
    editor_page.get_by_role("button", name="Publish now").click()
    expect(editor_page.locator(".messagelist")).to_contain_text("Published")
    leave(editor_page)
    article.refresh_from_db()
    assert article.is_live
    assert article.body == "<p>The bridge reopened at noon.</p>"


@pytest.mark.parametrize("where", ["add", "change", "list"])
def test_desk_screens_have_no_serious_accessibility_violations(page, live_url, editor, make_article, where):
    article = make_article(status=Article.Status.DRAFT)
    url = {
        "add": "/admin/articles/article/add/",
        "change": change_path(article),
        "list": "/admin/articles/article/",
    }[where]
    log_in(page, editor, url)
    page.wait_for_load_state("networkidle")
    results = Axe().run(page)
    leave_results = [v for v in results.response["violations"] if v["impact"] in ("critical", "serious")]
    leave(page)
    serious = leave_results
    assert serious == [], [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in serious]


def test_photo_uploaded_from_the_picker_is_inserted_at_the_cursor_by_keyboard(
    page, live_url, editor, make_article, settings, tmp_path
):
    from io import BytesIO

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    article = make_article(status=Article.Status.DRAFT, body="<p>Before the photo.</p><p>After the photo.</p>")
    log_in(page, editor, change_path(article))
    box = editor_box(page)
    box.get_by_text("Before the photo.").click()
    page.keyboard.press("End")
    buffer = BytesIO()
    Image.new("RGB", (1200, 800), (30, 120, 60)).save(buffer, "JPEG")
    picker = page.get_by_role("region", name="Photos for this article")
    picker.get_by_label("Photo", exact=True).set_input_files(
        {"name": "park.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}
    )
    picker.get_by_role("button", name="Upload photo").click()
    expect(page.locator("#desk-image-status")).to_contain_text("Alt text is required")
    picker.get_by_label("Alt text (required)").fill("Children on the new climbing frame")
    picker.get_by_label("Caption").fill("The park opened on Saturday.")
    picker.get_by_label("Credit").fill("Ana Ruiz")
    picker.get_by_role("button", name="Upload photo").click()
    insert = page.get_by_role("button", name="Insert photo: Children on the new climbing frame")
    expect(insert).to_be_focused()
    page.keyboard.press("Enter")
    expect(box.locator("figure img")).to_have_attribute("alt", "Children on the new climbing frame")
    expect(box.locator("figure figcaption")).to_have_text("The park opened on Saturday. Photo: Ana Ruiz")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("Saved at")
    leave(page)
    article.refresh_from_db()
    assert article.body.startswith('<p>Before the photo.</p><figure><img src="/media/inline/')
    assert 'alt="Children on the new climbing frame" width="960" height="640">' in article.body
    assert article.body.endswith(
        "<figcaption>The park opened on Saturday. Photo: Ana Ruiz</figcaption></figure><p>After the photo.</p>"
    )


def test_uploads_are_corrected_and_removed_from_the_picker_by_keyboard(
    page, live_url, editor, make_article, settings, tmp_path
):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from articles.models import ArticleImage

    settings.MEDIA_ROOT = tmp_path
    article = make_article(status=Article.Status.DRAFT, body="<p>Only words so far.</p>")

    def add(alt):
        buffer = BytesIO()
        Image.new("RGB", (1200, 800), (30, 120, 60)).save(buffer, "JPEG")
        image = SimpleUploadedFile("park.jpg", buffer.getvalue(), content_type="image/jpeg")
        return services.add_article_image(article=article, user=editor, image=image, alt=alt, caption="Old caption")

    placed, spare = add("Swings in the rain"), add("Children on the new climbing frame")
    # The first one is in the text: it cannot be removed until it is taken out.
    Article.objects.filter(pk=article.pk).update(
        body=f'<p>Only words so far.</p><figure><img src="{placed.as_figure()["src"]}" alt="Swings"></figure>'
    )
    log_in(page, editor, change_path(article))
    picker = page.get_by_role("region", name="Photos for this article")

    # Edit: the boxes open under the photo, filled in, with the note about figures already in the text.
    edit = picker.get_by_role("button", name="Edit photo: Children on the new climbing frame")
    edit.focus()
    page.keyboard.press("Enter")
    details = page.locator("#desk-image-details")
    expect(details).to_be_visible()
    expect(details).to_contain_text("Photos already in the text keep their caption; edit it there.")
    expect(page.locator("#desk-image-details-alt")).to_be_focused()
    expect(page.locator("#desk-image-details-caption")).to_have_value("Old caption")
    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("critical", "serious")]
    assert serious == [], [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in serious]
    page.locator("#desk-image-details-alt").fill("")
    page.keyboard.press("Enter")
    expect(page.locator("#desk-image-list-status")).to_contain_text("Alt text is required")
    page.locator("#desk-image-details-alt").fill("Children on the climbing frame at the opening")
    page.locator("#desk-image-details-caption").fill("The park opened on Saturday.")
    page.keyboard.press("Enter")
    renamed = picker.get_by_role("button", name="Edit photo: Children on the climbing frame at the opening")
    expect(renamed).to_be_focused()
    expect(details).to_be_hidden()
    expect(picker.locator(".desk-image").first).to_contain_text("The park opened on Saturday.")
    expect(
        picker.get_by_role("button", name="Insert photo: Children on the climbing frame at the opening")
    ).to_be_visible()

    # Remove a photo in the text: refused (by the page if the editor has loaded, else by the server), nothing gone.
    confirm = {"accept": True}
    page.on("dialog", lambda dialog: dialog.accept() if confirm["accept"] else dialog.dismiss())
    picker.get_by_role("button", name="Remove photo: Swings in the rain").click()
    expect(page.locator("#desk-image-list-status")).to_contain_text(
        "Not removed: This photo is in the text; take it out of the text first."
    )
    # Remove the other one: cancelling the confirmation keeps it; confirming deletes it and moves the focus on.
    remove = picker.get_by_role("button", name="Remove photo: Children on the climbing frame at the opening")
    confirm["accept"] = False
    remove.focus()
    page.keyboard.press("Enter")
    expect(remove).to_be_visible()
    expect(page.locator("#desk-image-list-status")).not_to_contain_text("Removing")
    confirm["accept"] = True
    page.keyboard.press("Enter")
    expect(page.locator("#desk-image-list-status")).to_contain_text("Removed “Children on the climbing frame")
    expect(remove).to_have_count(0)
    expect(picker.get_by_role("button", name="Insert photo: Swings in the rain")).to_be_focused()
    leave(page)

    spare_files = [tmp_path / name for name in spare.file_names()]
    assert not ArticleImage.objects.filter(pk=spare.pk).exists()
    assert not any(path.exists() for path in spare_files)
    placed.refresh_from_db()
    assert all((tmp_path / name).exists() for name in placed.file_names())
