import uuid

from django.db import migrations, models


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
        # AddField gives every existing row the same value: one of their own each.
        migrations.RunSQL(
            "UPDATE evaluation_survey SET results_state = gen_random_uuid()",
            migrations.RunSQL.noop,
        ),
    ]
