from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import HASH_SESSION_KEY
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _

from parplan.uploads import upload_too_big_message


class VietnameseFirstLocaleMiddleware:
    """Vietnamese unless the person chose another language in the language menu.

    Unlike Django's LocaleMiddleware it ignores the browser's Accept-Language: staff
    on an English-language browser still get the Vietnamese forms they work with.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # override() restores the language afterwards, so nothing that runs outside
        # a request (a command, a test) inherits this request's language.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


def private_no_store(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """``Cache-Control: private, no-store`` on every page and download Django answers:
    they hold the department's plan. Static files (whitenoise, before this) keep their
    long cache."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if "Cache-Control" not in response.headers:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware


def request_body_limit(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Refuse a body no one may send, from its Content-Length, before anything reads
    it: the CSRF check parses a multipart body (and spools its files to disk) before
    any view could refuse it. Someone not signed in may send a sign-in form
    (``ANONYMOUS_BODY_MAX_BYTES``); anyone else, one upload of the largest accepted
    size. A body without Content-Length is never read by Django."""

    def middleware(request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.UPLOAD_MAX_BYTES + settings.UPLOAD_ENVELOPE_BYTES
        # Only a large body costs the session lookup.
        anonymous_limit = settings.ANONYMOUS_BODY_MAX_BYTES
        if length > anonymous_limit and not request.user.is_authenticated:
            limit = anonymous_limit
        if length > limit:
            ctx = {"message": upload_too_big_message()}
            return render(request, "413.html", ctx, status=413)
        return get_response(request)

    return middleware


# Set at sign-in (by the app that knows who has a temporary password) to the
# session's auth hash: it stops applying once the password changes, since Django
# then stores the new password's hash in the session.
PASSWORD_CHANGE_SESSION_KEY = "parplan_password_change_for"


def password_change_required(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Until a person who signed in with a temporary password has changed it, every
    page but the password change page, sign-out and the health check sends them to
    the password change page."""
    open_paths: set[str] = set()

    def middleware(request: HttpRequest) -> HttpResponse:
        marked = request.session.get(PASSWORD_CHANGE_SESSION_KEY)
        if not marked:
            return get_response(request)
        if marked != request.session.get(HASH_SESSION_KEY):
            del request.session[PASSWORD_CHANGE_SESSION_KEY]
            return get_response(request)
        if not open_paths:
            open_paths.update(
                reverse(name) for name in ("password_change", "logout", "healthz")
            )
        path = request.path_info
        if path in open_paths or path.startswith(settings.STATIC_URL or "/static/"):
            return get_response(request)
        messages.warning(
            request,
            _(
                "Bạn đang dùng mật khẩu tạm thời do Văn phòng Sở cấp. "
                "Hãy đặt mật khẩu mới trước khi tiếp tục."
            ),
        )
        return redirect("password_change")

    return middleware
