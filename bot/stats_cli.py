"""`japri stats [--days 7] [--json]`: how the bot is doing, per day and channel."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable
from typing import TextIO
from zoneinfo import ZoneInfo

from bot import stats
from bot.inbox_texts import texts_for
from bot.inbox_view import channel_label, reasons_shown
from bot.settings import load_settings

MAX_DAYS = 366


def add_parser(
    commands: argparse._SubParsersAction,  # type: ignore[type-arg]  # argparse's own type
    with_config: Callable[[argparse.ArgumentParser], argparse.ArgumentParser],
) -> None:
    """Register ``japri stats`` on the CLI's subcommands."""
    parser = with_config(commands.add_parser("stats", help="how the bot is doing, per day"))
    parser.add_argument("--days", type=int, default=7, help="days back, today included (7)")
    parser.add_argument("--json", action="store_true", help="the figures as one JSON object")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from bot.store import Store, with_store

    days = min(max(int(args.days), 1), MAX_DAYS)
    settings = load_settings(args.config)
    zone = ZoneInfo(settings.shop.timezone)

    async def read(store: Store) -> stats.Summary:  # beside a running bot
        return await stats.read(store, zone, time.time(), days)

    summary = asyncio.run(with_store(settings, read))
    if args.json:
        json.dump(summary.to_dict(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        write_table(summary, settings.shop.language, sys.stdout)
    return 0


COLUMNS = ("buyers", "messages", "answered", "asked_back", "not_understood", "small_talk")


def write_table(summary: stats.Summary, language: str, out: TextIO) -> None:
    """The summary as aligned plain text, in the shop's language."""
    t = texts_for(language)
    header = [t["day"], t["channel"], *(t[key] for key in COLUMNS), t["handed_off"]]
    header.append(f"{t['first_answer']} ({t['median']}/{t['p90']})")
    lines = [header]
    for b in (*summary.rows, summary.total):
        day = b.day.isoformat() if b.day else f"{len(summary.days)}d"
        channel = channel_label(b.channel, language) if b.channel else t["all_channels"]
        cells = [day, channel, *(str(getattr(b, key)) for key in COLUMNS)]
        cells.append(str(b.handed_off_total))
        first = stats.short_duration(b.first_answer_median)
        cells.append(f"{first} / {stats.short_duration(b.first_answer_p90)}")
        lines.append(cells)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        out.write("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
        out.write("\n")
    reasons = summary.total.handed_off
    if reasons:
        listed = ", ".join(f"{r} {n}" for r, n in reasons_shown(reasons, language))
        out.write(f"\n{t['handed_off']}: {listed}\n")
    if summary.top_not_understood:
        out.write(f"\n{t['top_not_understood']}:\n")
        for text, count in summary.top_not_understood:
            out.write(f"  {t['times'].format(n=count):>5}  {text}\n")
    if not summary.has_activity:
        out.write(f"\n{t['no_activity_store']}\n")
