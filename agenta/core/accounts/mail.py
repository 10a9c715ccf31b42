"""Outgoing account e-mail (invitations, password resets) through one small seam.

No mail server is assumed: every message is logged (with its link, so an operator can pass it
on) and, when ``AGENTA_SMTP_URL`` is set (``smtp://user:pass@host:port`` or ``smtps://…``),
also sent by SMTP on a worker thread. A failing SMTP server is logged, never fatal: the link is
also shown in the UI to whoever created it.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlparse

from agenta.settings import Settings

log = logging.getLogger("agenta.accounts.mail")

SENDER = "Agenta <no-reply@agenta.local>"


async def send_account_mail(settings: Settings, to: str, subject: str, body: str) -> None:
    """Log the message and, when SMTP is configured, send it."""
    log.info("account mail", extra={"to": to, "subject": subject, "body": body})
    if settings.smtp_url is None:
        return
    try:
        await asyncio.to_thread(_send_smtp, settings.smtp_url, to, subject, body)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("account mail not sent", extra={"to": to, "error": type(exc).__name__})


def _send_smtp(url: str, to: str, subject: str, body: str) -> None:
    parsed = urlparse(url)
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    port = parsed.port or (465 if parsed.scheme == "smtps" else 25)
    host = parsed.hostname or "localhost"
    smtp_class = smtplib.SMTP_SSL if parsed.scheme == "smtps" else smtplib.SMTP
    with smtp_class(host, port, timeout=10) as smtp:
        if parsed.username:
            smtp.login(unquote(parsed.username), unquote(parsed.password or ""))
        smtp.send_message(message)
