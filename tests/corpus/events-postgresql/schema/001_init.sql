CREATE TABLE venues (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    capacity INTEGER,
    "Country Code" CHAR(2) NOT NULL
);

CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    venue_id BIGINT REFERENCES venues (id),
    title TEXT NOT NULL,
    starts_at TIMESTAMPTZ NOT NULL,
    duration INTERVAL,
    price DOUBLE PRECISION,
    meta JSONB NOT NULL DEFAULT '{}'
);

CREATE TABLE tickets (
    id UUID PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events (id),
    holder TEXT,
    seat SMALLINT,
    sold_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT tickets_event_seat UNIQUE (event_id, seat)
);
