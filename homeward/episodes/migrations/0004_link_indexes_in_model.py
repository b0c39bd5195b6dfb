"""The link rules' three indexes on the episodes table, declared where they
belong (Episode.Meta.indexes). They were first created by
homeward/intelligence/migrations/0002_episode_link_indexes.py, by name and
IF NOT EXISTS; this migration records them in the episodes' model state and
creates them the same way, so that whichever of the two runs first on a
database makes them and the other changes nothing."""

from django.db import migrations, models

INDEXES = {
    "intel_episode_provider_start": ("provider", "started_at"),
    "intel_episode_postcode_start": ("postcode", "started_at"),
    "intel_episode_found_returned": ("found_postcode", "returned_at"),
}
COLUMNS = {"provider": "provider_id"}


class Migration(migrations.Migration):

    dependencies = [
        ("episodes", "0003_alter_episode_updated_at"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(model_name="episode", index=models.Index(fields=list(fields), name=name))
                for name, fields in INDEXES.items()
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=(f"CREATE INDEX IF NOT EXISTS {name} ON episodes_episode "
                         f"({', '.join(COLUMNS.get(f, f) for f in fields)})"),
                    reverse_sql=f"DROP INDEX IF EXISTS {name}",
                )
                for name, fields in INDEXES.items()
            ],
        ),
    ]
