"""The service layer: every query and every change, free of HTTP.

Each function takes a SQLAlchemy session (and the acting :class:`~api.services.errors.Actor` when
access matters), raises the errors of :mod:`api.services.errors` by name, and commits its own
changes together with their audit event.
"""
