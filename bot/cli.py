"""The `japri` command line: serve, faq check, faq try, chat, telegram set-webhook."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import socket
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.errors import ConfigError
from bot.settings import Settings, load_settings
from bot.suggest_cli import learned_warnings
from bot.suggest_cli import register as register_suggest
from faq.loader import FaqFormatError, LoadedFaq, check_faq, load_faq
from faq.model import Faq
from flows.messages import BuyerMessage, Forward, HandOff, Option, Say, SellerReleased
from flows.router import step
from flows.state import Conversation, Stage
from flows.trial import Trial, try_message

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return EXIT_USAGE
    try:
        code: int = args.run(args)
    except ConfigError as exc:
        print(f"japri: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        return EXIT_PROBLEMS
    except BrokenPipeError:
        # The reader stopped early (`japri contacts export | head`): that is not an error.
        _discard_stdout()
        return EXIT_OK
    return code


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so flushing it on exit raises no second BrokenPipeError."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (e.g. captured in tests)
        pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="japri", description="Japri, the shop chat assistant")
    commands = parser.add_subparsers(title="commands")

    def with_config(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--config", default="config.yaml", help="config file (./config.yaml)")
        return p

    faq = commands.add_parser("faq", help="check or try the FAQ")
    faq_commands = faq.add_subparsers(title="faq commands")
    check = with_config(faq_commands.add_parser("check", help="validate the FAQ YAML"))
    check.add_argument("file", nargs="?", help="FAQ file (default: faq.path from the config)")
    check.set_defaults(run=_faq_check)
    trial = with_config(
        faq_commands.add_parser("try", help="what the bot would do with a message")
    )
    trial.add_argument("text", nargs="?", help="a buyer's message")
    trial.add_argument("--json", action="store_true", help="one JSON object per message")
    trial.add_argument("--batch", metavar="FILE", help="one message per line ('-' = stdin)")
    trial.set_defaults(run=_faq_try)
    register_suggest(faq_commands, with_config)
    chat = with_config(commands.add_parser("chat", help="chat with the bot in the terminal"))
    chat.set_defaults(run=_chat)
    serve = with_config(commands.add_parser("serve", help="run the webhook gateway"))
    serve.add_argument("--host", help="address to listen on (server.host)")
    serve.add_argument("--port", type=int, help="port to listen on (server.port)")
    serve.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config key, e.g. --set telegram.max_per_second=0",
    )
    serve.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING ...")
    serve.set_defaults(run=_serve)
    telegram = commands.add_parser("telegram", help="Telegram set-up")
    telegram_commands = telegram.add_subparsers(title="telegram commands")
    hook = with_config(
        telegram_commands.add_parser(
            "set-webhook", help="register {server.public_url}/webhook/telegram with its secret"
        )
    )
    hook.set_defaults(run=_set_webhook)
    contacts = commands.add_parser("contacts", help="the contact book")
    contacts_commands = contacts.add_subparsers(title="contacts commands")
    export = with_config(contacts_commands.add_parser("export", help="every buyer, as CSV"))
    export.add_argument("--format", choices=["csv"], default="csv")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    export.set_defaults(run=_contacts_export)
    from bot import stats_cli

    stats_cli.add_parser(commands, with_config)
    from bot.orders_cli import register as register_orders

    register_orders(commands, with_config)
    return parser


def _contacts_export(args: argparse.Namespace) -> int:
    from bot.contacts import write_csv
    from bot.store import Store, with_store

    settings = load_settings(args.config)

    async def rows(store: Store) -> list[dict[str, object]]:
        return await store.contact_rows()

    contacts = asyncio.run(with_store(settings, rows))
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            write_csv(contacts, out)
        print(f"{len(contacts)} contacts written to {args.output}", file=sys.stderr)
    else:
        write_csv(contacts, sys.stdout)
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.app import CONFIG_ENV, LOG_LEVEL_ENV, OVERRIDES_ENV, create_app
    from bot.faqsource import FaqSource
    from bot.logs import configure
    from bot.security import check_settings

    settings = load_settings(args.config, overrides=args.set)
    check_settings(settings)  # e.g. a Telegram webhook without its secret: refuse, say why
    host = args.host or settings.server.host
    port = args.port or settings.server.port
    busy = port_problem(host, port)
    if busy:  # before anything else is said or opened
        print(f"japri serve: {busy}", file=sys.stderr)
        return EXIT_PROBLEMS
    configure(args.log_level.upper(), secrets=settings.secrets(), mask=settings.logs.mask)
    faq = FaqSource(settings.faq_path, settings.thresholds())
    if not faq.load():  # its errors are logged as file:line lines
        print(f"japri serve: fix {settings.faq_path} first", file=sys.stderr)
        return EXIT_PROBLEMS
    problem = asyncio.run(_store_problem(settings))
    if problem:
        print(f"japri serve: {problem}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(_started_line(settings, host, port), file=sys.stderr)
    workers = settings.worker_count()
    access_log = os.environ.get("JAPRI_ACCESS_LOG") == "1"
    options: dict[str, object] = {
        "host": host,
        "port": port,
        "log_level": "info" if access_log else "warning",
        "access_log": access_log,
        "log_config": None,  # uvicorn's lines go through our handler, secrets masked
        # X-Forwarded-For is believed only from server.trusted_proxies (bot.security),
        # never by uvicorn's default of trusting 127.0.0.1
        "proxy_headers": False,
        "timeout_graceful_shutdown": 5,
        "timeout_keep_alive": 75,  # platforms and proxies reuse connections; 5 s is too short
    }
    if workers == 1:
        uvicorn.run(create_app(settings, faq=faq), **options)  # type: ignore[arg-type]
        return EXIT_OK
    # Several processes share the SQLite store; each builds its app from the same config.
    os.environ[CONFIG_ENV] = str(Path(args.config).resolve())
    os.environ[OVERRIDES_ENV] = json.dumps(args.set)
    os.environ[LOG_LEVEL_ENV] = args.log_level.upper()
    from bot.workers import run_workers

    return run_workers(workers, host, port, options)


def port_problem(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on (checked before saying where to chat)."""
    import errno

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return f"cannot listen on {host}:{port}: {exc.strerror}"
    family, kind, proto, _, address = infos[0]
    try:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            probe.bind(address)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return (
                f"port {port} is in use (is Japri already running?); pick another with "
                f"--port {port + 1}, or PORT={port + 1} with make run"
            )
        if exc.errno == errno.EACCES:
            return f"port {port} needs administrator rights; pick one above 1023 with --port"
        return f"cannot listen on {host}:{port}: {exc.strerror}"
    return None


def _started_line(settings: Settings, host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - display only
    base = f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"
    line = f"Japri: chat with the bot at {base}/ · sellers' inbox at {base}/inbox"
    if not settings.telegram.token and not settings.whatsapp.access_token:
        line += " (no Telegram or WhatsApp token set: the web chat only)"
    return line


async def _store_problem(settings: Settings) -> str | None:
    """Why the configured store cannot be opened (and migrated), or None when it can."""
    from bot.errors import StoreError
    from bot.store import open_store

    store = open_store(settings.store.url, settings.base_dir)
    try:
        await store.open()
    except StoreError as exc:
        return str(exc)
    finally:
        await store.close()
    return None


def _set_webhook(args: argparse.Namespace) -> int:
    from bot.channels.telegram import TelegramChannel
    from bot.errors import ChannelError
    from bot.security import check_settings

    settings = load_settings(args.config)
    check_settings(settings)  # no webhook is registered without its secret
    tg = settings.telegram
    if not tg.token:
        print("japri: telegram.token is not set", file=sys.stderr)
        return EXIT_PROBLEMS
    if not settings.server.public_url:
        print("japri: set server.public_url (https://your.domain) first", file=sys.stderr)
        return EXIT_PROBLEMS
    url = settings.server.public_url.rstrip("/") + "/webhook/telegram"

    async def register() -> bool:
        channel = TelegramChannel(tg.token or "", tg.api_base_url)
        try:
            return await channel.set_webhook(url, tg.webhook_secret)
        finally:
            await channel.close()

    try:
        ok = asyncio.run(register())
    except ChannelError as exc:
        print(f"japri: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    secret = "with" if tg.webhook_secret else "WITHOUT (set telegram.webhook_secret!)"
    print(f"Telegram webhook {'set' if ok else 'NOT set'}: {url} {secret} a secret token")
    return EXIT_OK if ok else EXIT_PROBLEMS


def _faq_check(args: argparse.Namespace) -> int:
    if args.file:
        path = Path(args.file)
        thresholds = None
    else:
        settings = load_settings(args.config)
        path, thresholds = settings.faq_path, settings.thresholds()
    problems = check_faq(path, thresholds)
    for problem in problems:
        print(problem)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        print(f"{path}: {len(errors)} error(s); the bot keeps the last good FAQ", file=sys.stderr)
        return EXIT_PROBLEMS
    if not args.file:
        for line in learned_warnings(settings):  # questions buyers ask that fit two entries
            print(line)
    print(f"{path}: OK", file=sys.stderr)
    return EXIT_OK


def _load(settings: Settings) -> LoadedFaq | None:
    try:
        return load_faq(settings.faq_path, settings.thresholds())
    except FaqFormatError as exc:
        print(exc, file=sys.stderr)
        return None


def _faq_try(args: argparse.Namespace) -> int:
    if (args.text is None) == (args.batch is None):
        print("japri faq try: give a TEXT or --batch FILE", file=sys.stderr)
        return EXIT_USAGE
    if args.batch is not None and not args.json:
        print("japri faq try: --batch needs --json", file=sys.stderr)
        return EXIT_USAGE
    settings = load_settings(args.config)
    loaded = _load(settings)
    if loaded is None:
        return EXIT_PROBLEMS
    policy = settings.policy()
    now = datetime.now(tz=ZoneInfo(settings.shop.timezone))  # worded as the live bot would
    if args.batch is not None:
        try:
            source: TextIO = (
                sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")  # noqa: SIM115
            )
        except OSError as exc:
            print(f"japri faq try: cannot read {args.batch}: {exc.strerror}", file=sys.stderr)
            return EXIT_USAGE
        with source:
            for line in source:
                trial = try_message(line.rstrip("\r\n"), loaded.faq, policy, now)
                print(json.dumps(trial.to_dict(), ensure_ascii=False), flush=False)
        sys.stdout.flush()
        return EXIT_OK
    trial = try_message(args.text, loaded.faq, policy, now)
    print(json.dumps(trial.to_dict(), ensure_ascii=False) if args.json else _describe(trial))
    return EXIT_OK


def _describe(trial: Trial) -> str:
    what = trial.action
    if trial.faq_id:
        what += f" '{trial.faq_id}'"
    if trial.options:
        what += " between " + ", ".join(f"'{o}'" for o in trial.options)
    if trial.hedged:
        what += ", hedged"
    lines = [f"{what} (score {trial.score:.2f})"]
    if trial.why:
        lines.append("why: " + trial.why)
    if trial.signals:
        lines.append("signals: " + ", ".join(trial.signals))
    if trial.candidates:
        near = ", ".join(f"{c['id']} {c['score']:.2f}" for c in trial.candidates)
        lines.append("nearest: " + near)
    lines += ["", trial.reply]
    return "\n".join(lines)


class _ChatSession:
    """A terminal chat: the buyer types, the bot answers as it would on a channel."""

    def __init__(self, settings: Settings, out: TextIO) -> None:
        self.settings = settings
        # the person at the terminal plays the seller too (/done), so handoffs have a place
        self.policy = dataclasses.replace(settings.policy(), sellers=True)
        self.out = out
        self.conversation = Conversation()
        self.options: tuple[Option, ...] = ()
        self.faq: Faq | None = None
        self.mtime = 0.0

    def reload(self) -> None:
        """Pick up FAQ edits between messages, keeping the last good FAQ on errors."""
        path = self.settings.faq_path
        try:
            mtime = path.stat().st_mtime
        except OSError:
            mtime = 0.0
        if self.faq is not None and mtime == self.mtime:
            return
        self.mtime = mtime
        loaded = _load(self.settings)
        if loaded is not None:
            if self.faq is not None:
                self.say("system", f"FAQ reloaded ({len(loaded.faq)} entries)")
            self.faq = loaded.faq

    def say(self, who: str, text: str) -> None:
        prefix = {"bot": "🤖 ", "system": "   · ", "seller": "   → seller: "}[who]
        for line in text.splitlines() or [""]:
            self.out.write(f"{prefix}{line}\n")
            prefix = " " * len(prefix) if who == "bot" else prefix
        self.out.flush()

    def handle(self, line: str) -> bool:
        """One line typed by the buyer; False ends the chat."""
        text = line.strip()
        if text in ("/quit", "/exit"):
            return False
        if text == "/reset":
            self.conversation, self.options = Conversation(), ()
            self.say("system", "new chat")
            return True
        self.reload()
        if self.faq is None:
            self.say("system", "no usable FAQ: fix the errors above and type again")
            return True
        if text == "/done":
            event: BuyerMessage | SellerReleased = SellerReleased()
        elif text.isdigit() and 0 < int(text) <= len(self.options):
            event = BuyerMessage(choice=self.options[int(text) - 1].id)
        else:
            event = BuyerMessage(text)
        now = datetime.now(tz=ZoneInfo(self.settings.shop.timezone))  # shop hours are local
        self.conversation, actions = step(self.conversation, event, self.faq, self.policy, now)
        self.options = ()
        for action in actions:
            if isinstance(action, Say):
                self.say("bot", action.text)
                for number, option in enumerate(action.options, start=1):
                    self.say("bot", f"  [{number}] {option.title}")
                self.options = action.options or self.options
            elif isinstance(action, HandOff):
                self.say("seller", f"handed off ({action.reason}); type /done to give it back")
            elif isinstance(action, Forward):
                self.say("seller", f"forwarded to the seller: {action.message.text}")
        if isinstance(event, SellerReleased):
            self.say("system", "the seller gave the chat back to the bot")
        return True


def _chat(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    session = _ChatSession(settings, sys.stdout)
    session.reload()
    if session.faq is None:
        return EXIT_PROBLEMS
    interactive = sys.stdin.isatty()
    if interactive:
        session.say(
            "system",
            f"Chatting with {settings.shop.name}'s bot as a buyer. Type a "
            "message; a number picks an option; /done = the seller hands "
            "back; /reset = new chat; /quit.",
        )
    while True:
        if interactive:
            prompt = (
                "(seller) you> " if session.conversation.stage is Stage.HANDED_OFF else "you> "
            )
            sys.stdout.write(prompt)
            sys.stdout.flush()
        line = sys.stdin.readline()
        if not line or not session.handle(line):
            return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
