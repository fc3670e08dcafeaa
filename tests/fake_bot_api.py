"""A fake Telegram Bot API, in process or on 127.0.0.1, for end-to-end tests and the benchmark.

It speaks just enough of https://core.telegram.org/bots/api for the bot: getMe, getUpdates
(long polling with offset, limit and timeout), sendMessage, editMessageText,
answerCallbackQuery, editMessageReplyMarkup, setMyCommands, getMyCommands, deleteWebhook,
setWebhook, getWebhookInfo, sendChatAction, close and logOut. Like Telegram it refuses what
Telegram refuses: a wrong token (401), HTML that Telegram cannot parse, text over 4096
characters, callback data over 64 bytes, a callback query answered twice, editing a message to
the same content (400). Every call is recorded (method, parsed parameters, status, time) for
assertions, tests inject updates (any dict, also one python-telegram-bot cannot parse), and the
next N calls of a method can be answered with 429 {retry_after}, 500, or after a delay. An
outage (go_down ... come_up) refuses every connection, as an unreachable Bot API does.

Two ways to reach it: `FakeRequest`, a python-telegram-bot BaseRequest that hands each call to
the fake inside the process (the conversation tests: no sockets at all), or HTTP on 127.0.0.1
after `start()` (the process tests and the benchmark). Both go through `FakeBotApi.handle`.

The module also holds small factories for update dicts and `telegram_text`, the validator of
Telegram's HTML rules that the server and the tests share. Network I/O: only after start(), and
only on loopback.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import tornado.httpserver
import tornado.netutil
import tornado.web
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
BOT_USER: dict[str, Any] = {
    "id": 7_000_001,
    "is_bot": True,
    "first_name": "Cysteine Bot",
    "username": "cysteine_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
# Parameters that Telegram takes as plain strings; every other one is JSON-encoded by clients.
STRING_PARAMS = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "url", "secret_token", "action",
    "inline_message_id", "language_code", "ip_address", "description", "short_description",
    "inline_query_id", "switch_pm_text", "switch_pm_parameter", "next_offset",
})


# ------------------------------------------------------------------ Telegram's HTML rules

class HtmlError(ValueError):
    """Markup that Telegram would refuse with "can't parse entities"."""


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*\"[^\"]*\")?)*)\s*>")
_ATTR = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*\"([^\"]*)\")?")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_SIMPLE_TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del",
                          "tg-spoiler", "code", "pre"})
_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href"}),
    "span": frozenset({"class"}),
    "blockquote": frozenset({"expandable"}),
    "tg-emoji": frozenset({"emoji-id"}),
    "code": frozenset({"class"}),
}


def telegram_text(markup: str) -> str:
    """Return the text Telegram shows for HTML markup, or raise HtmlError as Telegram would.

    Rules (core.telegram.org/bots/api#html-style): only b/strong, i/em, u/ins, s/strike/del,
    span class="tg-spoiler", tg-spoiler, a href, code, pre, blockquote and tg-emoji tags, properly
    nested; pre and code hold no other tags (except code inside pre); blockquotes do not nest;
    named entities only &lt; &gt; &amp; &quot; (numeric ones are allowed); every other <, > and &
    escaped.
    """
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(markup):
        ch = markup[i]
        if ch == "<":
            m = _TAG.match(markup, i)
            if m is None:
                raise HtmlError(f"unescaped '<' or malformed tag at {i}")
            _tag(m, stack)
            i = m.end()
        elif ch == "&":
            m = _ENTITY.match(markup, i)
            if m is None:
                raise HtmlError(f"unsupported entity or bare '&' at {i}")
            out.append(html.unescape(m.group(0)))
            i = m.end()
        elif ch == ">":
            raise HtmlError(f"unescaped '>' at {i}")
        else:
            out.append(ch)
            i += 1
    if stack:
        raise HtmlError(f"unclosed tag <{stack[-1]}>")
    return "".join(out)


def _tag(m: re.Match[str], stack: list[str]) -> None:
    closing, name, raw_attrs = m.group(1) == "/", m.group(2), m.group(3)
    if closing:
        if raw_attrs.strip():
            raise HtmlError(f"attributes on closing tag </{name}>")
        if not stack or stack[-1] != name:
            raise HtmlError(f"</{name}> does not close the innermost open tag")
        stack.pop()
        return
    attrs = dict(_ATTR.findall(raw_attrs))
    allowed = _ATTRIBUTES.get(name, frozenset())
    if name not in _SIMPLE_TAGS and name not in _ATTRIBUTES:
        raise HtmlError(f"unsupported tag <{name}>")
    if set(attrs) - allowed:
        raise HtmlError(f"unsupported attribute on <{name}>: {sorted(set(attrs) - allowed)}")
    if name == "a" and not attrs.get("href"):
        raise HtmlError("<a> needs href")
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise HtmlError('<span> needs class="tg-spoiler"')
    if name == "code" and "class" in attrs and stack[-1:] != ["pre"]:
        raise HtmlError("a language class is only allowed on code inside pre")
    if name == "tg-emoji" and not attrs.get("emoji-id"):
        raise HtmlError("<tg-emoji> needs emoji-id")
    if stack and stack[-1] in ("code", "pre") and not (stack[-1] == "pre" and name == "code"):
        raise HtmlError(f"<{name}> inside <{stack[-1]}>")
    if name == "blockquote" and "blockquote" in stack:
        raise HtmlError("nested blockquote")
    stack.append(name)


def utf16_len(text: str) -> int:
    """Return the length Telegram counts (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


# ------------------------------------------------------------------ update factories

_ids = itertools.count(1)
_message_ids = itertools.count(50_000)


def user(uid: int = 1001, first_name: str = "Ada",
         username: str | None = "ada_l") -> dict[str, Any]:
    """Return a User dict."""
    u: dict[str, Any] = {"id": uid, "is_bot": False, "first_name": first_name}
    if username:
        u["username"] = username
    return u


def private_chat(uid: int = 1001) -> dict[str, Any]:
    """Return the private Chat dict of a user."""
    return {"id": uid, "type": "private", "first_name": "Ada"}


def group_chat(gid: int = -100_777, title: str = "NAC club") -> dict[str, Any]:
    """Return a supergroup Chat dict."""
    return {"id": gid, "type": "supergroup", "title": title}


def entities_of(text: str) -> list[dict[str, Any]]:
    """Return the entities Telegram would mark: a leading /command and every @mention."""
    found = []
    for m in re.finditer(r"(?:^/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?)|(?:@[A-Za-z0-9_]{3,})", text):
        kind = "bot_command" if m.group(0).startswith("/") else "mention"
        offset = utf16_len(text[: m.start()])
        found.append({"type": kind, "offset": offset, "length": utf16_len(m.group(0))})
    return found


def message(text: str | None = None, *, sender: dict[str, Any] | None = None,
            chat: dict[str, Any] | None = None, reply_to: dict[str, Any] | None = None,
            **content: Any) -> dict[str, Any]:
    """Return a Message dict sent by a user (private chat with them unless `chat` is given)."""
    sender = sender or user()
    msg: dict[str, Any] = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat or private_chat(sender["id"]),
        "from": sender,
        **content,
    }
    if text is not None:
        msg["text"] = text
        if entities := entities_of(text):
            msg["entities"] = entities
    if reply_to is not None:
        msg["reply_to_message"] = reply_to
    return msg


def text_update(text: str, **kwargs: Any) -> dict[str, Any]:
    """Return an update with a new text message (commands and mentions get their entities)."""
    return {"message": message(text, **kwargs)}


def edited_update(original: dict[str, Any], new_text: str) -> dict[str, Any]:
    """Return an update saying that a message was edited to new_text."""
    edited = {**original, "text": new_text, "edit_date": int(time.time())}
    edited.pop("entities", None)
    if entities := entities_of(new_text):
        edited["entities"] = entities
    return {"edited_message": edited}


def callback_update(data: str, bot_message: dict[str, Any],
                    sender: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return an update with a press on an inline button of a message the bot sent."""
    return {"callback_query": {
        "id": f"cq{next(_ids)}",
        "from": sender or user(),
        "chat_instance": "ci-1",
        "data": data,
        "message": bot_message,
    }}


NON_TEXT_CONTENT: dict[str, dict[str, Any]] = {
    "sticker": {"sticker": {"file_id": "st1", "file_unique_id": "u1", "type": "regular",
                            "width": 512, "height": 512, "is_animated": False,
                            "is_video": False, "emoji": "👍"}},
    "photo": {"photo": [{"file_id": "ph1", "file_unique_id": "u2", "width": 90,
                         "height": 90}]},
    "voice": {"voice": {"file_id": "vo1", "file_unique_id": "u3", "duration": 3}},
    "document": {"document": {"file_id": "do1", "file_unique_id": "u4",
                              "file_name": "labs.pdf"}},
    "location": {"location": {"latitude": 52.52, "longitude": 13.4}},
    "contact": {"contact": {"phone_number": "+15550100", "first_name": "Bob"}},
}


def inline_update(query: str, sender: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return an update with an inline query: someone typed '@bot <query>' in some chat."""
    return {"inline_query": {"id": f"iq{next(_ids)}", "from": sender or user(), "query": query,
                             "offset": ""}}


def non_text_update(kind: str, **kwargs: Any) -> dict[str, Any]:
    """Return an update with a sticker, photo, voice, document, location or contact."""
    return {"message": message(None, **kwargs, **NON_TEXT_CONTENT[kind])}


# ------------------------------------------------------------------ the server

@dataclass
class Call:
    """One request the server received."""

    method: str
    params: dict[str, Any]
    status: int = 200
    at: float = field(default_factory=time.perf_counter)
    result: Any = None
    answered: bool = True  # False if the client had gone away before the answer


@dataclass
class _Fault:
    status: int | None  # None: answer normally after the delay
    retry_after: int | None = None
    delay: float = 0.0


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


class FakeBotApi:
    """A Bot API server on 127.0.0.1 with recorded calls, injected updates and faults."""

    def __init__(self, token: str, bot_user: dict[str, Any] | None = None) -> None:
        self.token = token
        self.bot_user = bot_user or dict(BOT_USER)
        self.calls: list[Call] = []
        self.handed_out: dict[int, float] = {}  # update id -> when a getUpdates first gave it
        self.confirmed = 0  # the highest offset a getUpdates call has asked for
        self.arrived: list[str] = []  # methods in order of arrival, before any answer
        self.webhook: dict[str, Any] | None = None
        self.commands: list[dict[str, Any]] = []
        self.port = 0
        self._pending: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._next_message_id = 1
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._queries: dict[str, bool] = {}  # callback query id -> answered
        self._faults: dict[str, deque[_Fault]] = {}
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
        self._server: tornado.httpserver.HTTPServer | None = None
        self.on_call: Callable[[Call], None] | None = None
        self.chat_limits: tuple[int, float, int, float] | None = None
        self._sends: dict[int, deque[float]] = {}
        self.down = False  # an outage: every connection is refused
        self.refused = 0  # connections refused in outages (in process; over HTTP not seen)

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1 (the same port again after an outage)."""
        app = tornado.web.Application(
            [(r"/bot([^/]*)/([A-Za-z]+)", _Handler, {"api": self})],
            log_function=lambda handler: None,  # access logs would show the token in URLs
        )
        sockets = tornado.netutil.bind_sockets(self.port, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)

    async def go_down(self) -> None:
        """Begin an outage: refuse every connection (over HTTP: stop listening)."""
        self.down = True
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()

    async def come_up(self) -> None:
        """End an outage: take connections again, on the same port."""
        self.down = False
        if self._server is not None:
            await self.start()
        self.notify()

    async def stop(self) -> None:
        """Release waiting long polls and close the server."""
        self._closing.set()
        self.notify()
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()

    @property
    def base_url(self) -> str:
        """Return the base URL a client puts before the token, as TELEGRAM_BASE_URL."""
        return f"http://127.0.0.1:{self.port}/bot"

    # ---------------------------------------------------------------- test controls

    def inject(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates; return its update_id."""
        update_id = self._next_update_id
        self._next_update_id += 1
        self._pending.append({"update_id": update_id, **update})
        query = update.get("callback_query")
        if query is not None:
            self._queries[query["id"]] = False
        self.notify()
        return update_id

    @property
    def last_update_id(self) -> int:
        """Return the id of the last injected update (0 if none)."""
        return self._next_update_id - 1

    def fail_next(self, method: str, times: int = 1, *, status: int = 500,
                  retry_after: int | None = None) -> None:
        """Answer the next `times` calls of a method with an error (429 with retry_after)."""
        faults = self._faults.setdefault(method, deque())
        faults.extend(_Fault(status, retry_after) for _ in range(times))

    def limit_chats(self, private: tuple[int, float] = (3, 1.0),
                    group: tuple[int, float] = (20, 60.0)) -> None:
        """Answer 429 like Telegram to a chat sent more than n messages in t seconds."""
        self.chat_limits = (*private, *group)

    def _check_pace(self, method: str, params: dict[str, Any]) -> None:
        chat = params.get("chat_id")
        if self.chat_limits is None or method != "sendMessage" or not isinstance(chat, int):
            return
        n, period = (self.chat_limits[:2] if chat > 0 else self.chat_limits[2:])
        now = time.monotonic()
        times = self._sends.setdefault(chat, deque())
        while times and now - times[0] >= period:
            times.popleft()
        if len(times) >= int(n):
            wait = max(1, round(period - (now - times[0])))
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        times.append(now)

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Answer the next `times` calls of a method normally, but only after a delay."""
        self._faults.setdefault(method, deque()).extend(
            _Fault(None, delay=seconds) for _ in range(times))

    def deliveries(self) -> dict[tuple[int, str], int]:
        """Return how often each (chat, text) was delivered by a successful sendMessage."""
        counts: dict[tuple[int, str], int] = {}
        for c in self.ok_calls("sendMessage"):
            key = (c.params["chat_id"], c.params["text"])
            counts[key] = counts.get(key, 0) + 1
        return counts

    def ok_calls(self, method: str | None = None) -> list[Call]:
        """Return the successful calls, of one method or of all but getUpdates."""
        return [c for c in self.calls if c.status == 200
                and (c.method == method if method else c.method != "getUpdates")]

    def polled_past(self, update_id: int) -> bool:
        """Tell whether a client has confirmed (taken in) every update up to update_id."""
        return self.confirmed > update_id

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until condition() holds (checked after every call), or raise TimeoutError."""
        async with asyncio.timeout(timeout):
            while not condition():
                await self._wait_change()

    def message_sent(self, call: Call) -> dict[str, Any]:
        """Return the Message object the server answered to a send call."""
        assert isinstance(call.result, dict), call
        return call.result

    # ---------------------------------------------------------------- internals

    def notify(self) -> None:
        """Wake up every long poll and waiter."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self) -> None:
        await self._changed.wait()

    def record(self, call: Call) -> None:
        """Record a call and wake up whoever waits for one."""
        self.calls.append(call)
        if self.on_call is not None:
            self.on_call(call)
        self.notify()

    def take_fault(self, method: str) -> _Fault | None:
        """Return the next planned fault of a method, if any."""
        faults = self._faults.get(method)
        return faults.popleft() if faults else None

    async def dispatch(self, method: str, params: dict[str, Any],
                       closed: asyncio.Event) -> Any:
        """Return the result of one API method, or raise ApiError."""
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        if method.lower() == "getupdates":
            return await self._m_getupdates(params, closed)
        return handler(params)

    async def handle(self, token: str, method: str, params: dict[str, Any],
                     closed: asyncio.Event) -> tuple[int, dict[str, Any]]:
        """Answer one call as the Bot API would: (HTTP status, JSON body); record it."""
        call = Call(method, params)
        self.arrived.append(method)
        self.notify()
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            fault = self.take_fault(method)
            if fault is not None:
                await asyncio.sleep(fault.delay)
                if fault.status == 429:
                    raise ApiError(429, f"Too Many Requests: retry after {fault.retry_after}",
                                   retry_after=fault.retry_after)
                if fault.status is not None:
                    raise ApiError(fault.status, "Internal Server Error")
            self._check_pace(method, params)
            call.result = await self.dispatch(method, params, closed)
            body: dict[str, Any] = {"ok": True, "result": call.result}
        except ApiError as exc:
            call.status = exc.status
            body = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
        call.answered = not closed.is_set()
        self.record(call)
        return call.status, body

    def _m_getme(self, params: dict[str, Any]) -> Any:
        return self.bot_user

    async def _m_getupdates(self, params: dict[str, Any], closed: asyncio.Event) -> Any:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        if offset > self.confirmed:
            self.confirmed = offset
            self.notify()
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        self._pending = [u for u in self._pending if u["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        while not self._pending and not self._closing.is_set() and not closed.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                async with asyncio.timeout(left):
                    await self._wait_change()
            except TimeoutError:
                break
        batch = self._pending[:limit]
        now = time.perf_counter()
        for u in batch:
            self.handed_out.setdefault(u["update_id"], now)
        return batch

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        if not isinstance(chat_id, int):
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id < 0:
            return {"id": chat_id, "type": "supergroup", "title": "NAC club"}
        return {"id": chat_id, "type": "private", "first_name": "Ada"}

    def _checked_text(self, params: dict[str, Any]) -> str:
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        shown = text
        if params.get("parse_mode") == "HTML":
            try:
                shown = telegram_text(text)
            except HtmlError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        elif params.get("parse_mode") not in (None, ""):
            raise ApiError(400, "Bad Request: unsupported parse_mode")
        if utf16_len(shown) > MESSAGE_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        if not shown.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        _check_markup(params.get("reply_markup"))
        return shown

    def _m_sendmessage(self, params: dict[str, Any]) -> Any:
        chat = self._chat(params.get("chat_id"))
        shown = self._checked_text(params)
        msg: dict[str, Any] = {
            "message_id": self._next_message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user,
            "text": shown,
        }
        self._next_message_id += 1
        if params.get("reply_markup"):
            msg["reply_markup"] = params["reply_markup"]
        self._messages[(chat["id"], msg["message_id"])] = msg
        return msg

    def _m_editmessagetext(self, params: dict[str, Any]) -> Any:
        key = (params.get("chat_id"), params.get("message_id"))
        old = self._messages.get(key)  # type: ignore[arg-type]
        if old is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        shown = self._checked_text(params)
        markup = params.get("reply_markup")
        if shown == old["text"] and markup == old.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same")
        new = {**old, "text": shown, "edit_date": int(time.time())}
        new.pop("reply_markup", None)
        if markup:
            new["reply_markup"] = markup
        self._messages[key] = new  # type: ignore[index]
        return new

    def _m_editmessagereplymarkup(self, params: dict[str, Any]) -> Any:
        key = (params.get("chat_id"), params.get("message_id"))
        old = self._messages.get(key)  # type: ignore[arg-type]
        if old is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup") or None
        _check_markup(markup)
        if markup == old.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified: specified new message "
                                "content and reply markup are exactly the same")
        new = {**old, "edit_date": int(time.time())}
        new.pop("reply_markup", None)
        if markup:
            new["reply_markup"] = markup
        self._messages[key] = new  # type: ignore[index]
        return new

    def _m_answercallbackquery(self, params: dict[str, Any]) -> Any:
        query_id = params.get("callback_query_id")
        if self._queries.get(str(query_id)) is not False:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or "
                                "query ID is invalid")
        self._queries[str(query_id)] = True
        return True

    def _m_answerinlinequery(self, params: dict[str, Any]) -> Any:
        results = params.get("results")
        if not isinstance(results, list) or len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        for r in results:
            if not 1 <= len(str(r.get("id", "")).encode()) <= 64 or not r.get("title"):
                raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
            content = r.get("input_message_content") or {}
            self._checked_text({"text": content.get("message_text"),
                                "parse_mode": content.get("parse_mode")})
        return True

    def _m_sendchataction(self, params: dict[str, Any]) -> Any:
        self._chat(params.get("chat_id"))
        return True

    def _m_setmycommands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or not 1 <= len(commands) <= 100:
            raise ApiError(400, "Bad Request: commands must be a non-empty list")
        for c in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(c.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands = commands
        return True

    def _m_getmycommands(self, params: dict[str, Any]) -> Any:
        return self.commands

    def _m_deletewebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    def _m_setwebhook(self, params: dict[str, Any]) -> Any:
        url = params.get("url")
        if not url:
            return self._m_deletewebhook(params)
        if not str(url).startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        self.webhook = dict(params)
        return True

    def _m_getwebhookinfo(self, params: dict[str, Any]) -> Any:
        hook = self.webhook or {}
        return {"url": hook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self._pending)}

    def _m_close(self, params: dict[str, Any]) -> Any:
        return True

    def _m_logout(self, params: dict[str, Any]) -> Any:
        return True


def _check_markup(markup: Any) -> None:
    if markup in (None, ""):
        return
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in rows:
        for button in row:
            if not str(button.get("text", "")).strip():
                raise ApiError(400, "Bad Request: BUTTON_TEXT_EMPTY")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")


def parse_params(arguments: dict[str, list[bytes]]) -> dict[str, Any]:
    """Return request parameters as Telegram reads them (JSON-encoded unless a string field)."""
    params: dict[str, Any] = {}
    for name, values in arguments.items():
        raw = values[-1].decode()
        if name in STRING_PARAMS:
            params[name] = raw
            continue
        try:
            params[name] = json.loads(raw)
        except ValueError:
            params[name] = raw
    return params


class _Handler(tornado.web.RequestHandler):
    """Route /bot<token>/<method> to the fake API."""

    def initialize(self, api: FakeBotApi) -> None:  # tornado's hook, not __init__
        self.api = api
        self.closed = asyncio.Event()

    def on_connection_close(self) -> None:
        self.closed.set()
        self.api.notify()

    async def get(self, token: str, method: str) -> None:
        await self.post(token, method)

    async def post(self, token: str, method: str) -> None:
        status, body = await self.api.handle(token, method, self._params(), self.closed)
        if self.closed.is_set():
            return
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def _params(self) -> dict[str, Any]:
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith("application/json") and self.request.body:
            loaded = json.loads(self.request.body)
            return loaded if isinstance(loaded, dict) else {}
        args: dict[str, list[bytes]] = {}
        for source in (self.request.query_arguments, self.request.body_arguments):
            for key, values in source.items():
                args.setdefault(key, []).extend(values)
        return parse_params(args)


def buttons_of(call: Call) -> list[list[tuple[str, str]]]:
    """Return a call's inline keyboard as rows of (label, callback data)."""
    markup = call.params.get("reply_markup") or {}
    return [[(b["text"], b.get("callback_data", "")) for b in row]
            for row in markup.get("inline_keyboard", [])]


def iter_texts(calls: list[Call]) -> Iterator[str]:
    """Yield the text parameter of each call that has one."""
    for c in calls:
        if "text" in c.params:
            yield c.params["text"]


class FakeRequest(BaseRequest):
    """A python-telegram-bot transport that hands every call to a FakeBotApi in this process.

    Like httpx it fails with a connection error in an outage, and, given a timeout, gives up
    on a call (but getUpdates) that takes longer, while the fake goes on to carry it out.
    """

    def __init__(self, api: FakeBotApi, timeout: float | None = None) -> None:
        self.api = api
        self.timeout = timeout

    @property
    def read_timeout(self) -> float | None:
        """No network, no timeout."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = None, write_timeout: Any = None,
                         connect_timeout: Any = None, pool_timeout: Any = None,
                         ) -> tuple[int, bytes]:
        """Answer the call as the fake Bot API does over HTTP."""
        token, _, api_method = url.rpartition("/")
        token = token.rpartition("/bot")[2]
        raw = request_data.json_parameters if request_data else {}
        params = parse_params({k: [v.encode()] for k, v in raw.items()})
        if self.api.down:
            self.api.refused += 1
            self.api.notify()
            raise NetworkError("httpx.ConnectError: All connection attempts failed") from (
                httpx.ConnectError("All connection attempts failed"))
        closed = asyncio.Event()
        call = asyncio.ensure_future(self.api.handle(token, api_method, params, closed))
        timeout = None if api_method == "getUpdates" else self.timeout
        done, _ = await asyncio.wait({call}, timeout=timeout)
        if not done:
            closed.set()  # the client has gone; the server still carries the call out
            raise TimedOut("Timed out") from httpx.ReadTimeout("timed out")
        status, body = call.result()
        return status, json.dumps(body).encode()
