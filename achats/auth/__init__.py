"""Accounts of public buyers: registration, sign-in, profiles, roles, tokens, personal data.

The feature's declaration is `achats.auth.feature.feature()`."""
