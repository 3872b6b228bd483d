-- Thread pages list messages newest first. Built CONCURRENTLY so writers are never blocked,
-- which cannot run inside a transaction: this revision opts out.
-- migrate:up transaction:false
SET lock_timeout = '5s';
CREATE INDEX CONCURRENTLY IF NOT EXISTS chat_messages_thread_created_idx
    ON chat_messages (thread_id, created_at DESC);

-- migrate:down transaction:false
SET lock_timeout = '5s';
DROP INDEX CONCURRENTLY IF EXISTS chat_messages_thread_created_idx;
