from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

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
