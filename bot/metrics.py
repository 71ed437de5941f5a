"""Prometheus metrics for /metrics: messages, actions, handoffs, latency, outbox depth.

With several worker processes (``server.workers``) every worker writes its figures to
files in ``PROMETHEUS_MULTIPROC_DIR`` (``japri serve`` sets it up), and whichever worker
answers the scrape reports the sum over all of them.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

SHARED_DIR = "PROMETHEUS_MULTIPROC_DIR"

_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """One registry per app, so several apps (tests) never collide."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.messages_in = Counter(
            "japri_messages_in", "Inbound events accepted", ["channel", "kind"], registry=r
        )
        self.duplicates = Counter(
            "japri_duplicates", "Redelivered events skipped", ["channel"], registry=r
        )
        self.actions = Counter("japri_actions", "Engine decisions by type", ["action"], registry=r)
        self.turns = Counter(
            "japri_turns",
            "Buyer messages by the bot's action (handoffs: and their reason)",
            ["action", "reason"],
            registry=r,
        )
        self.handoffs = Counter(
            "japri_handoffs", "Chats handed to a seller", ["reason"], registry=r
        )
        self.messages_out = Counter(
            "japri_messages_out", "Platform calls that succeeded", ["channel", "op"], registry=r
        )
        self.send_failures = Counter(
            "japri_send_failures", "Platform calls given up", ["channel", "op"], registry=r
        )
        self.send_retries = Counter(
            "japri_send_retries", "Platform calls to retry", ["channel", "op"], registry=r
        )
        self.latency = Histogram(
            "japri_turn_seconds",
            "From webhook received to the turn's replies queued",
            buckets=_LATENCY,
            registry=r,
        )
        self.send_seconds = Histogram(
            "japri_send_seconds", "One platform call", ["channel"], buckets=_LATENCY, registry=r
        )
        self.first_answer = Histogram(
            "japri_seller_first_answer_seconds",
            "From a handoff to the first seller answer",
            buckets=(30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 12 * 3600),
            registry=r,
        )
        # read from the store / the file: every worker sees the same value
        self.outbox_depth = Gauge(
            "japri_outbox_depth",
            "Messages waiting to be sent",
            registry=r,
            multiprocess_mode="mostrecent",
        )
        self.faq_entries = Gauge(
            "japri_faq_entries", "Entries in the live FAQ", registry=r, multiprocess_mode="max"
        )

    def turn(self, action: str | None) -> None:
        """Count one buyer message by the bot's action: "answer", "clarify", "fallback",
        "small_talk", "handoff:<reason>", "forward" ... (``Turn.action``)."""
        name, _, reason = (action or "none").partition(":")
        self.turns.labels(name, reason).inc()

    def sent(self, channel: str, op: str, seconds: float) -> None:
        self.messages_out.labels(channel, op).inc()
        self.send_seconds.labels(channel).observe(seconds)

    def failed(self, channel: str, op: str) -> None:
        self.send_failures.labels(channel, op).inc()

    def retried(self, channel: str, op: str) -> None:
        self.send_retries.labels(channel, op).inc()

    def render(self) -> bytes:
        if os.environ.get(SHARED_DIR):  # several workers: all of them, added up
            every_worker = CollectorRegistry()
            MultiProcessCollector(every_worker)  # type: ignore[no-untyped-call]
            return generate_latest(every_worker)
        return generate_latest(self.registry)
