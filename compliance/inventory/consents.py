"""The inventory of compliance's own models."""

BLOCKS: list = []
