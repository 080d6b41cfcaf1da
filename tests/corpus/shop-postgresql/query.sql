-- name: GetCustomer :one
SELECT * FROM customers WHERE id = $1;

-- name: CustomerByPublicId :one
SELECT id, email, name, preferences, tags FROM customers WHERE public_id = @public_id;

-- name: CreateCustomer :one
INSERT INTO customers (public_id, email, name, phone, tags)
VALUES ($1, $2, $3, $4, $5)
RETURNING id, created_at;

-- name: UpsertStock :one
INSERT INTO stock (product_id, on_hand) VALUES ($1, $2)
ON CONFLICT (product_id) DO UPDATE SET on_hand = stock.on_hand + EXCLUDED.on_hand, updated_at = now()
RETURNING product_id, on_hand, updated_at;

-- name: InsertProductIgnore :exec
INSERT INTO products (sku, title, price) VALUES ($1, $2, $3) ON CONFLICT (sku) DO NOTHING;

-- name: ShipOrder :one
UPDATE orders SET status = 'shipped', shipped_at = now() WHERE id = sqlc.arg(order_id)
RETURNING id, status, shipped_at, note;

-- name: CancelOldOrders :execrows
UPDATE orders SET status = 'cancelled' WHERE placed_at < $1 AND status = 'new';

-- name: DeleteOrder :one
DELETE FROM orders WHERE id = $1 RETURNING *;

-- name: OrderLines :many
SELECT o.id AS order_id, p.sku, p.title, oi.quantity, oi.unit_price, oi.line_total
FROM orders o
JOIN order_items oi ON oi.order_id = o.id
JOIN products p ON p.id = oi.product_id
WHERE o.customer_id = $1
ORDER BY o.id, p.sku;

-- name: ProductsWithStock :many
SELECT p.id, p.title, s.on_hand, s.updated_at
FROM products p LEFT JOIN stock s ON s.product_id = p.id;

-- name: StockWithProducts :many
SELECT s.product_id, s.on_hand, p.title
FROM products p RIGHT JOIN stock s ON s.product_id = p.id;

-- name: CustomersAndOrders :many
SELECT c.id AS customer_id, c.email, o.id AS order_id, o.status
FROM customers c FULL JOIN orders o ON o.customer_id = c.id;

-- name: OrderTotals :many
SELECT o.id, COUNT(oi.product_id) AS lines, SUM(oi.quantity) AS units, SUM(oi.line_total) AS total
FROM orders o LEFT JOIN order_items oi ON oi.order_id = o.id
GROUP BY o.id;

-- name: ShopTotals :one
SELECT COUNT(*) AS orders, MIN(placed_at) AS first_order, MAX(placed_at) AS last_order
FROM orders;

-- name: AveragePrice :one
SELECT AVG(price) AS average, SUM(weight_kg) AS total_weight, COUNT(weight_kg) AS weighed FROM products;

-- name: CustomerLabels :many
SELECT id,
       COALESCE(phone, email) AS contact,
       NULLIF(name, '') AS display_name,
       CASE WHEN vip THEN 'vip' WHEN birthday IS NULL THEN 'unknown' ELSE 'regular' END AS segment,
       CASE WHEN vip THEN created_at END AS vip_since
FROM customers;

-- name: BigSpenders :many
WITH spend AS (
    SELECT o.customer_id, SUM(oi.line_total) AS total
    FROM orders o JOIN order_items oi ON oi.order_id = o.id
    GROUP BY o.customer_id
)
SELECT c.id, c.name, spend.total
FROM customers c JOIN spend ON spend.customer_id = c.id
WHERE spend.total > sqlc.arg(threshold)::numeric;

-- name: CustomersWithOrders :many
SELECT id, name FROM customers c
WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id);

-- name: LastOrderDate :many
SELECT c.id, (SELECT MAX(o.placed_at) FROM orders o WHERE o.customer_id = c.id) AS last_order
FROM customers c;

-- name: Timeline :many
SELECT id, placed_at AS at, 'placed' AS event FROM orders
UNION ALL
SELECT id, shipped_at, 'shipped' FROM orders WHERE shipped_at IS NOT NULL;

-- name: RankedProducts :many
SELECT id, title, price,
       ROW_NUMBER() OVER (ORDER BY price DESC) AS position,
       DENSE_RANK() OVER (ORDER BY price DESC) AS price_rank,
       LEAD(price) OVER (ORDER BY price DESC) AS next_price
FROM products;

-- name: FilterOrders :many
SELECT id, status, placed_at FROM orders
WHERE (sqlc.narg(status)::order_status IS NULL OR status = sqlc.narg(status))
  AND customer_id = sqlc.arg(customer_id)
ORDER BY placed_at DESC
LIMIT sqlc.arg(page_size) OFFSET sqlc.arg(page_offset);

-- name: ProductsByIds :many
SELECT id, sku, price FROM products WHERE id = ANY($1::int[]);

-- name: OrderWithCustomer :one
SELECT sqlc.embed(orders), sqlc.embed(customers)
FROM orders JOIN customers ON customers.id = orders.customer_id
WHERE orders.id = $1;

-- name: ShippedNotes :many
SELECT id, note FROM orders WHERE note IS NOT NULL AND shipped_at IS NOT NULL;

-- name: DeliveryInfo :many
SELECT orders.id, pickup_time, delivery_window, placed_at::date AS placed_on, image IS NULL AS no_image
FROM orders CROSS JOIN products WHERE products.id = $1;

-- name: StatusCounts :many
SELECT status, count(*) FROM orders GROUP BY status;

-- name: SetPreferences :exec
UPDATE customers SET preferences = $2 WHERE id = $1;

-- name: ItemsUsing :many
SELECT order_id, product_id, quantity, title
FROM order_items JOIN products ON products.id = order_items.product_id
LEFT JOIN stock USING (product_id);

-- name: OrdersWithRecentItems :many
SELECT o.id, recent.units
FROM orders o
LEFT JOIN (
    SELECT order_id, SUM(quantity) AS units FROM order_items WHERE unit_price > $1 GROUP BY order_id
) AS recent ON recent.order_id = o.id;

-- name: CustomerPairs :many
SELECT DISTINCT a.email, b.email AS other_email
FROM customers a LEFT JOIN customers b ON b.phone = a.phone AND b.id != a.id
WHERE a.id != @customer_id;

-- name: DiscontinuedOrNot :many
SELECT id, COALESCE(discontinued, false) AS discontinued, NOT COALESCE(discontinued, false) AS available
FROM products;

-- name: ProductAggregates :many
SELECT p.id, array_agg(oi.order_id) AS order_ids, json_agg(oi.unit_price) AS prices,
       string_agg(oi.quantity::text, ',') AS quantities,
       COUNT(*) FILTER (WHERE oi.quantity > 1) AS multi
FROM products p LEFT JOIN order_items oi ON oi.product_id = p.id
GROUP BY p.id;

-- name: CustomerTagFacts :many
SELECT id, cardinality(tags) AS n_tags, array_length(tags, 1) AS tag_len, tags[1] AS first_tag,
       GREATEST(length(phone), 0) AS phone_len, LEAST(id, 100) AS capped,
       EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = customers.id) AS has_orders
FROM customers;

-- name: LatestOrderLateral :many
SELECT c.id, last.placed_at
FROM customers c
LEFT JOIN LATERAL (SELECT placed_at FROM orders o WHERE o.customer_id = c.id ORDER BY placed_at DESC LIMIT 1) last ON true;

-- name: CopyOrderNote :exec
UPDATE orders SET note = customers.name FROM customers WHERE customers.id = orders.customer_id AND orders.id = $1;

-- name: DeleteItemsOfCustomer :exec
DELETE FROM order_items USING orders WHERE orders.id = order_items.order_id AND orders.customer_id = $1;

-- name: DuplicateOrder :exec
INSERT INTO orders (customer_id, note) SELECT customer_id, note FROM orders WHERE orders.id = $1;
