"""Indexes the link rules' queries need on the episodes table.

`selectors.episode_links_for_child` looks for other children's episodes from
the same provider or the same address (postcode) in a time window, and for
returns at the same found postcode within two hours of a child's returns.
They were first created here, by name,
on both SQLite and PostgreSQL. They
are declared in homeward/episodes/models.py (Episode.Meta.indexes, recorded by
episodes migration 0004): whichever runs first creates them (IF NOT EXISTS).
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
