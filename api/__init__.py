"""The matcher web service: municipalities submit homes, COA uploads who is waiting, asks the
engine for a proposal, and decides it line by line.

Layers, as in the tree: :mod:`api.routes` (thin FastAPI routers: parse, authorise, map),
:mod:`api.services` (the work and every query), :mod:`api.models` (SQLAlchemy tables),
:mod:`api.schemas` (request and response bodies), :mod:`api.worker` (runs proposal jobs),
:mod:`api.engine` (the one boundary with the engine: database -> instance, solve and check,
lines -> database), :mod:`api.audit` (who did what).  The engine (:mod:`matcher`) stays free of HTTP.

Importing this package imports nothing heavy.  :mod:`api.cli` adds ``matcher serve`` and
``matcher token`` through the ``matcher.commands`` entry-point group (the engine never imports
this package) and loads FastAPI and SQLAlchemy only when one of them runs.
"""
