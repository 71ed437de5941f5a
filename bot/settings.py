"""config.yaml (with ${ENV_VAR} values) read once into frozen, validated settings."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.errors import ConfigError
from faq.matcher import Thresholds
from flows.order_form import DEFAULT_FIELDS, FormField, form_text
from flows.order_model import OrderSettings
from flows.order_texts import ORDER_TEXT_KEYS, OrderTexts
from flows.policy import Policy
from flows.texts import TEXT_KEYS, Texts

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")
Language = Literal["id", "ms", "en"]
_DEFAULT = Thresholds()


POOL_SIZE = 100  # connections per platform: a far-away API needs many sends in flight
# (at 80 ms a call, 64 capped a fast machine at ~670 replies/s; aiohttp's own default is 100)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ShopSettings(_Section):
    name: str = Field(default="Toko Contoh", min_length=1)
    language: Language = "id"
    timezone: str = "Asia/Jakarta"
    hours: str | None = None  # "08:00-21:00"
    contact: str = ""  # how buyers reach the shop when no seller can take a chat here

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Jakarta)") from None
        return value

    @field_validator("hours")
    @classmethod
    def _hours_range(cls, value: str | None) -> str | None:
        if value is not None and not _HOURS.match(value.replace(" ", "")):
            raise ValueError(f"must look like 08:00-21:00, got {value!r}")
        return value.replace(" ", "") if value else value


class FaqSettings(_Section):
    path: str = "faq/faq.yaml"


class MatchingSettings(_Section):
    answer: float = Field(default=_DEFAULT.answer, ge=0, le=1)
    answer_rich: float = Field(default=_DEFAULT.answer_rich, ge=0, le=1)
    margin: float = Field(default=_DEFAULT.margin, ge=0, le=1)
    margin_rich: float = Field(default=_DEFAULT.margin_rich, ge=0, le=1)
    lone_word: float = Field(default=_DEFAULT.lone_word, ge=0, le=1)
    clarify: float = Field(default=_DEFAULT.clarify, ge=0, le=1)
    band: float = Field(default=_DEFAULT.band, ge=0, le=1)


class StoreSettings(_Section):
    url: str = "sqlite:///japri.db"


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str | None = None
    workers: int = Field(default=1, ge=1, le=64)  # processes sharing one (file) store
    openapi: bool = False  # /openapi.json lists every route: off unless asked for
    # Reverse proxies (IPs or networks) whose X-Forwarded-For names the client; none by
    # default, so a client cannot pick its own address to dodge the login limit.
    trusted_proxies: tuple[str, ...] = ()

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [v for v in value.replace(",", " ").split() if v]
        for entry in value or ():
            try:
                ipaddress.ip_network(str(entry).strip(), strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or network") from None
        return tuple(str(v).strip() for v in value or ())


class TelegramSettings(_Section):
    token: str | None = None
    webhook_secret: str | None = None
    api_base_url: str = "https://api.telegram.org/bot"
    mode: Literal["webhook", "polling"] = "webhook"
    # Pacing. A 429's retry_after is always honoured. Overall, 0 = no cap of our own until
    # Telegram refuses one, then its ~30/s for a minute (bot/ratelimit.py): replies to buyers
    # need no cap, bulk notifications do. One chat is paced at ~1 message a second with
    # short bursts, the seller group at 20 a minute, as the Bot FAQ asks.
    max_per_second: float = Field(default=0, ge=0)
    max_per_second_per_chat: float = Field(default=1, ge=0)
    max_per_minute_per_group: float = Field(default=20, ge=0)  # the seller group
    # Connections to the Bot API, and as many sends in flight at once. Each reply holds one
    # for a round trip: at 80 ms away, 8 connections capped Japri at ~93 replies/s
    # (bench/README.md, "Gateway load"); idle connections cost nothing.
    pool_size: int = Field(default=POOL_SIZE, ge=1, le=1000)


class TemplateSettings(_Section):
    """An approved WhatsApp message template (WhatsApp Manager): its name and language."""

    name: str = Field(min_length=1)
    language: str = Field(default="id", min_length=2)  # the template's language code
    body_params: int | None = Field(default=None, ge=0)  # as approved: pad or cut to this


class OrdersSettings(_Section):
    ship_days: float = Field(default=1, ge=0)  # promised: shipped within, in working days
    webhook_secret: str | None = None  # POST /webhook/orders is on when set
    prefix: str = Field(default="JP", pattern=r"^[A-Z]{1,6}$")  # order numbers: JP-2412-0007
    work_days: list[int] = Field(default_factory=lambda: [1, 2, 3, 4, 5, 6])  # 1 = Monday
    holidays: list[date] = Field(default_factory=list)
    form_fields: list[FormField] = Field(default_factory=lambda: list(DEFAULT_FIELDS))
    form_labels: dict[str, str] = Field(default_factory=dict)  # a field -> the shop's label
    form: bool = True  # the closing handoff reply carries the order form


class AfterSaleSettings(_Section):
    feedback_after_hours: float = Field(default=48, ge=0)  # 0 = never ask
    delay_grace_days: float = Field(default=1, ge=0)
    delivery_days: float = Field(default=3, gt=0)  # estimate when no provider gives one


class TrackingSettings(_Section):
    provider: Literal["manual", "biteship"] = "manual"
    api_key: str | None = None  # biteship
    links: dict[str, str] = Field(default_factory=dict)  # courier -> link with {number}
    poll_every_hours: float = Field(default=4, gt=0)
    poll_give_up_days: float = Field(default=14, gt=0)


class WhatsAppSettings(_Section):
    access_token: str | None = None
    phone_number_id: str | None = None
    app_secret: str | None = None
    verify_token: str | None = None
    api_base_url: str = "https://graph.facebook.com/v21.0"
    # 0 = as fast as the Cloud API accepts; after its 130429 throughput error, 80/s a minute
    max_per_second: float = Field(default=0, ge=0)
    pool_size: int = Field(default=POOL_SIZE, ge=1, le=1000)  # as telegram.pool_size
    # Messages the shop starts (order news) outside the buyer's 24-hour window go as these
    # approved utility templates, by use ("order_update"); without one they are held until
    # the buyer writes again.
    templates: dict[str, TemplateSettings] = Field(default_factory=dict)
    # Messages a month WhatsApp includes in the plan (or the budget): the seller is warned
    # once a month at 80 %. 0 = no warning.
    monthly_allowance: int = Field(default=0, ge=0)

    @field_validator("phone_number_id", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


class SellerSettings(_Section):
    telegram_chat_id: int | None = None


class InboxSettings(_Section):
    password: str | None = None


class WebchatSettings(_Section):
    """The built-in web chat: anyone can open it, so it is limited per session and per
    client address (see bot/abuse.py)."""

    enabled: bool = True
    messages_per_minute: int = Field(default=12, ge=1)  # one session
    address_messages_per_minute: int = Field(default=30, ge=1)  # all sessions of an address
    sessions_per_hour: int = Field(default=10, ge=1)  # new sessions of one address
    handoffs_per_hour: int = Field(default=3, ge=1)  # web buyers of one address to sellers
    # New web chats from all addresses together: half the seller group's 20 posts a minute,
    # so even a botnet's handoff notices cannot build a queue there
    sessions_per_minute_total: int = Field(default=10, ge=1)
    name_chars: int = Field(default=60, ge=1, le=200)
    text_chars: int = Field(default=1000, ge=1, le=4000)


class RetentionSettings(_Section):
    # Transcripts, finished queue rows and web-chat sessions older than this are deleted
    # (contacts of Telegram/WhatsApp buyers and orders are kept); 0 keeps everything.
    days: float = Field(default=90, ge=0)

    @field_validator("days")
    @classmethod
    def _whole_days(cls, value: float) -> float:
        # handoffs and queued replies live for hours, and the purge forgets processed
        # messages' ids: keep them longer than the platforms redeliver (a day or two)
        if 0 < value < 3:
            raise ValueError("must be 0 (keep everything) or at least 3 days")
        return value


class LogSettings(_Section):
    mask: bool = True  # phone numbers and web-chat session ids shortened in log lines


class HandoffSettings(_Section):
    sla_minutes: float = Field(default=5, gt=0)
    idle_hours: float = Field(default=12, gt=0)


class Settings(_Section):
    """Everything config.yaml can say; see ../shared/CONTRACT.md and the README."""

    shop: ShopSettings = ShopSettings()
    faq: FaqSettings = FaqSettings()
    matching: MatchingSettings = MatchingSettings()
    store: StoreSettings = StoreSettings()
    server: ServerSettings = ServerSettings()
    telegram: TelegramSettings = TelegramSettings()
    whatsapp: WhatsAppSettings = WhatsAppSettings()
    seller: SellerSettings = SellerSettings()
    inbox: InboxSettings = InboxSettings()
    handoff: HandoffSettings = HandoffSettings()
    webchat: WebchatSettings = WebchatSettings()
    retention: RetentionSettings = RetentionSettings()
    logs: LogSettings = LogSettings()
    orders: OrdersSettings = OrdersSettings()
    after_sale: AfterSaleSettings = AfterSaleSettings()
    tracking: TrackingSettings = TrackingSettings()
    texts: dict[str, dict[str, str]] = Field(default_factory=dict)
    base_dir: Path = Path()

    @field_validator("texts")
    @classmethod
    def _known_texts(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for lang, texts in value.items():
            if lang not in ("id", "ms", "en"):
                raise ValueError(f"language {lang!r} is not one of id, ms, en")
            for key in texts:
                if key not in TEXT_KEYS and key not in ORDER_TEXT_KEYS:
                    raise ValueError(
                        f"{lang}.{key} is not a text the bot says; "
                        f"known: {', '.join(sorted(TEXT_KEYS))}"
                    )
        return value

    @property
    def faq_path(self) -> Path:
        path = Path(self.faq.path)
        return path if path.is_absolute() else self.base_dir / path

    def policy(self) -> Policy:
        hours = None
        if self.shop.hours:
            opens, closes = self.shop.hours.split("-")
            hours = (opens, closes)
        return Policy(
            shop_name=self.shop.name,
            language=self.shop.language,
            texts=Texts(self.texts),
            sla_minutes=self.handoff.sla_minutes,
            idle_hours=self.handoff.idle_hours,
            hours=hours,
            sellers=self.has_sellers(),
            contact=self.shop.contact,
            orders=OrderSettings(
                feedback_after_hours=self.after_sale.feedback_after_hours,
                delay_grace_days=self.after_sale.delay_grace_days,
                delivery_days=self.after_sale.delivery_days,
                seller_language=self.shop.language,
                texts=OrderTexts(self.texts),
            ),
            order_form=self._order_form() if self.orders.form else None,
        )

    def _order_form(self) -> Callable[[str], str]:
        fields = tuple(self.orders.form_fields)
        labels = dict(self.orders.form_labels)
        return lambda lang: form_text(lang, fields, labels=labels or None)

    def has_sellers(self) -> bool:
        """Whether a handed-off chat can reach a person: a Telegram seller chat (with the
        bot's token) or the web inbox (with its password)."""
        seller_chat = self.seller.telegram_chat_id is not None and bool(self.telegram.token)
        return seller_chat or bool(self.inbox.password)

    def secrets(self) -> tuple[str | None, ...]:
        """Values that must never appear in a log line."""
        return (
            self.telegram.token,
            self.telegram.webhook_secret,
            self.whatsapp.access_token,
            self.whatsapp.app_secret,
            self.whatsapp.verify_token,
            self.inbox.password,
            urlsplit(self.store.url).password,  # postgresql://user:password@host/db
        )

    def worker_count(self) -> int:
        """How many processes ``japri serve`` runs (``server.workers``); Telegram polling
        and an in-memory store need exactly one."""
        if self.telegram.token and self.telegram.mode == "polling":
            return 1  # one process fetches the updates
        if ":memory:" in self.store.url:
            return 1
        return self.server.workers

    def thresholds(self) -> Thresholds:
        m = self.matching
        return Thresholds(
            answer=m.answer,
            answer_rich=m.answer_rich,
            margin=m.margin,
            margin_rich=m.margin_rich,
            lone_word=m.lone_word,
            clarify=m.clarify,
            band=m.band,
        )


def load_settings(
    path: str | Path,
    environ: Mapping[str, str] | None = None,
    overrides: list[str] | None = None,
) -> Settings:
    """Read config.yaml; ``${VAR}`` (or ``${VAR:-default}``) values come from ``environ``;
    ``overrides`` are ``section.key=value`` strings (value read as YAML) applied on top.

    Raises:
        ConfigError: naming the file and the offending key.
    """
    path = Path(path)
    env = os.environ if environ is None else environ
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read the config file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), "the config file is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict):
        raise ConfigError(str(path), "the config must be a mapping of sections (shop:, faq:, ...)")
    data = _expand(raw, env)
    for item in overrides or ():
        _override(data, item, path)
    data["base_dir"] = path.resolve().parent
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = "unknown key"
        raise ConfigError(f"{path}: {key}", message) from None


def _override(data: dict[str, Any], item: str, path: Path) -> None:
    key, sep, text = item.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set {item}", "write it as section.key=value")
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        value = text
    *parents, last = key.strip().split(".")
    node = data
    for part in parents:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"{path}: {key}", f"{part} is not a section")
        node = child
    node[last] = value


def _expand(value: Any, env: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {str(k): _expand(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, env) for v in value]
    if isinstance(value, str) and "${" in value:
        whole = _ENV.fullmatch(value.strip())
        if whole:  # an unset variable switches the feature off
            return env.get(whole.group(1)) or whole.group(2) or None
        return _ENV.sub(lambda m: env.get(m.group(1)) or m.group(2) or "", value)
    return value
