"""Set an account's password from the command line, under the same rules as every other path.

A password set here is one the account's owner did not choose: it must be changed at the next
login (Đ10.2.đ). Without ``--password-file`` it is asked for twice, or issued with ``--issue``.
"""

from __future__ import annotations

import getpass
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from accounts.management.commands._base import AccountCommand, read_password_file
from accounts.models import User
from accounts.services import account_password_issue, account_password_set
from portal_platform.errors import ApplicationError
from tenants.models import Portal


class Command(AccountCommand):
    help = "Đặt mật khẩu cho một tài khoản (phải đổi ở lần đăng nhập kế tiếp)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--username", required=True)
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--password-file", help="a file whose first line is the password")
        source.add_argument("--issue", action="store_true", help="generate a one-time password and print it")

    def handle_accounts(self, portal: Portal | None, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Không có tài khoản {options['username']}")
        if options["issue"]:
            password = account_password_issue(user=user, issued_by="manage.py")
            self.stdout.write(f"Mật khẩu dùng một lần của {user.username}: {password}")
            return
        if options.get("password_file"):
            password = read_password_file(options["password_file"])
        else:
            password = getpass.getpass("Mật khẩu mới: ")
            if password != getpass.getpass("Nhập lại mật khẩu mới: "):
                raise CommandError("Hai lần nhập mật khẩu không khớp nhau.")
        try:
            # Set by an operator, not chosen by the owner: an issued password.
            account_password_set(user=user, password=password, issued_by="manage.py")
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Đã đặt mật khẩu cho {user.username}; phải đổi ở lần đăng nhập kế tiếp."))
