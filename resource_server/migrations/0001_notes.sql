-- The sample resource server's own data, in its own schema (sample_rs): the resource server
-- creates the schema and points search_path at it before running these files with Keyward's
-- migration runner, so its schema_migrations table is its own too and it never touches
-- Keyward's tables, even when both share one database.

-- A note each user keeps about themselves, keyed by the access token's sub.
CREATE TABLE notes (
  sub        text PRIMARY KEY CHECK (length(sub) BETWEEN 1 AND 255),
  note       text NOT NULL CHECK (length(note) <= 1000),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One shared message everybody may read (api:read) and only api:write may change.
CREATE TABLE board (
  id         integer PRIMARY KEY CHECK (id = 1),
  message    text NOT NULL CHECK (length(message) <= 1000),
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO board (id, message, updated_by) VALUES (1, 'Welcome to the sample resource server.', 'seed');
