"""Turn a missing or unreachable database into a clear Vietnamese page (503), not a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import unquote

from django.db import DatabaseError, OperationalError, ProgrammingError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

log = logging.getLogger(__name__)

_MISSING_TABLE = ("no such table", "does not exist", "no such column")


def database_problem(exc: BaseException) -> str | None:
    """A Vietnamese explanation when ``exc`` means the database is missing or down."""
    text = str(exc).lower()
    if isinstance(exc, (OperationalError, ProgrammingError)) and any(m in text for m in _MISSING_TABLE):
        return "Cơ sở dữ liệu chưa được khởi tạo hoặc chưa được cập nhật. Quản trị viên cần chạy lệnh «ktxh init»."
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


class RejectNulBytesMiddleware:
    """Refuse NUL characters in the address, query or a text body with a 400.

    No field of ktxh may hold one, and PostgreSQL refuses them with an error that would
    otherwise surface as a 500. File uploads (multipart) are binary and are left alone.
    """

    _TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded", "text/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            message = "Dữ liệu gửi lên chứa ký tự NUL (mã 0), không hợp lệ."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    def _has_nul(self, request: HttpRequest) -> bool:
        if "\x00" in request.path or "\x00" in unquote(request.META.get("QUERY_STRING", "")):
            return True
        content_type = request.content_type or ""
        if request.method in ("POST", "PUT", "PATCH") and content_type.startswith(self._TEXT_BODIES):
            body = request.body
            return b"\x00" in body or b"\\u0000" in body or b"%00" in body
        return False


class IgnoreBrowserLanguageMiddleware:
    """Offices work in Vietnamese even on a browser set to English; English is chosen in the
    header's language menu (a cookie), never guessed from Accept-Language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
