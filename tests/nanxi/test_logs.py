"""A refused request logs one line; a server error keeps its traceback."""

import io
import logging
import sys

import pytest

from nanxi.logs import NoTracebackForClientErrors


def _record(status: int) -> logging.LogRecord:
    try:
        raise PermissionError("no")
    except PermissionError:
        info = sys.exc_info()
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("/x",), info
    )
    record.status_code = status
    return record


@pytest.mark.parametrize(("status", "kept"), [(403, False), (404, False), (500, True)])
def test_client_errors_lose_their_traceback_server_errors_keep_it(status, kept):
    record = _record(status)
    assert NoTracebackForClientErrors().filter(record)
    assert (record.exc_info is not None) is kept


def test_the_console_log_uses_the_filter():
    handlers = [h for h in logging.getLogger().handlers if h.filters]
    assert any(
        isinstance(f, NoTracebackForClientErrors) for h in handlers for f in h.filters
    )


def test_a_refused_page_logs_one_line_without_a_traceback(client, resident):
    console = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, NoTracebackForClientErrors) for f in h.filters)
    )
    written = io.StringIO()
    old = console.setStream(written)
    try:
        client.force_login(resident)
        assert client.get("/en/projects/manage/").status_code == 403
    finally:
        console.setStream(old)
    assert "Forbidden" in written.getvalue()
    assert "Traceback" not in written.getvalue()
