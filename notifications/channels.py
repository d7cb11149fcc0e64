"""The channels a notification goes out by, each a small backend behind one interface.

`send_many([(delivery, rendered), ...])` delivers or raises: `TransientError` (try again later:
a timeout, a 5xx, a refused connection, an answer that is not HTTP) or `PermanentError` (never
going to work: a 4xx, or a redirect, which is not followed). A send is called
inside the transaction that marks the delivery done, under that delivery's row lock, so the inbox
channel's row commits with it exactly once; the external channels are given the delivery id as
their idempotency key, so a send repeated after a crash is recognised by the receiver.
Error texts carry no personal data: a status code or an exception class, never an address.
"""

import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.request
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage

from casework.models import User
from notifications.models import Channel, Delivery, InboxItem
from notifications.templates import Rendered


class TransientError(Exception):
    """The send failed but may succeed later."""


class PermanentError(Exception):
    """The send can never succeed as it is (the receiver refused the message itself)."""


class Backend(Protocol):
    def available_for(self, user: User) -> bool: ...

    def send_many(self, batch: list[tuple[Delivery, Rendered]]) -> None: ...


class OneByOne:
    """For channels that send each message by itself (external services)."""

    def send_many(self, batch: list[tuple[Delivery, Rendered]]) -> None:
        for delivery, rendered in batch:
            self.send(delivery, rendered)

    def send(self, delivery: Delivery, rendered: Rendered) -> None:
        raise NotImplementedError  # each channel's own


class InboxBackend:
    def available_for(self, user: User) -> bool:
        return True

    def send_many(self, batch: list[tuple[Delivery, Rendered]]) -> None:
        # One row per message (its unique key): a repeated send adds nothing. One INSERT ... ON
        # CONFLICT DO NOTHING for the batch, not a get_or_create per message.
        InboxItem.objects.bulk_create(
            [
                InboxItem(
                    message=delivery.message,
                    recipient_id=delivery.message.recipient_id,
                    event=delivery.message.event,
                    case_id=delivery.message.case_id,
                    case_reference=delivery.message.case_reference,
                    title=rendered.title,
                    body=rendered.body,
                    created_at=delivery.message.created_at,
                )
                for delivery, rendered in batch
            ],
            ignore_conflicts=True,
        )


class EmailBackend(OneByOne):
    """Through Django's e-mail backend (SMTP in production, `EMAIL_*` settings)."""

    def available_for(self, user: User) -> bool:
        return bool(user.email)

    def send(self, delivery: Delivery, rendered: Rendered) -> None:
        email = EmailMessage(
            subject=rendered.title,
            body=rendered.body,
            to=[delivery.message.recipient.email],
            # The same Message-ID on a repeated send lets mail systems drop the duplicate.
            headers={"Message-ID": f"<{delivery.pk}@{settings.NOTIFY_EMAIL_DOMAIN}>"},
        )
        try:
            email.send()
        except OSError as error:  # smtplib's errors are OSErrors; the text may hold the address
            raise TransientError(type(error).__name__) from None


class WebhookBackend(OneByOne):
    """A JSON POST to a WhatsApp Business / SMS gateway (`NOTIFY_WEBHOOK_URL`).

    Headers: `Idempotency-Key` (the delivery id: the same on every retry),
    `X-PPKS-Timestamp` and `X-PPKS-Signature: sha256=<hex>`, the HMAC-SHA256 with
    `NOTIFY_WEBHOOK_SECRET` of "<timestamp>.<body>".
    """

    def available_for(self, user: User) -> bool:
        return bool(settings.NOTIFY_WEBHOOK_URL and user.phone)

    def send(self, delivery: Delivery, rendered: Rendered) -> None:
        message = delivery.message
        body = json.dumps(
            {
                "id": str(delivery.pk),
                "event": message.event,
                # The officer's own number: where the gateway sends, not part of the text.
                "to": message.recipient.phone,
                "language": rendered.language,
                "title": rendered.title,
                "text": rendered.body,
                "link": rendered.link,
                "case_reference": message.case_reference,
            },
            separators=(",", ":"),
        ).encode()
        timestamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
            settings.NOTIFY_WEBHOOK_URL,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Idempotency-Key": str(delivery.pk),
                "X-PPKS-Timestamp": timestamp,
                "X-PPKS-Signature": f"sha256={sign(timestamp, body)}",
            },
        )
        try:
            with _opener.open(request, timeout=settings.NOTIFY_WEBHOOK_TIMEOUT):
                return
        except urllib.error.HTTPError as error:  # a 3xx too: redirects are not followed
            if error.code in (408, 425, 429) or error.code >= 500:
                raise TransientError(f"HTTP {error.code}") from None
            raise PermanentError(f"HTTP {error.code}") from None
        # Refused, timed out, reset (OSError), or an answer that is not HTTP (HTTPException,
        # e.g. BadStatusLine): an attempt that failed, not an error of the task.
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            raise TransientError(type(error).__name__) from None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """urllib would follow a 301/302/303 with a GET without the body, and that GET's 200 would
    count as delivered. Unfollowed, the redirect is an HTTPError: a dead letter that shows the
    operator the gateway URL is wrong."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def sign(timestamp: str, body: bytes) -> str:
    """The signature a receiver recomputes to know the POST is ours and unaltered."""
    secret = settings.NOTIFY_WEBHOOK_SECRET.encode()
    return hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


BACKENDS: dict[str, Backend] = {
    Channel.INBOX: InboxBackend(),
    Channel.EMAIL: EmailBackend(),
    Channel.WEBHOOK: WebhookBackend(),
}
