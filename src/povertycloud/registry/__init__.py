"""Keeping the registry itself right: one person registered twice, found and merged."""
