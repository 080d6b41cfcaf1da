-- name: BooksByAuthor :many
SELECT b.id, b.title, b.price, b.stock, a.name AS author
FROM books b
JOIN authors a ON a.id = b.author_id
WHERE a.id = :author_id
ORDER BY b.title;

-- name: GetBook :one
SELECT * FROM books WHERE id = :id;

-- name: ListAuthors :many
SELECT id, name, country FROM authors ORDER BY name;

-- name: AuthorStats :many
SELECT a.id, a.name, COUNT(b.id) AS books, MIN(b.price) AS cheapest, SUM(b.stock) AS in_stock
FROM authors a
LEFT JOIN books b ON b.author_id = a.id
GROUP BY a.id, a.name
ORDER BY a.name;

-- name: SearchBooks :many
SELECT id, title, price, published
FROM books
WHERE (sqlc.narg(max_price) IS NULL OR price <= sqlc.narg(max_price))
  AND title LIKE :pattern
ORDER BY title
LIMIT :limit OFFSET :offset;

-- name: BooksByIds :many
SELECT id, title FROM books WHERE id IN (sqlc.slice(ids)) ORDER BY id;

-- name: CustomerOrders :many
SELECT o.id, o.qty, o.placed_at, o.note, b.title, b.price * o.qty AS total
FROM orders o
JOIN books b ON b.id = o.book_id
WHERE o.customer_id = :customer_id
ORDER BY o.placed_at DESC;

-- name: RestockBook :execrows
UPDATE books SET stock = stock + :added WHERE id = :id;

-- name: DeleteOrder :exec
DELETE FROM orders WHERE id = :id;
