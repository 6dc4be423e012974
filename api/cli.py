"""``matcher serve`` and ``matcher token``: the command line of the service.

The engine does not import this module: :func:`add_service_commands` is registered in
``pyproject.toml`` under the entry-point group ``matcher.commands``, which :mod:`matcher.cli`
reads from the installed metadata; the two subcommands hand their arguments to
:func:`run_service_command`.  This module imports only the standard library at the top, so
``matcher propose`` never loads FastAPI or SQLAlchemy.
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import sys

EXIT_OK, EXIT_INVALID = 0, 2


def add_service_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``serve`` and ``token`` to the ``matcher`` command line."""
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument("--database-url", help="SQLAlchemy URL (default: $DATABASE_URL, else sqlite:///matcher.db "
                          "in the working directory; postgresql://user@host/db for PostgreSQL)")

    s = sub.add_parser("serve", parents=[database], help="run the web service (municipalities, homes, households, proposals)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    s.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    s.add_argument("--no-access-log", action="store_true", help="do not log every request")
    s.set_defaults(handler=run_service_command)

    t = sub.add_parser("token", help="create, revoke or list the service's bearer tokens")
    actions = t.add_subparsers(dest="token_command", required=True)
    create = actions.add_parser("create", parents=[database], help="make a token and print it (once)")
    create.add_argument("--role", required=True, choices=["coa", "municipality"])
    create.add_argument("--municipality", help="CBS code (GM and four digits) of a municipality token")
    create.add_argument("--label", help="what the token is for, as the audit log shows it (not a person's name)")
    revoke = actions.add_parser("revoke", parents=[database], help="revoke a token by id or prefix")
    revoke.add_argument("token", help="token id, or its prefix as `matcher token list` shows it")
    actions.add_parser("list", parents=[database], help="list tokens (never the tokens themselves)")
    t.set_defaults(handler=run_service_command)


DATABASE_PACKAGES = ("sqlalchemy", "alembic")
"""What ``token`` and ``serve`` need for the database (psycopg too for a PostgreSQL URL)."""
SERVER_PACKAGES = ("fastapi", "pydantic", "uvicorn", "python_multipart", "openpyxl", "jinja2", "itsdangerous",
                   "swagger_ui_bundle")
"""What ``serve`` needs on top: the API, the server, uploads, XLSX export, the web pages, the /docs assets."""


def run_service_command(args: argparse.Namespace) -> int:
    from api.config import Settings
    from matcher.deps import require
    from matcher.exceptions import MissingDependencyError

    settings = Settings.from_env()
    if args.database_url:
        settings = settings.with_(database_url=args.database_url)
    needs = [(name, "the service", None) for name in DATABASE_PACKAGES]
    if settings.database_url.startswith("postgresql"):
        needs.append(("psycopg", "a PostgreSQL database", None))
    if args.command == "serve":
        needs += [(name, "the service", None) for name in SERVER_PACKAGES]
    try:
        require(args.command, needs)
    except MissingDependencyError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    if args.command == "serve":
        flag = f" --database-url '{args.database_url}'" if args.database_url else ""
        return serve(settings, args.host, args.port, args.workers, access_log=not args.no_access_log, flag=flag)
    return token_command(settings, args)


def _open_database(settings):
    from api.db import make_engine
    from api.services.bootstrap import prepare

    engine = make_engine(settings)
    prepare(engine, migrate_schema=settings.auto_migrate)
    return engine


def token_command(settings, args: argparse.Namespace) -> int:
    from api.db import session_factory
    from api.services import tokens
    from api.services.errors import Conflict, Invalid, NotFound

    engine = _open_database(settings)
    try:
        with session_factory(engine)() as session:
            if args.token_command == "create":
                made = tokens.create_token(session, args.role, args.municipality, args.label)
                who = f"municipality {args.municipality}" if args.role == "municipality" else "COA planner"
                print(f"token {made.token.id} ({who}, label {made.token.label!r}); shown this once, store it safely:")
                print(made.secret)
                print(f'use it as:  curl -H "Authorization: Bearer {made.secret}" http://127.0.0.1:8000/api/v1/me')
            elif args.token_command == "revoke":
                token = tokens.find_token(session, args.token)
                tokens.revoke_token(session, token.id)
                print(f"token {token.id} ({token.prefix}..., {token.role} {token.municipality_code or ''}) revoked".replace("  ", " "))
            else:
                rows = tokens.list_tokens(session)
                if not rows:
                    print("no tokens yet: matcher token create --role coa --label planner")
                for token in rows:
                    state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "active"
                    print(f"{token.id:>4}  {token.prefix}...  {token.role:<12} {token.municipality_code or '-':<7} {token.label!r}  {state}")
    except Invalid as exc:
        for error in exc.errors:
            print(f"matcher token: --{error.loc[-1]}: {error.msg}", file=sys.stderr)
        return EXIT_INVALID
    except (NotFound, Conflict) as exc:
        print(f"matcher token: {exc}", file=sys.stderr)
        return EXIT_INVALID
    finally:
        engine.dispose()
    return EXIT_OK


def serve(settings, host: str, port: int, workers: int = 1, access_log: bool = True, flag: str = "") -> int:
    """Migrate and seed the database, bind the port, say where and how to get a token, serve."""
    import uvicorn

    from api.db import describe, session_factory
    from api.services import tokens

    engine = _open_database(settings)
    with session_factory(engine)() as session:
        has_tokens = any(t.revoked_at is None for t in tokens.list_tokens(session))
    where = describe(engine)
    engine.dispose()
    try:
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError as exc:
        print(f"matcher serve: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr)
        return EXIT_INVALID
    port = sock.getsockname()[1]
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    print(f"matcher service listening on {url}  (API docs: {url}/docs)", flush=True)
    print(f"database: {where}", flush=True)
    if has_tokens:
        print(f"tokens: list them with `matcher token list{flag}`; make another with `matcher token create{flag} --role ...`", flush=True)
    else:
        print("no tokens yet; get the first (planner) token with:", flush=True)
        print(f"    matcher token create{flag} --role coa --label planner", flush=True)
        print(f"and one per municipality with:  matcher token create{flag} --role municipality --municipality GM0153", flush=True)
    env = {"DATABASE_URL": settings.database_url, "MATCHER_AUTO_MIGRATE": "0"}
    if not os.environ.get("MATCHER_SESSION_SECRET"):
        # One key for every process of this server (each would draw its own and refuse the
        # others' cookies); sessions end at a restart unless the operator sets the variable.
        env["MATCHER_SESSION_SECRET"] = secrets.token_urlsafe(32)
    if settings.db_schema:
        env["MATCHER_DB_SCHEMA"] = settings.db_schema
    os.environ.update(env)
    config = uvicorn.Config("api.main:create_app_from_env", factory=True, workers=workers, access_log=access_log,
                            log_level="info", timeout_graceful_shutdown=15)
    if workers > 1:
        from uvicorn.supervisors import Multiprocess

        sock.set_inheritable(True)
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])
    return EXIT_OK
