"""Every write of accounts: <entity>_<action>(*, actor, ...), atomic, audited; one module per workflow."""
