"""Turn a missing or unreachable database into a clear Vietnamese page (503), not a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError, OperationalError, ProgrammingError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

log = logging.getLogger(__name__)

_MISSING_TABLE = ("no such table", "does not exist")


def database_problem(exc: BaseException) -> str | None:
    """A Vietnamese explanation when ``exc`` means the database is missing or down."""
    text = str(exc).lower()
    if isinstance(exc, (OperationalError, ProgrammingError)) and any(m in text for m in _MISSING_TABLE):
        return "Cơ sở dữ liệu chưa được khởi tạo. Quản trị viên cần chạy lệnh «ktxh init»."
    if isinstance(exc, OperationalError):
        return "Không kết nối được cơ sở dữ liệu. Vui lòng thử lại sau ít phút hoặc báo quản trị viên."
    return None


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DatabaseError):
            return None
        message = database_problem(exception)
        if message is None:
            return None
        log.error("database unavailable: %s", exception)
        response = render(request, "503.html", {"message": message}, status=503)
        response["Retry-After"] = "30"
        return response
