-- Keeps updated_at current on every UPDATE.
-- migrate:up
SET LOCAL lock_timeout = '5s';

CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TRIGGER users_set_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- migrate:down
SET LOCAL lock_timeout = '5s';
DROP TRIGGER users_set_updated_at ON users;
DROP FUNCTION set_updated_at();
