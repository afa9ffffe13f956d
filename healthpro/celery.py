"""The Celery app (`celery -A healthpro worker`, `celery -A healthpro beat`), configured from the
Django settings named CELERY_* (healthpro.settings: JSON only, acks late, the beat schedule).

Each app's tasks.py registers its tasks (imported by its AppConfig.ready()); every task run gets
a request id of its own and a failure is logged and counted (core.background)."""

import os

from celery import Celery
from celery.signals import task_failure, task_postrun, task_prerun, task_retry

from core.background import worker_task_failure, worker_task_postrun, worker_task_prerun, worker_task_retry

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "healthpro.settings")

app = Celery("healthpro")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

task_prerun.connect(worker_task_prerun, dispatch_uid="healthpro.task_prerun")
task_postrun.connect(worker_task_postrun, dispatch_uid="healthpro.task_postrun")
task_failure.connect(worker_task_failure, dispatch_uid="healthpro.task_failure")
task_retry.connect(worker_task_retry, dispatch_uid="healthpro.task_retry")
