"""A long message as the pieces its platform takes one at a time, so the outbox can send
them one by one and record each: a retry resumes at the piece that failed."""

from __future__ import annotations

from dataclasses import replace

from bot.channels import whatsapp
from bot.channels.base import split_text
from bot.commands import Command, Say, SellerNote

# The longest text one platform message holds (characters); web chat: no limit.
PIECE_CHARS = {"telegram": 4096, "whatsapp": 4096}


def pieces(channel: str, command: Command) -> list[Command]:
    """``command`` as the messages it becomes on ``channel``: a long text is split at line
    or word ends; buttons go under the last piece, the reply mark on the first. A WhatsApp
    reply is cut by its channel (``whatsapp.say_pieces``: buttons there hold less text)."""
    if channel == whatsapp.NAME and isinstance(command, Say):
        return list(whatsapp.say_pieces(command))  # buttons there hold 1,024 characters
    limit = PIECE_CHARS.get(channel)
    if limit is None or not isinstance(command, Say | SellerNote) or len(command.text) <= limit:
        return [command]
    if isinstance(command, Say) and command.template is not None:
        return [command]  # a template message: the platform fills it in, one message
    texts = split_text(command.text, limit)
    if len(texts) == 1:
        return [replace(command, text=texts[0])]
    parts: list[Command] = []
    for number, text in enumerate(texts):
        last = number == len(texts) - 1
        if isinstance(command, Say):
            parts.append(
                replace(
                    command,
                    text=text,
                    options=command.options if last else (),
                    reply_to=command.reply_to if number == 0 else None,
                )
            )
        else:
            parts.append(replace(command, text=text, options=command.options if last else ()))
    return parts
