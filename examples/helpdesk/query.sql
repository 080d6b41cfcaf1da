-- name: OpenTicketsForTeam :many
SELECT t.id, t.subject, t.status, t.priority, t.due_on, t.opened_at, a.full_name AS assignee
FROM tickets t
LEFT JOIN agents a ON a.id = t.assignee_id
WHERE t.team_id = $1 AND t.status IN ('open', 'pending')
ORDER BY t.priority DESC, t.opened_at;

-- name: GetTicket :one
SELECT * FROM tickets WHERE id = $1;

-- name: ListTeams :many
SELECT id, name, created_at FROM teams ORDER BY name;

-- name: TeamWorkload :many
SELECT tm.id, tm.name, count(t.id) AS open_tickets, max(t.opened_at) AS latest
FROM teams tm
LEFT JOIN tickets t ON t.team_id = tm.id AND t.status = 'open'
GROUP BY tm.id, tm.name
ORDER BY tm.name;

-- name: AgentsWithSkill :many
SELECT id, full_name, email, skills, hourly_rate
FROM agents
WHERE @skill::text = ANY(skills)
ORDER BY full_name;

-- name: TicketsByTags :many
SELECT id, subject, tags FROM tickets WHERE tags && @tags::text[] ORDER BY id;

-- name: CloseTicket :one
UPDATE tickets SET status = 'closed', closed_at = now()
WHERE id = $1
RETURNING id, status, closed_at;

-- name: WatchTicket :exec
INSERT INTO ticket_watchers (ticket_id, agent_id) VALUES ($1, $2)
ON CONFLICT (ticket_id, agent_id) DO NOTHING;

-- name: UpsertTeam :one
INSERT INTO teams (name) VALUES ($1)
ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
RETURNING id, name;
