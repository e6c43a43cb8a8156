"""The three newsroom roles exist on a fresh install: Reporter, Editor, Moderator."""

from django.db import migrations

REPORTER = {
    "articles": [
        "add_article", "change_article", "view_article",
        "add_byline", "change_byline", "delete_byline", "view_byline",
        "add_author", "view_author",
        "add_tag", "view_tag",
        "view_section", "view_correction",
    ],
}
MODERATOR = {
    "comments": [
        "view_comment", "change_comment", "delete_comment", "moderate_comment",
        "view_commentevent", "view_commentreport", "delete_commentreport",
        "add_blocklistentry", "change_blocklistentry", "delete_blocklistentry", "view_blocklistentry",
        "view_moderationrecord", "view_akismetfeedback",
    ],
    "articles": ["view_article"],
}
EDITOR_ARTICLE_MODELS = ["article", "byline", "author", "section", "tag", "correction", "articleredirect"]
EDITOR = {
    "articles": [f"{verb}_{model}" for model in EDITOR_ARTICLE_MODELS for verb in ("add", "change", "delete", "view")]
    + ["publish_article"],
    "comments": MODERATOR["comments"],
}
GROUPS = {"Reporter": REPORTER, "Editor": EDITOR, "Moderator": MODERATOR}


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in perms.items():
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
            )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0001_initial"),
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
