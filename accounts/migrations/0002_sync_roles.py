"""Creates the role groups and grants the permissions defined in accounts.roles.

Permissions of models created by later migrations are granted by the post_migrate sync
(accounts.roles.sync_roles_after_migrate), which runs after every `migrate`.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from accounts.roles import sync_roles


def forwards(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(group_model=apps.get_model("auth", "Group"), permission_model=apps.get_model("auth", "Permission"))


def backwards(apps, schema_editor):
    from accounts.roles import Role

    apps.get_model("auth", "Group").objects.filter(name__in=[role.value for role in Role]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
