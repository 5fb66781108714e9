"""manage.py api_token create USERNAME NAME | list USERNAME | revoke ID: API tokens of verified doctors."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from api.models import ApiToken
from api.services import ApiTokenError, api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Make, list or revoke the API tokens of a verified doctor. A new token's key is printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="make a token and print its key")
        create.add_argument("username")
        create.add_argument("name", help="what the token is for")
        listing = actions.add_parser("list", help="a user's tokens (never their keys)")
        listing.add_argument("username")
        revoke = actions.add_parser("revoke", help="revoke a token by its id")
        revoke.add_argument("id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "revoke":
            token = ApiToken.objects.filter(pk=options["id"]).first()
            if token is None:
                raise CommandError(f"no API token with id {options['id']}")
            api_token_revoke(token=token)
            self.stdout.write(f"revoked token {token.pk} ({token}) of {token.user.get_username()}")
            return
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user named {options['username']!r}")
        if options["action"] == "create":
            try:
                token, key = api_token_create(user=user, name=options["name"])
            except ApiTokenError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"token {token.pk} for {user.get_username()}; the key is shown only this once:")
            self.stdout.write(key)
            return
        for token in ApiToken.objects.filter(user=user):
            state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
            self.stdout.write(f"{token.pk}\t{token.prefix}…\t{token.name}\t{state}")
