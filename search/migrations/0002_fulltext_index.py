"""Full-text index of SearchDocument: SQLite FTS5 (kept in step by triggers) or PostgreSQL tsvector + GIN."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title, body, reply,
        content='search_searchdocument', content_rowid='question_id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title, body, reply) VALUES (new.question_id, new.title, new.body, new.reply);
    END""",
    """CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, reply)
        VALUES ('delete', old.question_id, old.title, old.body, old.reply);
    END""",
    """CREATE TRIGGER search_fts_update AFTER UPDATE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, body, reply)
        VALUES ('delete', old.question_id, old.title, old.body, old.reply);
        INSERT INTO search_fts(rowid, title, body, reply) VALUES (new.question_id, new.title, new.body, new.reply);
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRES_FORWARD = [
    """ALTER TABLE search_searchdocument ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A')
        || setweight(to_tsvector('english', body), 'B')
        || setweight(to_tsvector('english', reply), 'C')
    ) STORED""",
    "CREATE INDEX search_document_tsv_gin ON search_searchdocument USING GIN (tsv)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_tsv_gin",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS tsv",
]


def _run(statements: dict[str, list[str]], schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def forward(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}, schema_editor)


def backward(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
