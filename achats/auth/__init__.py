"""Accounts of public buyers: registration, sign-in, profiles, roles, tokens, personal data."""

from achats.auth.api import api
from achats.auth.setup import bp

__all__ = ["api", "bp"]
