"""A test-only mail backend for the killed-worker tests (set by EMAIL_BACKEND in the
worker's environment; production code knows nothing of it).

The first message it is given hangs (long enough to kill its worker) after writing
its process id to SLOW_MAIL_MARKER; once the marker exists, messages are written to
EMAIL_FILE_PATH at once, like Django's file backend.
"""

import os
import time
from pathlib import Path

from django.core.mail.backends.filebased import EmailBackend


class SlowOnceFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        marker = Path(os.environ["SLOW_MAIL_MARKER"])
        try:
            with marker.open("x") as out:
                out.write(str(os.getpid()))
        except FileExistsError:
            return super().send_messages(email_messages)
        time.sleep(120)  # killed long before this ends
        return super().send_messages(email_messages)
