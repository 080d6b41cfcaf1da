-- name: GetEvent :one
SELECT * FROM events WHERE id = $1;

-- name: VenueCodes :many
SELECT id, name, "Country Code", capacity FROM venues ORDER BY "Country Code";

-- name: EventsWithVenue :many
SELECT e.id, e.headline, v.name AS venue, v.capacity
FROM events e LEFT JOIN venues v ON v.id = e.venue_id
WHERE e.starts_at BETWEEN @from_time AND @to_time;

-- name: TicketsAndEvents :many
SELECT t.id AS ticket_id, t.holder, e.id AS event_id, e.headline
FROM tickets t FULL JOIN events e ON e.id = t.event_id;

-- name: EventSales :many
SELECT e.id, e.headline, COUNT(t.id) AS sold, COUNT(t.refunded_at) AS refunded,
       MAX(t.sold_at) AS last_sale, string_agg(t.holder, ', ') AS holders
FROM events e LEFT JOIN tickets t ON t.event_id = e.id
GROUP BY e.id, e.headline;

-- name: OverallSales :one
SELECT COUNT(*) AS tickets, COUNT(DISTINCT event_id) AS events, bool_and(refunded_at IS NULL) AS none_refunded
FROM tickets;

-- name: PriceSummary :one
SELECT MIN(price) AS cheapest, MAX(price) AS dearest, AVG(price) AS mean, SUM(price) AS total FROM events;

-- name: EventDisplay :many
SELECT id,
       COALESCE(price, 0) AS price,
       CASE WHEN cancelled THEN 'cancelled' WHEN starts_at < now() THEN 'past' ELSE 'upcoming' END AS state,
       starts_at + COALESCE(duration, interval '2 hours') AS ends_at,
       meta->>'organizer' AS organizer,
       headline || ' @ ' || id::text AS label
FROM events;

-- name: BusyVenues :many
WITH counts AS (
    SELECT venue_id, COUNT(*) AS events FROM events WHERE NOT cancelled GROUP BY venue_id
)
SELECT v.id, v.name, counts.events
FROM venues v JOIN counts ON counts.venue_id = v.id
ORDER BY counts.events DESC;

-- name: SoldOutEvents :many
SELECT e.id, e.headline FROM events e
JOIN venues v ON v.id = e.venue_id
WHERE v.capacity <= (SELECT COUNT(*) FROM tickets t WHERE t.event_id = e.id);

-- name: AllNames :many
SELECT name FROM venues
UNION
SELECT headline FROM events;

-- name: HoldersAtBothEvents :many
SELECT holder FROM tickets WHERE event_id = $1
INTERSECT
SELECT holder FROM tickets WHERE event_id = $2;

-- name: SeatOrder :many
SELECT id, event_id, seat,
       ROW_NUMBER() OVER w AS sale_number,
       FIRST_VALUE(holder) OVER w AS first_holder,
       COUNT(*) OVER (PARTITION BY event_id) AS event_tickets
FROM tickets
WINDOW w AS (PARTITION BY event_id ORDER BY sold_at);

-- name: SellTicket :one
INSERT INTO tickets (id, event_id, holder, seat) VALUES ($1, $2, $3, $4)
ON CONFLICT ON CONSTRAINT tickets_event_seat DO NOTHING
RETURNING id, sold_at, refunded_at;

-- name: RefundTicket :one
UPDATE tickets SET refunded_at = now() WHERE id = $1 AND refunded_at IS NULL
RETURNING id, event_id, refunded_at;

-- name: CancelEvent :exec
UPDATE events SET cancelled = true WHERE id = sqlc.arg(event_id);

-- name: DeleteVenue :one
DELETE FROM venues WHERE id = $1 RETURNING id, name, capacity;

-- name: FindEvents :many
SELECT id, headline, starts_at FROM events
WHERE (sqlc.narg(venue)::bigint IS NULL OR venue_id = sqlc.narg(venue))
  AND headline ILIKE '%' || sqlc.arg(search)::text || '%';

-- name: Upcoming :many
SELECT id, headline, starts_at, venue_name FROM upcoming;

-- name: EventDates :many
SELECT id, starts_at::date AS day, EXTRACT(EPOCH FROM duration) AS seconds, date_trunc('hour', starts_at) AS hour
FROM events;

-- name: CountEvents :one
SELECT count(*) FROM events WHERE venue_id = $1;

-- name: EventMeta :one
SELECT meta, meta->'tags' AS tags FROM events WHERE id = $1;
