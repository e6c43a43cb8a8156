import django.contrib.postgres.search
from django.conf import settings
from django.db import migrations

# A frozen copy of articles/search.py's language map and vector, so this migration never changes meaning.
CONFIGS = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek", "en": "english",
    "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french", "ga": "irish", "hi": "hindi",
    "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian", "lt": "lithuanian",
    "nb": "norwegian", "ne": "nepali", "nl": "dutch", "nn": "norwegian", "no": "norwegian", "pt": "portuguese",
    "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil", "tr": "turkish",
    "yi": "yiddish",
}

FILL = """
UPDATE articles_article AS a SET search_vector =
    setweight(to_tsvector(%(config)s::regconfig, coalesce(a.headline, '')), 'A')
    || setweight(to_tsvector(%(config)s::regconfig, coalesce(a.dek, '')), 'B')
    || setweight(to_tsvector(%(config)s::regconfig, coalesce((
        SELECT string_agg(au.name, ' ') FROM articles_byline b JOIN articles_author au ON au.id = b.author_id
        WHERE b.article_id = a.id
    ), '')), 'B')
    || setweight(to_tsvector(%(config)s::regconfig, coalesce(a.body, '')), 'C')
"""


def index_and_fill(apps, schema_editor):
    # SQLite searches without an index (and has no GIN); only PostgreSQL gets one.
    if schema_editor.connection.vendor != "postgresql":
        return
    language = settings.SITE_LANGUAGE.lower().replace("_", "-").split("-")[0]
    schema_editor.execute(
        "CREATE INDEX article_search_vector_gin ON articles_article USING gin (search_vector)", params=None
    )
    schema_editor.execute(FILL, {"config": CONFIGS.get(language, "simple")})


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_vector_gin", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_desk_versions_drafts_locks_notes"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(index_and_fill, drop_index, elidable=False),
    ]
