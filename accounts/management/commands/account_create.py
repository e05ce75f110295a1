"""Create a back-office account under the naming rule (Đ10.2.d), optionally with a role.

The password is read from ``--password-file`` or issued (printed once); either way it must be
changed at the first login.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import CommandError

from accounts.management.commands._base import AccountCommand, read_password_file
from accounts.services import account_create, account_roles_set
from portal_platform.errors import ApplicationError
from tenants.models import Portal


class Command(AccountCommand):
    help = "Tạo tài khoản theo quy tắc đặt tên (admin.<tên viết tắt>, <họtên>.<tên viết tắt>)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--username", required=True)
        parser.add_argument("--full-name", required=True)
        parser.add_argument("--email", default="")
        parser.add_argument("--password-file", help="a file whose first line is the password; else one is issued")
        parser.add_argument("--role", help="a role key of the portal (tenant_admin, board_head, editor, …)")

    def handle_accounts(self, portal: Portal | None, **options: Any) -> None:
        password = read_password_file(options["password_file"]) if options.get("password_file") else None
        group = None
        if options.get("role"):
            group = self._role_group(options["role"])
        try:
            user, issued = account_create(
                username=options["username"],
                password=password,
                full_name=options["full_name"],
                email=options["email"],
                created_by=None,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        if group is not None:
            account_roles_set(user=user, groups=[group])
        self.stdout.write(self.style.SUCCESS(f"Đã tạo tài khoản {user.username}."))
        if issued:
            self.stdout.write(f"Mật khẩu dùng một lần (phải đổi ở lần đăng nhập đầu): {issued}")

    @staticmethod
    def _role_group(key: str) -> Group:
        try:
            from content.models import Role

            return Role.objects.select_related("group").get(key=key).group
        except Exception as exc:  # no such role here (or the console, which has no roles)
            raise CommandError(f"Không có vai trò {key} ở đây.") from exc
