"""Writing a WordPress export into Newsroom, one entry of `wordpress.wxr.read_export` at a time.

Each post is written with its comments in one transaction, and every WordPress object is remembered in
`WordPressObject`, so running the same file again updates in place and creates nothing twice, and an import
stopped half-way picks up where it stopped. A post whose content and comments have not changed since it was
last imported (its digest) is left alone, which also makes a resumed run skip quickly over what is done.

What the file says wins only for what changed in WordPress since the last import: an editor's later changes in
Newsroom to an author's name or to an article survive a rerun of the same file.

The modules, each importing only those above it: `values` and `prepared` (what the file alone gives, no
database), `run` (one run's state and summary), `records` (the import records and the find-or-create on them),
one module per kind of row written (`authors`, `terms`, `redirects`, `featured`, `comments`), `posts`, and
`entries`, which hands each entry of the export to the right one.
"""

from wordpress.services.authors import import_author
from wordpress.services.entries import import_entries, import_entry, import_item, import_site
from wordpress.services.prepared import Prepared, prepare, read_prepared
from wordpress.services.run import SUMMARY_COLUMNS, SUMMARY_ROWS, ImportRun, summary_rows
from wordpress.services.terms import import_term

__all__ = [
    "SUMMARY_COLUMNS",
    "SUMMARY_ROWS",
    "ImportRun",
    "Prepared",
    "import_author",
    "import_entries",
    "import_entry",
    "import_item",
    "import_site",
    "import_term",
    "prepare",
    "read_prepared",
    "summary_rows",
]
