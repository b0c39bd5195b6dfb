from django.db import migrations


def forwards(apps, schema_editor):
    from homeward.access import db_guard

    db_guard.create(schema_editor.connection)


def backwards(apps, schema_editor):
    from homeward.access import db_guard

    db_guard.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("access", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
