"""`japri orders export --format csv` and `japri orders import FILE.csv`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO, TypeVar
from zoneinfo import ZoneInfo

from bot.orders.csvio import export_csv, parse_import
from bot.orders.service import OrderService
from bot.orders.setup import order_store, service_settings
from bot.settings import load_settings
from bot.store import Store, with_store

EXIT_OK, EXIT_PROBLEMS = 0, 1


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    with_config: Callable[[argparse.ArgumentParser], argparse.ArgumentParser],
) -> None:
    """Add `japri orders export|import`."""
    orders = commands.add_parser("orders", help="orders: export and import as CSV")
    sub = orders.add_subparsers(title="orders commands")
    export = with_config(sub.add_parser("export", help="every order, as CSV (formula-safe)"))
    export.add_argument("--format", choices=["csv"], default="csv")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    export.set_defaults(run=run_export)
    load = with_config(sub.add_parser("import", help="create or update orders from a CSV"))
    load.add_argument("file", type=Path, help="CSV with a header row (as export writes it)")
    load.set_defaults(run=run_import)


T = TypeVar("T")


def run_export(args: argparse.Namespace, out: TextIO | None = None) -> int:
    settings = load_settings(args.config)

    async def collect(store: Store) -> str:
        return export_csv(await order_store(store).all())

    text = asyncio.run(with_store(settings, collect))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8", newline="")
        sys.stderr.write(f"orders written to {args.output}\n")
    else:
        (out or sys.stdout).write(text)
    return EXIT_OK


def run_import(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Buyers are not messaged about imported orders (it is history, not news)."""
    out = out or sys.stdout
    settings = load_settings(args.config)
    zone = ZoneInfo(settings.shop.timezone)
    rows, problems = parse_import(args.file.read_text(encoding="utf-8-sig"), zone)

    async def apply(store: Store) -> list[str]:
        orders = order_store(store)
        service = OrderService(orders, service_settings(settings))
        now = datetime.now(zone)
        done = []
        for row in rows:
            chat_key = row.chat_key
            if not chat_key and row.phone:
                known = await orders.by_phone(row.phone)
                chat_key = known[0].chat_key if known else f"phone:{row.phone}"
            applied = await service.import_row(row, chat_key, now)
            if applied.order is not None:
                done.append(applied.order.number)
        return done

    done = asyncio.run(with_store(settings, apply))
    for problem in problems:
        sys.stderr.write(f"{problem}\n")
    out.write(f"{len(done)} orders imported, {len(problems)} rows skipped\n")
    return EXIT_PROBLEMS if problems else EXIT_OK
