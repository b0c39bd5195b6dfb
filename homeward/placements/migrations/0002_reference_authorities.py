"""Load the English local authorities shipped with Homeward."""

import csv
from pathlib import Path

from django.db import migrations

REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "authorities.csv"


def load(apps, schema_editor):
    Authority = apps.get_model("placements", "Authority")
    with REFERENCE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            Authority.objects.update_or_create(
                code=row["code"],
                defaults={"name": row["name"], "region": row["region"], "police_force": row["police_force"],
                          "postcode_areas": row["postcode_areas"]},
            )


class Migration(migrations.Migration):
    dependencies = [("placements", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
