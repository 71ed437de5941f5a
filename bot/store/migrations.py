"""The schema's history: one ordered list of steps for SQLite and PostgreSQL alike.

Never edit a released step; add one. A step is SQL (``{serial}``, ``{real}`` filled in by
the dialect) or, where the engines differ, one text per dialect. The version lives in a
``schema_version`` table; databases from before it carry theirs elsewhere (``legacy``).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.store.dialect import Dialect

Step = str | Mapping[str, str]

MIGRATIONS: tuple[Step, ...] = (
    # 1: the first schema
    """
    CREATE TABLE contacts (
        chat_key TEXT PRIMARY KEY, channel TEXT NOT NULL, external_id TEXT NOT NULL,
        name TEXT, username TEXT, phone TEXT, language TEXT,
        first_seen {real} NOT NULL, last_seen {real} NOT NULL
    );
    CREATE TABLE conversations (
        chat_key TEXT PRIMARY KEY, state TEXT, updated_at {real},
        lease_owner TEXT, lease_until {real}
    );
    CREATE TABLE inbound (
        id {serial}, dedup_key TEXT NOT NULL UNIQUE,
        chat_key TEXT NOT NULL, payload TEXT NOT NULL, received_at {real} NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending', processed_at {real}, error TEXT
    );
    CREATE INDEX inbound_pending ON inbound (chat_key, id) WHERE status = 'pending';
    CREATE TABLE messages (
        id {serial}, chat_key TEXT NOT NULL,
        direction TEXT NOT NULL, kind TEXT NOT NULL, text TEXT, platform_id TEXT,
        outbox_id BIGINT, at {real} NOT NULL, status TEXT, status_at {real}, error TEXT
    );
    CREATE INDEX messages_chat ON messages (chat_key, id);
    CREATE INDEX messages_platform ON messages (platform_id) WHERE platform_id IS NOT NULL;
    CREATE INDEX messages_outbox ON messages (outbox_id) WHERE outbox_id IS NOT NULL;
    CREATE TABLE outbox (
        id {serial}, lane TEXT NOT NULL, payload TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
        not_before {real} NOT NULL DEFAULT 0, created_at {real} NOT NULL, sent_at {real},
        platform_id TEXT, error TEXT
    );
    CREATE INDEX outbox_pending ON outbox (lane, id) WHERE status = 'pending';
    CREATE TABLE seller_links (
        seller_chat TEXT NOT NULL, kind TEXT NOT NULL, ref TEXT NOT NULL,
        chat_key TEXT NOT NULL, PRIMARY KEY (seller_chat, kind, ref)
    );
    CREATE INDEX seller_links_chat ON seller_links (seller_chat, kind, chat_key)
    """,
    # 2: handoff records, the inbox's tags and notes
    """
    ALTER TABLE conversations ADD COLUMN stage TEXT;
    CREATE INDEX conversations_stage ON conversations (stage) WHERE stage = 'handed_off';
    ALTER TABLE contacts ADD COLUMN tags TEXT NOT NULL DEFAULT '';
    ALTER TABLE contacts ADD COLUMN notes TEXT NOT NULL DEFAULT '';
    CREATE TABLE handoffs (
        id {serial}, chat_key TEXT NOT NULL, reason TEXT NOT NULL,
        at {real} NOT NULL, seller TEXT, first_answer_at {real}, released_at {real},
        released_by TEXT
    );
    CREATE INDEX handoffs_open ON handoffs (chat_key) WHERE released_at IS NULL
    """,
    # 3: unread counts
    "ALTER TABLE contacts ADD COLUMN seen_at {real}",
    # 4: leases of their own, durable timers, outbox rows that carry their history line
    {
        "sqlite": """
    CREATE TABLE leases (key TEXT PRIMARY KEY, owner TEXT NOT NULL, until REAL NOT NULL);
    DELETE FROM conversations WHERE chat_key LIKE 'outbox:%' AND state IS NULL;
    CREATE TABLE timers (
        id INTEGER PRIMARY KEY AUTOINCREMENT, chat_key TEXT NOT NULL, kind TEXT NOT NULL,
        due_at REAL NOT NULL, data TEXT NOT NULL DEFAULT '{}', UNIQUE (chat_key, kind)
    );
    CREATE INDEX timers_due ON timers (due_at);
    ALTER TABLE outbox ADD COLUMN log_chat TEXT;
    ALTER TABLE outbox ADD COLUMN log_kind TEXT NOT NULL DEFAULT 'say';
    ALTER TABLE outbox ADD COLUMN log_text TEXT;
    UPDATE outbox SET log_chat = CASE WHEN json_extract(payload, '$.op')
        IN ('ack_callback', 'mark_read') THEN NULL
        ELSE COALESCE(json_extract(payload, '$.about'), lane) END,
        log_kind = COALESCE(NULLIF(json_extract(payload, '$.kind'), ''),
        json_extract(payload, '$.op'), 'say'),
        log_text = json_extract(payload, '$.text') WHERE status = 'pending'
    """,
        "postgresql": """
    CREATE TABLE leases (
        key TEXT PRIMARY KEY, owner TEXT NOT NULL, until DOUBLE PRECISION NOT NULL
    );
    DELETE FROM conversations WHERE chat_key LIKE 'outbox:%' AND state IS NULL;
    CREATE TABLE timers (
        id BIGSERIAL PRIMARY KEY, chat_key TEXT NOT NULL, kind TEXT NOT NULL,
        due_at DOUBLE PRECISION NOT NULL, data TEXT NOT NULL DEFAULT '{}',
        UNIQUE (chat_key, kind)
    );
    CREATE INDEX timers_due ON timers (due_at);
    ALTER TABLE outbox ADD COLUMN log_chat TEXT;
    ALTER TABLE outbox ADD COLUMN log_kind TEXT NOT NULL DEFAULT 'say';
    ALTER TABLE outbox ADD COLUMN log_text TEXT;
    UPDATE outbox SET log_chat = CASE WHEN payload::jsonb ->> 'op'
        IN ('ack_callback', 'mark_read') THEN NULL
        ELSE COALESCE(payload::jsonb ->> 'about', lane) END,
        log_kind = COALESCE(NULLIF(payload::jsonb ->> 'kind', ''), payload::jsonb ->> 'op', 'say'),
        log_text = payload::jsonb ->> 'text' WHERE status = 'pending'
    """,
    },
    # 5: seller links in the order they were made (the latest topic of a buyer wins)
    {
        "sqlite": """
    CREATE TABLE seller_links_new (
        id INTEGER PRIMARY KEY AUTOINCREMENT, seller_chat TEXT NOT NULL, kind TEXT NOT NULL,
        ref TEXT NOT NULL, chat_key TEXT NOT NULL, UNIQUE (seller_chat, kind, ref)
    );
    INSERT INTO seller_links_new (id, seller_chat, kind, ref, chat_key)
        SELECT rowid, seller_chat, kind, ref, chat_key FROM seller_links ORDER BY rowid;
    DROP TABLE seller_links;
    ALTER TABLE seller_links_new RENAME TO seller_links;
    CREATE INDEX seller_links_chat ON seller_links (seller_chat, kind, chat_key)
    """,
        # databases made before the schema_version table have the column already
        "postgresql": "ALTER TABLE seller_links ADD COLUMN IF NOT EXISTS id BIGSERIAL",
    },
    # 6: secrets made once, sellers' sessions, what the bot did about each message
    """
    CREATE TABLE secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY, seller TEXT NOT NULL, created_at {real} NOT NULL,
        expires_at {real} NOT NULL
    );
    ALTER TABLE messages ADD COLUMN action TEXT;
    CREATE INDEX messages_at ON messages (at) WHERE direction = 'in';
    CREATE INDEX outbox_done ON outbox (created_at) WHERE status <> 'pending';
    CREATE INDEX inbound_done ON inbound (received_at) WHERE status <> 'pending'
    """,
    # 7: lessons from the bot's misses (masked; buyer is an opaque hash), dismissed
    # suggestions (issue 12)
    """
    CREATE TABLE lessons (
        id {serial}, kind TEXT NOT NULL, at {real} NOT NULL, buyer TEXT,
        text TEXT NOT NULL, lesson TEXT NOT NULL
    );
    CREATE INDEX lessons_at ON lessons (at);
    CREATE TABLE dismissed_suggestions (
        id TEXT PRIMARY KEY, who TEXT NOT NULL, at {real} NOT NULL
    )
    """,
    # 8 (secwire): a lane's order by priority (seller chat: real-channel buyers before web
    # chat), and how many pieces of a long message went out already
    """
    ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN progress INTEGER NOT NULL DEFAULT 0;
    DROP INDEX outbox_pending;
    CREATE INDEX outbox_pending ON outbox (lane, priority, id) WHERE status = 'pending'
    """,
    # 9 (shopmsg): messages the shop starts: the buyer's reach, held rows, messages sent a month
    """
    ALTER TABLE contacts ADD COLUMN window_closed_at {real};
    ALTER TABLE contacts ADD COLUMN unreachable_at {real};
    CREATE INDEX outbox_held ON outbox (lane, id) WHERE status = 'held';
    CREATE TABLE sent_counts (
        month TEXT NOT NULL, channel TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (month, channel)
    )
    """,
    # 10: orders (bot/store/orders.py): the record as JSON (its history of changes
    # included) with the columns it is found by, numbers per month, shop-system posts seen
    """
    CREATE TABLE orders (
        number_key TEXT PRIMARY KEY, number TEXT NOT NULL, chat_key TEXT NOT NULL,
        external_id TEXT UNIQUE, phone_key TEXT, status TEXT NOT NULL,
        created_at {real} NOT NULL, data TEXT NOT NULL, history_len INTEGER NOT NULL
    );
    CREATE INDEX orders_chat ON orders (chat_key, created_at);
    CREATE INDEX orders_phone ON orders (phone_key) WHERE phone_key IS NOT NULL;
    CREATE INDEX orders_status ON orders (status, created_at);
    CREATE TABLE order_sequences (month TEXT PRIMARY KEY, last INTEGER NOT NULL);
    CREATE TABLE order_events (
        order_id TEXT NOT NULL, status TEXT NOT NULL, at {real} NOT NULL,
        PRIMARY KEY (order_id, status)
    )
    """,
    # 11 (perf): the turn (inbound event) that queued an outbox row: rows of one turn go
    # out strictly one after another, a later turn's row may start before the earlier
    # turn's last answer is back
    "ALTER TABLE outbox ADD COLUMN turn BIGINT",
    # 12: one-off upgrades done, by name (they lived as never-due rows in the timers table)
    """
    CREATE TABLE marks (name TEXT PRIMARY KEY, at {real} NOT NULL);
    INSERT INTO marks (name, at)
        SELECT kind, 0 FROM timers WHERE chat_key = 'japri:upgrade';
    DELETE FROM timers WHERE chat_key = 'japri:upgrade'
    """,
)

# Versions kept before the schema_version table, as steps of MIGRATIONS done
SQLITE_LEGACY = {n: n for n in range(5)}  # PRAGMA user_version: the same steps
POSTGRES_LEGACY = {1: 3, 2: 4}  # japri_schema.version: its first step was steps 1-3 here


def statements(step: Step, dialect: Dialect) -> list[str]:
    """One step's statements for ``dialect``."""
    text = step if isinstance(step, str) else step[dialect.name]
    if isinstance(step, str):
        text = text.format(**dialect.ddl)
    return [s.strip() for s in text.split(";") if s.strip()]
