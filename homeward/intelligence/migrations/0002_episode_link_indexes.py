"""Indexes the link rules' queries need on the episodes table.

`selectors.episode_links_for_child` looks for other children's episodes from
the same provider or the same address (postcode) in a time window, and for
returns at the same found postcode within two hours of a child's returns.
The episodes part has no index for these, so they are created here, by name,
on both SQLite and PostgreSQL. They
belong in homeward/episodes/models.py (Episode.Meta.indexes); once they are
there under these names, this migration becomes a no-op (IF NOT EXISTS).
"""

from django.db import migrations

INDEXES = {
    "intel_episode_provider_start": "episodes_episode (provider_id, started_at)",
    "intel_episode_postcode_start": "episodes_episode (postcode, started_at)",
    "intel_episode_found_returned": "episodes_episode (found_postcode, returned_at)",
}


class Migration(migrations.Migration):

    dependencies = [
        ("intelligence", "0001_initial"),
        ("episodes", "0003_alter_episode_updated_at"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {target}",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, target in INDEXES.items()
    ]
