"""The webhook's HTTP server: secret first, a small body limit, 200 once stored; network I/O.

Telegram posts each update to WEBHOOK_URL with the secret in X-Telegram-Bot-Api-Secret-Token.
The header is checked as soon as the request's headers are in, before a byte of the body is
read (403 without it); a body declared larger than WEBHOOK_MAX_BYTES is refused (413) just as
early, and a chunked one is cut off once it passes the limit, so a stranger cannot make the bot
read 100 MB. python-telegram-bot's own webhook server reads the whole body first, which is why
this one exists. An update is answered 200 only once it is in the store (Telegram sends it
again otherwise); a body that is not an update gets 400, with one log line.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web
from tornado.http1connection import HTTP1Connection

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
BODY_SECONDS = 10.0  # a body that takes longer to arrive is cut off

Take = Callable[[Sequence[Any]], object]


@tornado.web.stream_request_body
class _Hook(tornado.web.RequestHandler):
    """One update per POST."""

    def initialize(self, secret: str, limit: int, take: Take) -> None:  # tornado's hook
        self.secret = secret.encode()
        self.limit = limit
        self.take = take
        self.body = bytearray()
        self.refused = False

    def prepare(self) -> None:
        """Refuse a request without the secret, or with too big a body, before reading it."""
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            self._refuse(403, "Forbidden")
            return
        declared = self.request.headers.get("Content-Length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            self._refuse(413, "Payload Too Large")
            return
        connection = self.request.connection
        if isinstance(connection, HTTP1Connection):
            connection.set_max_body_size(self.limit)  # a chunked body is cut off here

    def data_received(self, chunk: bytes) -> None:
        """Keep the body, up to the limit."""
        if self.refused:
            return
        if len(self.body) + len(chunk) > self.limit:
            self._refuse(413, "Payload Too Large")
            return
        self.body += chunk

    def post(self) -> None:
        """Store the update, then answer 200."""
        try:
            update = json.loads(self.body)
        except ValueError:
            update = None
        if not isinstance(update, dict):
            log.warning("webhook: a request body that is not an update was refused")
            self._refuse(400, "Bad Request")
            return
        self.take([update])
        self.finish()

    def _refuse(self, status: int, reason: str) -> None:
        self.refused = True
        self.set_status(status, reason)
        self.finish()


class WebhookServer:
    """Serve the webhook path on a port."""

    def __init__(self, path: str, secret: str, limit: int, take: Take) -> None:
        app = tornado.web.Application(
            [(path or "/", _Hook, {"secret": secret, "limit": limit, "take": take})],
            log_function=lambda handler: None,  # access logs are not needed
        )
        self._server = tornado.httpserver.HTTPServer(
            app, max_body_size=limit, body_timeout=BODY_SECONDS)

    def listen(self, host: str, port: int) -> None:
        """Start listening (raises OSError if the port is taken)."""
        self._server.add_sockets(tornado.netutil.bind_sockets(port, host))

    async def stop(self) -> None:
        """Stop taking requests and close the open connections."""
        self._server.stop()
        await self._server.close_all_connections()
