"""How the portal's log reads."""

import logging


class NoTracebackForClientErrors(logging.Filter):
    """A refused request (403 and other 4xx) is the client's doing: one line in the
    log with its status and address, not a traceback. Someone trying the
    permission boundaries would otherwise fill the log with stack traces. Server
    errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
