"""``ktxh token``: an API token for a user, shown once."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

Setup = Callable[[], None]


class AccountsUsageError(Exception):
    """Bad input: printed as it is, exit code 2."""


def add_commands(add: Any, setup: Setup) -> None:
    p = add(
        "token",
        "Cấp khóa API cho một người dùng (in ra một lần; chỉ lưu bản băm). Quyền của khóa là quyền của người đó.",
        "Issue an API token for a user (printed once; only its hash is stored). It carries that user's permissions.",
    )
    p.add_argument("--user", required=True, metavar="TÊN", help="tên đăng nhập")
    p.add_argument(
        "--name", default="", metavar="NHÃN", help="nhãn để nhận ra khóa, ví dụ «máy chủ tổng hợp»"
    )
    p.set_defaults(func=lambda args: cmd_token(args, setup))


def cmd_token(args: argparse.Namespace, setup: Setup) -> int:
    setup()
    from django.contrib.auth import get_user_model

    from ktxh.web.accounts.models import ApiToken

    user = get_user_model().objects.filter(username=args.user, is_active=True).first()
    if user is None:
        raise AccountsUsageError(f"Không có người dùng «{args.user}» (hoặc tài khoản đã bị khóa).")
    _obj, token = ApiToken.issue(user=user, name=args.name)
    print(token)
    print(
        f"Khóa API của «{args.user}». Dùng: Authorization: Bearer <khóa>. Khóa chỉ hiện một lần.", flush=True
    )
    return 0
