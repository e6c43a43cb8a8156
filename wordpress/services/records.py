"""The import records (`WordPressObject`): what each WordPress object became, so a rerun updates in place and a
stopped import resumes; and the database settings an import's transactions run with."""

from urllib.parse import unquote

from django.db import connection, models
from django.utils import timezone
from django.utils.text import slugify

from comments.models import Comment
from wordpress.models import LegacyPath, WordPressObject
from wordpress.services.run import ImportRun

Kind = WordPressObject.Kind


def find_mapping(run: ImportRun, kind: str, *, wp_id: int | None = None, key: str = "") -> WordPressObject | None:
    objects = WordPressObject.objects.filter(site=run.site, kind=kind)
    return (objects.filter(key=key) if key else objects.filter(wp_id=wp_id)).first()


def remember_mapping(
    run: ImportRun, kind: str, *, pk: int, wp_id: int | None = None, key: str = "", data: dict | None = None
) -> None:
    lookup = {"key": key} if key else {"wp_id": wp_id}
    defaults = {"object_id": pk, "imported_at": timezone.now()}
    if key and wp_id is not None:
        defaults["wp_id"] = wp_id
    if data is not None:
        defaults["data"] = data
    WordPressObject.objects.update_or_create(site=run.site, kind=kind, **lookup, defaults=defaults)


def mapped(model: type[models.Model], mapping: WordPressObject | None) -> models.Model | None:
    """The row an import record points at, unless it has been deleted since."""
    return model.objects.filter(pk=mapping.object_id).first() if mapping else None


def at_slug(model: type[models.Model], slug: str) -> models.Model | None:
    return model.objects.filter(slug=slug).first() if slug else None


def found_or_created(
    run: ImportRun,
    row: str,
    model: type[models.Model],
    found: models.Model | None,
    *,
    name: str,
    slug_from: str,
    fallback: str,
    limit: int,
    declared: bool,
    **fields,
) -> models.Model:
    """`found`, else a new row named `name` at a free slug made from `slug_from` (or `fallback`).

    Counted in the summary's `row`: as created, or as unchanged when the file declares it (a post's mention of an
    author or a term is not counted again).
    """
    if found is not None:
        run.tally[row, "unchanged"] += declared
        return found
    created = model.objects.create(
        name=name, slug=unique_slug(model, slug_from, fallback=fallback, limit=limit), **fields
    )
    run.tally[row, "created"] += 1
    return created


def rename(
    run: ImportRun,
    row: str,
    obj: models.Model,
    mapping: WordPressObject,
    name: str,
    *,
    declared: bool,
    unique: bool = False,
) -> None:
    """Give an imported row the name the file has now, if the file changed it since the last import.

    A name the file still gives as before leaves alone whatever an editor renamed the row to in Newsroom; a
    `unique` name another row already has is left too.
    """
    if (
        mapping.data.get("name") != name
        and obj.name != name
        and not (unique and type(obj).objects.filter(name=name).exists())
    ):
        obj.name = name
        obj.save(update_fields=["name"])
        run.tally[row, "updated"] += 1
    else:
        run.tally[row, "unchanged"] += declared


def unique_slug(model, base: str, *, fallback: str, limit: int) -> str:
    slug = (slugify(unquote(base)) or slugify(fallback) or "item")[:limit]
    candidate, n = slug, 2
    while model.objects.filter(slug=candidate).exists():
        candidate = f"{slug[: limit - len(str(n)) - 1]}-{n}"
        n += 1
    return candidate


def keep_statistics(run: ImportRun) -> None:
    """ANALYZE the tables an import fills, after its 1st, 2nd, 4th, 8th... post written.

    An import grows the tables faster than autovacuum gathers statistics (when it runs at all). Without them
    PostgreSQL takes the import records as tiny and looks a post's comments up by site and kind alone, filtering
    the ids: a scan of every comment imported so far, for each post. Doubling keeps it to a few dozen ANALYZEs
    (each reads a sample of the table) for any size of export.
    """
    run.written += 1
    if connection.vendor != "postgresql" or run.written & (run.written - 1):
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (WordPressObject, Comment, LegacyPath))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def commit_without_waiting() -> None:
    """Let PostgreSQL acknowledge this transaction's commit before its WAL reaches the disk.

    A post's commit would otherwise wait for a disk flush, thousands of times in an import. The risk is only that
    a crash of the database server forgets the last fraction of a second of commits, whole transactions at a time:
    those posts are then simply not imported yet, and the next run imports them (see the module's docstring).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
