"""Fakes of the Bot API and the Graph API as httpx transports that record every call."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx


@dataclass
class Call:
    method: str
    params: dict[str, Any]

    @property
    def chat(self) -> str:
        return str(self.params.get("chat_id") or self.params.get("to") or "")

    @property
    def text(self) -> str:
        p = self.params
        if "text" in p and isinstance(p["text"], str):
            return p["text"]
        if isinstance(p.get("text"), dict):
            return str(p["text"].get("body", ""))
        if isinstance(p.get("interactive"), dict):
            return str(p["interactive"].get("body", {}).get("text", ""))
        return ""


@dataclass
class Fault:
    method: str
    status: int
    body: dict[str, Any]
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)  # e.g. a 429's Retry-After


@dataclass
class FakePlatformBase:
    calls: list[Call] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)

    def fail(
        self,
        method: str,
        status: int,
        body: dict[str, Any],
        times: int = 1,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.faults.append(Fault(method, status, body, times, dict(headers or {})))

    def _fault(self, method: str) -> httpx.Response | None:
        for fault in self.faults:
            if fault.method == method and fault.times > 0:
                fault.times -= 1
                return httpx.Response(fault.status, json=fault.body, headers=fault.headers)
        return None

    def sent(self, method: str | None = None, chat: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if (method is None or c.method == method) and (chat is None or c.chat == chat)
        ]

    async def wait_for(
        self, predicate: Callable[[list[Call]], bool], timeout: float = 5.0
    ) -> list[Call]:
        """Poll until ``predicate(calls)`` holds (not a timing assertion: a generous cap)."""
        deadline = time.monotonic() + timeout
        while not predicate(self.calls):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; calls so far: {self.calls}")
            await asyncio.sleep(0.01)
        return self.calls


class FakeBotApi(FakePlatformBase):
    """Telegram's Bot API as python-telegram-bot talks to it (form-encoded JSON values)."""

    def __init__(self, token: str = "123:TEST") -> None:
        super().__init__()
        self.token = token
        self._ids = itertools.count(1000)
        self.topics = itertools.count(77)
        self.forum = True
        self.updates: list[dict[str, Any]] = []  # what getUpdates hands out (polling)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.startswith(f"/file/bot{self.token}/"):
            return httpx.Response(200, content=b"\xff\xd8 a seller's photo")
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return httpx.Response(401, json={"ok": False, "error_code": 401})
        method = path.removeprefix(prefix)
        params = _params(request)
        if method != "getMe":
            self.calls.append(Call(method, params))
        fault = self._fault(method)
        if fault is not None:
            return fault
        return httpx.Response(200, json={"ok": True, "result": self._result(method, params)})

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        bot = {"id": 1, "is_bot": True, "first_name": "Japri", "username": "japri_test_bot"}
        if method == "getMe":
            return bot
        if method == "getFile":
            return {"file_id": params["file_id"], "file_unique_id": "u", "file_path": "p/1.jpg"}
        if method in ("sendPhoto", "sendDocument", "sendVoice", "sendVideo"):
            return {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "supergroup"},
            }
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            return [u for u in self.updates if u["update_id"] >= offset]
        if method == "createForumTopic":
            if not self.forum:
                return None
            return {
                "message_thread_id": next(self.topics),
                "name": params["name"],
                "icon_color": 1,
            }
        if method in ("sendMessage", "forwardMessage"):
            message = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "from": bot,
                "text": params.get("text", ""),
            }
            if params.get("message_thread_id"):
                message["message_thread_id"] = int(params["message_thread_id"])
            return message
        if method == "copyMessage":
            return {"message_id": next(self._ids)}
        return True


class FakeGraphApi(FakePlatformBase):
    """The WhatsApp Cloud API's messages endpoint."""

    def __init__(self, token: str = "EAATEST", phone_number_id: str = "1055000000") -> None:
        super().__init__()
        self.token = token
        self.phone_number_id = phone_number_id
        self._ids = itertools.count(1)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return httpx.Response(401, json={"error": {"code": 190, "message": "bad token"}})
        path = request.url.path
        if request.method == "GET" and path.startswith("/files/"):
            return httpx.Response(200, content=b"\xff\xd8 a buyer's photo")
        if request.method == "GET":  # media metadata: where to fetch it
            media_id = path.rsplit("/", 1)[-1]
            url = f"http://graph.test/files/{media_id}"
            return httpx.Response(200, json={"url": url, "mime_type": "image/jpeg"})
        if path.endswith(f"/{self.phone_number_id}/media"):
            self.calls.append(Call("upload", {"size": len(request.content)}))
            return httpx.Response(200, json={"id": "uploaded-1"})
        if not request.url.path.endswith(f"/{self.phone_number_id}/messages"):
            return httpx.Response(400, json={"error": {"code": 100, "message": "bad number"}})
        body = json.loads(request.content)
        method = "mark_read" if body.get("status") == "read" else "messages"
        self.calls.append(Call(method, body))
        fault = self._fault(method)
        if fault is not None:
            return fault
        refused = self._window_or_template(body) if method == "messages" else None
        if refused is not None:
            self.calls[-1].params["refused"] = refused.status_code
            return refused
        if method == "mark_read":
            return httpx.Response(200, json={"success": True})
        wamid = f"wamid.OUT{next(self._ids)}"
        return httpx.Response(
            200,
            json={
                "messaging_product": "whatsapp",
                "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                "messages": [{"id": wamid}],
            },
        )

    def _window_or_template(self, body: dict[str, Any]) -> httpx.Response | None:
        return None  # no window here (WindowedGraphApi has one)


class WindowedGraphApi(FakeGraphApi):
    """The Graph API with WhatsApp's customer-service window and message templates, as
    the harness's fake platform has them: a buyer's message (``inbound``) opens their
    window for ``window_s`` seconds of ``clock``; a free-form message outside it is a 400
    with Graph error 131047; a template passes only when approved (else 132001), with
    text parameters that are non-empty (131008) and one line (132018), and as many body
    parameters as approved (132000)."""

    def __init__(self, *args: Any, window_s: float = 3.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.window_s = window_s
        self.now = time.time()  # the fake's own clock: tests move it
        self.opened: dict[str, float] = {}
        self.approved: dict[tuple[str, str], int | None] = {}

    def inbound(self, wa_id: str) -> None:
        """The buyer wrote: their window opens now."""
        self.opened[wa_id] = self.now

    def approve(self, name: str, language: str = "id", body_params: int | None = None) -> None:
        self.approved[(name, language)] = body_params

    def templates_sent(self, to: str | None = None) -> list[Call]:
        return [
            c
            for c in self.sent("messages", to)
            if c.params.get("type") == "template" and "refused" not in c.params
        ]

    def delivered(self, to: str | None = None) -> list[Call]:
        """What reached the buyer: messages the platform accepted."""
        return [c for c in self.sent("messages", to) if "refused" not in c.params]

    def _window_or_template(self, body: dict[str, Any]) -> httpx.Response | None:
        if body.get("type") == "template":
            return self._template(body["template"])
        opened = self.opened.get(str(body.get("to")))
        if opened is not None and self.now - opened < self.window_s:
            return None
        return _graph_error(131047, "Re-engagement message")

    def _template(self, template: dict[str, Any]) -> httpx.Response | None:
        key = (template.get("name"), template.get("language", {}).get("code"))
        if key not in self.approved:
            return _graph_error(132001, "Template name does not exist in the translation")
        params = [
            p
            for c in template.get("components", [])
            if c.get("type") == "body"
            for p in c.get("parameters", [])
        ]
        for param in params:
            text = param.get("text")
            if not isinstance(text, str) or not text:
                return _graph_error(131008, "Required parameter is missing")
            if "\n" in text or "\t" in text or "     " in text:
                return _graph_error(132018, "Issue with parameters in the template")
        wanted = self.approved[key]  # type: ignore[index]
        if wanted is not None and wanted != len(params):
            return _graph_error(132000, "Number of parameters does not match")
        return None


def _graph_error(code: int, message: str) -> httpx.Response:
    error = {"message": f"(#{code}) {message}", "type": "OAuthException", "code": code}
    return httpx.Response(400, json={"error": error})


def _params(request: httpx.Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("multipart/"):
        fields = re.findall(rb'name="([^"]+)"\r\n\r\n(.*?)\r\n', request.content, re.S)
        return {k.decode(): v.decode(errors="replace") for k, v in fields}
    content = request.content.decode() if request.content else ""
    if request.headers.get("content-type", "").startswith("application/json"):
        return dict(json.loads(content or "{}"))
    params: dict[str, Any] = {}
    for key, value in parse_qsl(content):
        try:
            params[key] = json.loads(value) if value[:1] in "[{" else value
        except ValueError:
            params[key] = value
    return params
