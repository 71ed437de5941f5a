"""The WhatsApp Cloud API's rate limits: which limit a Graph error code names, what it
means to the shop, how long Meta's documentation says to wait, and what the answer's
headers add to that."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.errors import RateLimited


@dataclass(frozen=True, slots=True)
class Limit:
    """One of the Cloud API's limits: what it means to the shop, and the waits Meta's
    documentation implies (seconds before the 2nd, 3rd … try; the last repeats)."""

    words: str
    waits: tuple[float, ...]
    tries: int | None = None  # give up after this many
    whole_channel: bool = True  # False: only this buyer's messages wait
    # what the sellers are told when a wait of a minute or more pauses the number's sends
    pause: str = "paused"


# The Cloud API's limits as Meta documents them on developers.facebook.com: WhatsApp
# "Error codes", Throttling (each answered HTTP 400); the Cloud API overview, "Throughput"
# and "Pair rate limits"; Graph API "Rate limits" (X-App-Usage, X-Business-Use-Case-Usage).
# None of them documents a Retry-After header: the code says which limit was hit, and only
# X-Business-Use-Case-Usage says for how long (estimated_time_to_regain_access, minutes).
LIMITS: dict[int, Limit] = {
    # 80 messages a second a number by default, "try again later": a second at first, and
    # as a failure that lasts (the outbox's backoff), up to 5 minutes
    130429: Limit(
        "the shop's number sends faster than WhatsApp allows (throughput limit)",
        (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0),
    ),
    # one buyer: 1 message every 6 s, bursts of up to 45 borrowed from later; Meta: "try
    # again 4^X seconds later, where X = 0, and increases by 1 after each failed attempt"
    131056: Limit(
        "too many messages to this buyer in a short time (only this buyer's messages wait)",
        (1.0, 4.0, 16.0, 64.0, 256.0),
        whole_channel=False,
    ),
    # "restrictions on how many messages can be sent from this phone number … too many
    # previous messages were blocked or flagged as spam": a quality restriction, hours
    # rather than seconds, with no time given; tried a few times over ~2 h, then given up
    131048: Limit(
        "the shop's number may send only a few messages for now, because buyers blocked "
        "or reported its messages as spam; check the number's quality rating in WhatsApp "
        "Manager",
        (600.0, 1800.0, 3600.0),
        tries=4,
        pause="paused_spam",
    ),
    # call limits over a rolling hour (the WhatsApp Business Account's, the Meta app's)
    80007: Limit(
        "the shop's WhatsApp Business Account has used up its API calls for now",
        (60.0, 300.0, 900.0),
        pause="paused_calls",
    ),
    4: Limit(
        "the shop's Meta app has used up its API calls for now",
        (60.0, 300.0, 900.0),
        pause="paused_calls",
    ),
}
# a 429 with none of those codes (a proxy, a new limit): as the throughput limit
TOO_MANY = Limit('WhatsApp answered "too many requests"', LIMITS[130429].waits)
MAX_WAIT = 3600.0  # the longest a header is taken at its word (a reply keeps a day)


def rate_limited(
    limit: Limit, status: int, detail: str, headers: Mapping[str, str]
) -> RateLimited:
    """``limit`` hit: its waits, or the time the answer's headers give (Retry-After in
    seconds; X-Business-Use-Case-Usage's ``estimated_time_to_regain_access`` in minutes),
    bounded to [1 s, an hour]."""
    said: float | None = None
    note = ""
    seconds = _number(_header(headers, "retry-after"))
    if seconds is not None and seconds > 0:
        said, note = seconds, f"; asked to wait {seconds:g} s"
    else:
        minutes = _regain_minutes(_header(headers, "x-business-use-case-usage"))
        if minutes is not None and minutes > 0:
            said, note = minutes * 60, f"; Meta expects access back in about {minutes:g} min"
    usage = _app_usage(_header(headers, "x-app-usage"))
    if usage is not None:
        note += f"; the app has used {usage:g} % of its hourly calls"
    wait = None if said is None else min(max(said, 1.0), MAX_WAIT)
    return RateLimited(
        f"WhatsApp: {limit.words} (HTTP {status}, error {detail}{note})",
        wait,
        waits=limit.waits,
        tries=limit.tries,
        whole_channel=limit.whole_channel,
        pause=limit.pause,
    )


def refused_later(limit: Limit, detail: str) -> RateLimited:
    """``limit`` reported after the send, in a ``failed`` status (Meta answers 200, then
    names the limit in the status webhook): no headers say how long, so its waits do."""
    return RateLimited(
        f"WhatsApp took the message, then refused it: {limit.words} (error {detail})",
        waits=limit.waits,
        tries=limit.tries,
        whole_channel=limit.whole_channel,
        pause=limit.pause,
    )


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by its lower-case ``name`` (aiohttp's and httpx's headers are
    case-insensitive already; a plain dict is not)."""
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return value


def _number(value: Any) -> float | None:
    """A finite, non-negative number, or None."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _json(value: str | None) -> Any:
    try:
        return None if value is None else json.loads(value)
    except (ValueError, RecursionError):  # nested past the parser's depth: garbled too
        return None


def _regain_minutes(value: str | None) -> float | None:
    """X-Business-Use-Case-Usage ``{"<business id>": [{"type": …, "call_count": %, …,
    "estimated_time_to_regain_access": minutes}]}``: the longest wait it names."""
    entries = [e for v in _dict(_json(value)).values() for e in _list(v) if isinstance(e, dict)]
    times = [_number(e.get("estimated_time_to_regain_access")) for e in entries]
    known = [t for t in times if t is not None]
    return max(known) if known else None


def _app_usage(value: str | None) -> float | None:
    """X-App-Usage ``{"call_count": %, "total_cputime": %, "total_time": %}``: the highest
    share of the app's hourly allowance used (it says no time)."""
    usage = _dict(_json(value))
    shares = [_number(usage.get(k)) for k in ("call_count", "total_cputime", "total_time")]
    known = [s for s in shares if s is not None]
    return max(known) if known else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
