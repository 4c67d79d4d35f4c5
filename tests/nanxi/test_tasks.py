from django.core import mail

from nanxi import tasks


def test_send_email_task_sends_text_and_html():
    tasks.send_email.delay(
        subject="主题",
        body="正文",
        from_email="a@example.com",
        to=["b@example.com"],
        html="<p>正文</p>",
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (message.subject, message.body, message.to) == (
        "主题",
        "正文",
        ["b@example.com"],
    )
    assert message.alternatives[0][1] == "text/html"
