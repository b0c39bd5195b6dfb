# Links from episodes (millions of them) are written by `places sync`: the
# single-column indexes of child and place are dropped (the (child, role) and
# (place, role) indexes serve the same look-ups), and named_place and
# recorded_by, empty on those links, are indexed where they are set only.
# The indexes are dropped by name, so that no database rebuilds the table
# (SQLite) or checks its foreign keys again (PostgreSQL) to change them.
# EpisodePlace gains the index that counts every authority's episodes by
# district without sorting (hotspots.py).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DROP = [
    "places_childplace_child_id_7bd49c0d",
    "places_childplace_place_id_fd7ca8ae",
    "places_childplace_named_place_id_820e9f9a",
    "places_childplace_recorded_by_id_2950e0a1",
]
CREATE = [
    ("places_childplace_child_id_7bd49c0d", "child_id"),
    ("places_childplace_place_id_fd7ca8ae", "place_id"),
    ("places_childplace_named_place_id_820e9f9a", "named_place_id"),
    ("places_childplace_recorded_by_id_2950e0a1", "recorded_by_id"),
]


class Migration(migrations.Migration):

    dependencies = [
        ('interviews', '0001_initial'),
        ('people', '0003_alter_child_updated_at_alter_childflag_created_at'),
        ('places', '0004_episode_home_authority_covering'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='childplace',
                    name='child',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='place_links', to='people.child'),
                ),
                migrations.AlterField(
                    model_name='childplace',
                    name='named_place',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='place_links', to='interviews.namedplace'),
                ),
                migrations.AlterField(
                    model_name='childplace',
                    name='place',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='child_links', to='places.place'),
                ),
                migrations.AlterField(
                    model_name='childplace',
                    name='recorded_by',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name in DROP],
                    [f'CREATE INDEX IF NOT EXISTS "{name}" ON "places_childplace" ("{column}")'
                     for name, column in CREATE],
                ),
            ],
        ),
        migrations.AddIndex(
            model_name='childplace',
            index=models.Index(condition=models.Q(('named_place__isnull', False)), fields=['named_place'], name='places_cp_named_place'),
        ),
        migrations.AddIndex(
            model_name='childplace',
            index=models.Index(condition=models.Q(('recorded_by__isnull', False)), fields=['recorded_by'], name='places_cp_recorded_by'),
        ),
        migrations.AddIndex(
            model_name='episodeplace',
            index=models.Index(fields=['found_district', 'child', 'started_at'], name='places_ep_district_cover'),
        ),
    ]
