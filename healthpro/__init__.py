"""HealthPro, the roof of the house (see README, "Where code lives")."""

__version__ = "1.0.0"
