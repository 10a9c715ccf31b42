"""Operator commands for scripted set-up: ``agenta users create`` and ``agenta keys create``.

``users create --email E --password P [--name N]`` signs a user up exactly as the sign-up page
does (personal organization, default workspace and project) and prints the new user's id.
``keys create --email E [--project SLUG] [--name N] [--expires-days D]`` issues an API key for
that user in one of their projects (their first one by default) and prints the key, once.
Both work on the database named by ``AGENTA_DATABASE_URL`` and migrate an embedded one first.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta
from typing import Any

from agenta.db import Database, utcnow
from agenta.errors import AppError
from agenta.settings import Settings


def register(commands: Any) -> None:
    """Add the ``users`` and ``keys`` sub-commands to the ``agenta`` parser."""
    users = commands.add_parser("users", help="manage users").add_subparsers(metavar="ACTION")
    create_user = users.add_parser("create", help="create a user (prints the user id)")
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--password", required=True)
    create_user.add_argument("--name", default="")
    create_user.set_defaults(handler=cmd_users_create)

    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(metavar="ACTION")
    create_key = keys.add_parser("create", help="create an API key (prints it once)")
    create_key.add_argument("--email", required=True, help="the user the key acts as")
    create_key.add_argument("--project", help="project slug (default: the user's first)")
    create_key.add_argument("--name", default="cli")
    create_key.add_argument("--expires-days", type=int, help="expire after this many days")
    create_key.set_defaults(handler=cmd_keys_create)


def _settings() -> Settings:
    """The settings, with an embedded database migrated first (outside any event loop)."""
    settings = Settings.from_env()
    if settings.is_sqlite:
        from agenta.migrate import upgrade

        upgrade(settings.database_url)
    return settings


def cmd_users_create(args: argparse.Namespace) -> int:
    from agenta.cli import CommandError

    settings = _settings()
    try:
        user_id = asyncio.run(_create_user(settings, args.email, args.password, args.name))
    except AppError as exc:
        raise CommandError(exc.detail) from None
    print(user_id, flush=True)
    return 0


async def _create_user(settings: Settings, email: str, password: str, name: str) -> str:
    from agenta.core.accounts.users import sign_up

    db = Database.unpooled(settings.database_url)
    try:
        async with db.session() as session:
            user, _ = await sign_up(session, email=email, password=password, name=name)
            return str(user.id)
    finally:
        await db.dispose()


def cmd_keys_create(args: argparse.Namespace) -> int:
    from agenta.cli import CommandError

    if args.expires_days is not None and args.expires_days < 1:
        raise CommandError("--expires-days must be at least 1")
    settings = _settings()
    try:
        raw = asyncio.run(_create_key(settings, args))
    except AppError as exc:
        raise CommandError(exc.detail) from None
    print(raw, flush=True)
    return 0


async def _create_key(settings: Settings, args: argparse.Namespace) -> str:
    from agenta.core.access.key_changes import issue_key
    from agenta.core.access.principal import Identity
    from agenta.core.accounts.tenancy import find_project
    from agenta.core.accounts.users import find_user_by_email

    db = Database.unpooled(settings.database_url)
    try:
        async with db.session() as session:
            user = await find_user_by_email(session, args.email)
            if user is None:
                raise AppError(f"No user with the e-mail address {args.email}")
            project = await find_project(session, user.id, args.project)
            expires = utcnow() + timedelta(days=args.expires_days) if args.expires_days else None
            # The operator acts as the key's owner; the event is published by the outbox cron.
            raw, _ = await issue_key(
                session,
                Identity(user.id, "cli", email=user.email),
                project_id=project.project_id,
                user_id=user.id,
                name=args.name,
                expires_at=expires,
            )
            return raw
    finally:
        await db.dispose()
