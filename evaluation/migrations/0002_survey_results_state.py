import uuid

from django.db import migrations, models


def one_state_each(apps, schema_editor):
    """AddField gives every existing row the same value: one of their own each."""
    Survey = apps.get_model("evaluation", "Survey")
    for pk in Survey.objects.values_list("pk", flat=True):
        Survey.objects.filter(pk=pk).update(results_state=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0001_surveys_invitations_responses"),
    ]

    operations = [
        migrations.AddField(
            model_name="survey",
            name="results_state",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.RunPython(one_state_each, migrations.RunPython.noop),
    ]
