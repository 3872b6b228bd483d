-- Profile fields shown in the client. Defaults are constants: no table rewrite (PG 11+).
-- migrate:up
SET LOCAL lock_timeout = '5s';

ALTER TABLE users
    ADD COLUMN display_name text,
    ADD COLUMN bio text,
    ADD COLUMN avatar_url text,
    ADD COLUMN phone text,
    ADD COLUMN timezone text NOT NULL DEFAULT 'UTC',
    ADD COLUMN preferences jsonb NOT NULL DEFAULT '{}'::jsonb;

-- migrate:down
SET LOCAL lock_timeout = '5s';

ALTER TABLE users
    DROP COLUMN preferences,
    DROP COLUMN timezone,
    DROP COLUMN phone,
    DROP COLUMN avatar_url,
    DROP COLUMN bio,
    DROP COLUMN display_name;
