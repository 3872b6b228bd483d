"""SQLAlchemy models of the chat backend: what the Alembic revisions build, at head.

Uses the classic declarative API so it loads with SQLAlchemy 1.4 and 2.0 alike.
"""
import enum

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def _now():
    return sa.Column(sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


class MessageRole(str, enum.Enum):
    system = "system"
    user = "user"
    assistant = "assistant"


class User(Base):
    __tablename__ = "users"

    id = sa.Column(sa.BigInteger, sa.Identity(always=False), primary_key=True)
    email = sa.Column(sa.Text, nullable=False, unique=True)
    password_hash = sa.Column(sa.Text, nullable=False)
    created_at = _now()
    updated_at = _now()
    display_name = sa.Column(sa.Text, nullable=False)
    bio = sa.Column(sa.Text)
    timezone = sa.Column(sa.Text, nullable=False, server_default=sa.text("'UTC'"))

    threads = relationship("ChatThread", back_populates="user", passive_deletes=True)
    sessions = relationship("Session", back_populates="user", passive_deletes=True)


class ChatThread(Base):
    __tablename__ = "chat_threads"

    id = sa.Column(sa.BigInteger, sa.Identity(always=False), primary_key=True)
    user_id = sa.Column(sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    title = sa.Column(sa.Text, nullable=False, server_default=sa.text("''"))
    created_at = _now()
    updated_at = _now()

    user = relationship("User", back_populates="threads")
    messages = relationship("ChatMessage", back_populates="thread", passive_deletes=True)


class ChatMessage(Base):
    __tablename__ = "chat_messages"
    __table_args__ = (
        sa.Index("ix_chat_messages_thread_id_created_at", "thread_id", "created_at"),
    )

    id = sa.Column(sa.BigInteger, sa.Identity(always=False), primary_key=True)
    thread_id = sa.Column(sa.BigInteger, sa.ForeignKey("chat_threads.id", ondelete="CASCADE"),
                          nullable=False, index=True)
    role = sa.Column(sa.Enum(MessageRole, name="message_role"), nullable=False)
    content = sa.Column(sa.Text, nullable=False)
    created_at = _now()

    thread = relationship("ChatThread", back_populates="messages")


class Session(Base):
    __tablename__ = "sessions"

    id = sa.Column(postgresql.UUID(as_uuid=True), primary_key=True,
                   server_default=sa.text("gen_random_uuid()"))
    user_id = sa.Column(sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"),
                        nullable=False, index=True)
    token_hash = sa.Column(sa.LargeBinary, nullable=False, unique=True)
    user_agent = sa.Column(sa.Text)
    expires_at = sa.Column(sa.DateTime(timezone=True), nullable=False)
    created_at = _now()

    user = relationship("User", back_populates="sessions")
