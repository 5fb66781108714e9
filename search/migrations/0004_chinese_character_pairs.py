"""Index Chinese text as characters and character pairs (search.text.split_cjk) instead of characters only.

Documents stored before hold single characters separated by spaces: the spaces between them are taken
out and the text is split again. The FTS5 triggers (SQLite) and the generated tsvector (PostgreSQL) follow.
"""

import re

from django.db import migrations

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
SPACED = re.compile(f"(?<=[{CJK}]) +(?=[{CJK}])")
RUN = re.compile(f"[{CJK}]+")


def resplit(text: str) -> str:
    def grams(match: re.Match[str]) -> str:
        run = match.group()
        return " " + " ".join(list(run) + [run[i : i + 2] for i in range(len(run) - 1)]) + " "

    return RUN.sub(grams, SPACED.sub("", text))


def forwards(apps, schema_editor):
    SearchDocument = apps.get_model("search", "SearchDocument")
    changed = []
    for doc in SearchDocument.objects.iterator(chunk_size=2000):
        if RUN.search(doc.title + doc.body + doc.reply):
            doc.title, doc.body, doc.reply = resplit(doc.title), resplit(doc.body), resplit(doc.reply)
            changed.append(doc)
        if len(changed) >= 500:
            SearchDocument.objects.bulk_update(changed, ["title", "body", "reply"])
            changed = []
    SearchDocument.objects.bulk_update(changed, ["title", "body", "reply"])


class Migration(migrations.Migration):
    dependencies = [("search", "0003_index_state")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
