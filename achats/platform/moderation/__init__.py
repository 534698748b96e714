"""Moderation shell: the audit log today; flags and the review queue build on it."""
