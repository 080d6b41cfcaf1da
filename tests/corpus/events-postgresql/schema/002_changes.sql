ALTER TABLE events ADD COLUMN cancelled BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE events RENAME COLUMN title TO headline;
ALTER TABLE tickets ADD COLUMN refunded_at TIMESTAMPTZ;
ALTER TABLE venues DROP COLUMN capacity;
ALTER TABLE venues ADD COLUMN capacity BIGINT;

CREATE VIEW upcoming AS
SELECT e.id, e.headline, e.starts_at, v.name AS venue_name
FROM events e LEFT JOIN venues v ON v.id = e.venue_id
WHERE e.starts_at > now();
