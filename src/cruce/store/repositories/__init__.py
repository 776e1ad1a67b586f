"""Repositories: thin classes over a SQLAlchemy ``Session``, each with its Protocol beside it.

They flush but never commit: the caller owns the transaction (one per request).
"""
