-- name: GetUser :one
SELECT * FROM users WHERE id = ?;

-- name: UserByHandle :one
SELECT id, handle, display_name, is_admin FROM users WHERE handle = :handle;

-- name: CreateUser :one
INSERT INTO users (handle, display_name) VALUES (?, ?) RETURNING *;

-- name: UpsertTag :exec
INSERT INTO tags (post_id, tag) VALUES (?1, ?2) ON CONFLICT (post_id, tag) DO NOTHING;

-- name: BumpKarma :one
INSERT INTO users (handle, karma) VALUES (@handle, @karma)
ON CONFLICT (handle) DO UPDATE SET karma = COALESCE(users.karma, 0) + excluded.karma
RETURNING id, karma;

-- name: PublishPost :exec
UPDATE posts SET published_at = CURRENT_TIMESTAMP WHERE id = ? AND author_id = ?;

-- name: DeleteComment :one
DELETE FROM comments WHERE id = ? RETURNING post_id, user_id;

-- name: PostsWithAuthor :many
SELECT p.id, p.title, u.handle, u.display_name
FROM posts p JOIN users u ON u.id = p.author_id
WHERE p.published_at IS NOT NULL
ORDER BY p.published_at DESC;

-- name: CommentsWithUser :many
SELECT c.id, c.body, u.handle, u.is_admin
FROM comments c LEFT JOIN users u ON u.id = c.user_id
WHERE c.post_id = sqlc.arg(post_id);

-- name: PostStats :one
SELECT COUNT(*) AS posts, SUM(score) AS total_score, MAX(published_at) AS latest, AVG(score) AS mean
FROM posts;

-- name: CommentCounts :many
SELECT p.id, p.title, COUNT(c.id) AS comments, MAX(c.created_at) AS last_comment
FROM posts p LEFT JOIN comments c ON c.post_id = p.id
GROUP BY p.id, p.title
HAVING COUNT(c.id) >= ?;

-- name: AuthorNames :many
SELECT id, COALESCE(display_name, handle) AS name, IFNULL(karma, 0) AS karma,
       CASE WHEN is_admin THEN 'admin' ELSE 'member' END AS role
FROM users;

-- name: ActiveAuthors :many
WITH recent AS (
    SELECT author_id, COUNT(*) AS n FROM posts WHERE published_at > ? GROUP BY author_id
)
SELECT u.handle, recent.n FROM users u JOIN recent ON recent.author_id = u.id;

-- name: SilentUsers :many
SELECT id, handle FROM users
WHERE id NOT IN (SELECT user_id FROM comments WHERE user_id IS NOT NULL);

-- name: Activity :many
SELECT author_id AS user_id, title AS text FROM posts
UNION
SELECT user_id, body FROM comments;

-- name: TopPostsPerAuthor :many
SELECT id, author_id, title,
       RANK() OVER (PARTITION BY author_id ORDER BY score DESC) AS author_rank
FROM posts;

-- name: PostsByTags :many
SELECT DISTINCT p.id, p.title
FROM posts p JOIN tags t ON t.post_id = p.id
WHERE t.tag IN (sqlc.slice(tags));

-- name: SearchPosts :many
SELECT id, title FROM posts
WHERE (sqlc.narg(author) IS NULL OR author_id = sqlc.narg(author))
  AND title LIKE sqlc.arg(pattern)
LIMIT sqlc.arg(max_rows);

-- name: PostWithAuthor :one
SELECT sqlc.embed(posts), sqlc.embed(users)
FROM posts JOIN users ON users.id = posts.author_id
WHERE posts.id = ?;

-- name: UntypedAndBlob :many
SELECT id, cover, extra, length(body) AS body_length FROM posts;

-- name: LatestCommentPerPost :many
SELECT p.id, (SELECT MAX(c.created_at) FROM comments c WHERE c.post_id = p.id) AS latest
FROM posts p;

-- name: CountUsers :one
SELECT count(*) FROM users;

/* name: CommentsUsing :many */
SELECT comments.id, posts.title, tags.tag
FROM comments JOIN posts ON posts.id = comments.post_id
LEFT JOIN tags USING (post_id)
WHERE comments.user_id = sqlc.arg('user_id');

/* name: PostsWithCommentCounts :many */
SELECT p.id, counts.n
FROM posts p
LEFT JOIN (SELECT post_id, COUNT(*) AS n FROM comments GROUP BY post_id) AS counts
  ON counts.post_id = p.id;

/* name: TaggedByAuthor :many */
SELECT p.id, p.title FROM posts p
WHERE p.author_id = ? AND p.id IN (SELECT post_id FROM tags WHERE tag IN (sqlc.slice(tags)));
