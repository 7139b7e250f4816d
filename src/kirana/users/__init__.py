"""Accounts, login, tokens, roles and delivery addresses."""
