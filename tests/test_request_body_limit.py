"""A body no one may send is refused from its Content-Length, before anything reads
it: an anonymous client holding only a CSRF cookie cannot make the server spool a
50 MB upload, and no one can send more than one upload of the largest size."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

TOKEN = "a" * 32
BOUNDARY = "----parplan"
FIFTY_MB = 50 * 1024 * 1024


class CountingBody(io.RawIOBase):
    """A multipart body of ``size`` bytes made as it is read, counting what is read."""

    def __init__(self, size: int) -> None:
        head = (
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
            f'name="csrfmiddlewaretoken"\r\n\r\n{TOKEN}\r\n'
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
            f'name="file"; filename="big.xlsx"\r\n\r\n'
        ).encode()
        self.chunks = self._chunks(head, size)
        self.pending = b""
        self.read_bytes = 0

    @staticmethod
    def _chunks(head: bytes, size: int) -> Iterator[bytes]:
        yield head
        left = size - len(head)
        block = b"\0" * 65536
        while left > 0:
            yield block[:left]
            left -= len(block)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self.pending:
            self.pending = next(self.chunks, b"")
            if not self.pending:
                return 0
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        self.read_bytes += n
        return n


def post_streamed(path: str, size: int, cookie: str = "") -> tuple[str, CountingBody]:
    body = CountingBody(size)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BufferedReader(body),
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(size),
        "HTTP_COOKIE": f"csrftoken={TOKEN}; {cookie}",
    }
    statuses: list[str] = []
    # As Django's test client does: the test's transaction must outlive the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        WSGIHandler()(environ, lambda status, headers: statuses.append(status))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return statuses[0], body


@pytest.mark.django_db
def test_an_anonymous_50_mb_upload_is_refused_before_its_body_is_read() -> None:
    status, body = post_streamed("/ke-hoach/nhap/", FIFTY_MB)
    assert status.startswith("413")
    assert body.read_bytes < 1024 * 1024


@pytest.mark.django_db
def test_a_signed_in_upload_over_the_largest_size_is_refused_unread(
    office: User, client: object
) -> None:
    client.force_login(office)  # type: ignore[attr-defined]
    session = client.cookies["sessionid"].value  # type: ignore[attr-defined]
    status, body = post_streamed("/ke-hoach/nhap/", FIFTY_MB, f"sessionid={session}")
    assert status.startswith("413")
    assert body.read_bytes < 1024 * 1024


def test_the_refusal_is_in_vietnamese(db: None, client: object) -> None:
    response = client.post(  # type: ignore[attr-defined]
        "/ke-hoach/nhap/", {"x": "y" * 100_000}
    )
    assert response.status_code == 413
    assert "Hãy đăng nhập trước khi tải tệp lên." in response.content.decode()


def test_a_sign_in_form_still_goes_through(db: None, client: object) -> None:
    response = client.post(  # type: ignore[attr-defined]
        "/dang-nhap/", {"username": "x", "password": "y"}
    )
    assert response.status_code != 413
