"""SQLAlchemy model of the chat backend that mirrors migrations/ at head.

CI checks `stairway drift --model` of this model's DDL against the migrations, so a change to
either side without the other is caught. Uses only Debian's python3-sqlalchemy (1.4).
"""
from sqlalchemy import (DDL, BigInteger, Column, Enum, ForeignKey, Identity, Index, LargeBinary,
                        MetaData, Table, Text, UniqueConstraint, event, func, text)
from sqlalchemy.dialects.postgresql import JSONB, TIMESTAMP, UUID

metadata = MetaData()


def timestamptz(name, **kw):
    return Column(name, TIMESTAMP(timezone=True), **kw)


def identity_pk():
    return Column("id", BigInteger, Identity(always=False), primary_key=True)


users = Table(
    "users", metadata,
    identity_pk(),
    Column("email", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    timestamptz("created_at", nullable=False, server_default=func.now()),
    timestamptz("updated_at", nullable=False, server_default=func.now()),
    Column("display_name", Text),
    Column("bio", Text),
    Column("avatar_url", Text),
    Column("phone", Text),
    Column("timezone", Text, nullable=False, server_default=text("'UTC'")),
    Column("preferences", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    UniqueConstraint("email", name="users_email_key"),
    comment="One row per account.",
)

chat_threads = Table(
    "chat_threads", metadata,
    identity_pk(),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("title", Text, nullable=False, server_default=text("''")),
    timestamptz("created_at", nullable=False, server_default=func.now()),
    timestamptz("updated_at", nullable=False, server_default=func.now()),
    Index("chat_threads_user_id_idx", "user_id"),
)

message_role = Enum("system", "user", "assistant", name="message_role")

chat_messages = Table(
    "chat_messages", metadata,
    identity_pk(),
    Column("thread_id", BigInteger, ForeignKey("chat_threads.id", ondelete="CASCADE"),
           nullable=False),
    Column("role", message_role, nullable=False),
    Column("content", Text, nullable=False),
    timestamptz("created_at", nullable=False, server_default=func.now()),
    Index("chat_messages_thread_id_idx", "thread_id"),
)
Index("chat_messages_thread_created_idx", chat_messages.c.thread_id,
      chat_messages.c.created_at.desc())

sessions = Table(
    "sessions", metadata,
    Column("id", UUID, primary_key=True, server_default=func.gen_random_uuid()),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", LargeBinary, nullable=False),
    Column("user_agent", Text),
    timestamptz("expires_at", nullable=False),
    timestamptz("created_at", nullable=False, server_default=func.now()),
    UniqueConstraint("token_hash", name="sessions_token_hash_key"),
    Index("sessions_user_id_idx", "user_id"),
)

messages = Table(
    "messages", metadata,
    identity_pk(),
    Column("sender_id", BigInteger, ForeignKey("users.id", ondelete="SET NULL")),
    Column("recipient_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"),
           nullable=False),
    Column("body", Text, nullable=False),
    timestamptz("sent_at", nullable=False, server_default=func.now()),
    timestamptz("read_at"),
    Index("messages_sender_id_idx", "sender_id"),
    Index("messages_recipient_id_idx", "recipient_id"),
)

# What the ORM cannot express is attached as DDL, so the model's DDL is the whole schema.
event.listen(users, "before_create", DDL("""
CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$"""))
for table in (users, chat_threads):
    event.listen(table, "after_create", DDL(
        f"CREATE TRIGGER {table.name}_set_updated_at BEFORE UPDATE ON {table.name} "
        "FOR EACH ROW EXECUTE FUNCTION set_updated_at()"))
