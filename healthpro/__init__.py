"""HealthPro, the roof of the house (see README, "Where code lives").

The Celery app is loaded with the project, so that tasks and `enqueue` find it (README
"Background jobs")."""

from healthpro.celery import app as celery_app

__version__ = "1.0.0"
__all__ = ["__version__", "celery_app"]
