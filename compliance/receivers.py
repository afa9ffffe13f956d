"""Every signal receiver of compliance, each one line into a service. Connected in
ComplianceConfig.ready()."""

from compliance.services.consents import consent_purposes_seed


def seed_consent_purposes(sender, using="default", **kwargs):
    consent_purposes_seed(using=using)
