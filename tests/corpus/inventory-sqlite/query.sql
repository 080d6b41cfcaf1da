-- name: GetItem :one
SELECT id, category_id, name, unit_cost, weight, added_on, retired_at FROM items WHERE id = ?1;

-- name: ItemsInCategory :many
SELECT i.id, i.name, c.name AS category
FROM items i JOIN categories c ON c.id = i.category_id
WHERE c.id = ?1 OR c.parent_id = ?1;

-- name: ItemsWithCategory :many
SELECT i.id, i.name, c.name AS category, c.parent_id
FROM categories c RIGHT JOIN items i ON i.category_id = c.id;

-- name: WarehouseItemPairs :many
SELECT w.code, s.item_id, s.quantity
FROM warehouses w FULL OUTER JOIN stock_levels s ON s.warehouse_id = w.id;

-- name: CategoryTree :many
SELECT child.id, child.name, parent.name AS parent_name
FROM categories child LEFT JOIN categories parent ON parent.id = child.parent_id;

-- name: StockByWarehouse :many
SELECT w.id, w.code, COUNT(s.item_id) AS items, SUM(s.quantity) AS units, MIN(s.counted_at) AS oldest_count
FROM warehouses w LEFT JOIN stock_levels s ON s.warehouse_id = w.id
GROUP BY w.id, w.code;

-- name: InventoryValue :one
SELECT SUM(s.quantity * i.unit_cost) AS value, COUNT(*) AS lines, MAX(i.unit_cost) AS dearest
FROM stock_levels s JOIN items i ON i.id = s.item_id;

-- name: ItemLabels :many
SELECT id,
       name || ' (' || COALESCE(CAST(weight AS TEXT), '?') || ')' AS label,
       CASE WHEN retired_at IS NULL THEN 1 ELSE 0 END AS active,
       IIF(weight > 10, 'heavy', 'light') AS size,
       CAST(unit_cost AS INTEGER) AS whole_cost
FROM items;

-- name: LowStock :many
WITH totals AS (
    SELECT item_id, SUM(quantity) AS on_hand FROM stock_levels GROUP BY item_id
)
SELECT i.id, i.name, totals.on_hand
FROM items i LEFT JOIN totals ON totals.item_id = i.id
WHERE COALESCE(totals.on_hand, 0) < sqlc.arg(threshold);

-- name: CategoryAncestors :many
WITH RECURSIVE ancestors(id, name, parent_id) AS (
    SELECT id, name, parent_id FROM categories WHERE id = ?
    UNION ALL
    SELECT c.id, c.name, c.parent_id FROM categories c JOIN ancestors a ON c.id = a.parent_id
)
SELECT id, name FROM ancestors;

-- name: ItemsNeverStocked :many
SELECT id, name FROM items WHERE NOT EXISTS (SELECT 1 FROM stock_levels s WHERE s.item_id = items.id);

-- name: Events :many
SELECT id, added_on AS day, 'added' AS what FROM items
UNION ALL
SELECT id, retired_at, 'retired' FROM items WHERE retired_at IS NOT NULL;

-- name: RunningStock :many
SELECT warehouse_id, item_id, quantity,
       SUM(quantity) OVER (PARTITION BY warehouse_id ORDER BY item_id) AS running_total,
       LAG(quantity) OVER (PARTITION BY warehouse_id ORDER BY item_id) AS previous_quantity
FROM stock_levels;

-- name: SetStock :one
INSERT INTO stock_levels (warehouse_id, item_id, quantity, counted_at)
VALUES (?, ?, ?, CURRENT_TIMESTAMP)
ON CONFLICT (warehouse_id, item_id) DO UPDATE SET quantity = excluded.quantity, counted_at = excluded.counted_at
RETURNING warehouse_id, item_id, quantity, counted_at;

-- name: RetireItem :one
UPDATE items SET retired_at = CURRENT_TIMESTAMP WHERE id = ? RETURNING id, retired_at;

-- name: CreateItem :one
INSERT INTO items (category_id, name, unit_cost, weight, added_on)
VALUES (sqlc.narg(category_id), sqlc.arg(name), sqlc.arg(unit_cost), sqlc.narg(weight), sqlc.arg(added_on))
RETURNING id;

-- name: DeleteStock :execrows
DELETE FROM stock_levels WHERE warehouse_id = ? AND item_id IN (sqlc.slice(item_ids));

-- name: FindItems :many
SELECT id, name FROM items
WHERE (sqlc.narg(category) IS NULL OR category_id = sqlc.narg(category))
  AND unit_cost BETWEEN sqlc.arg(min_cost) AND sqlc.arg(max_cost);

-- name: StockWithItem :many
SELECT sqlc.embed(stock_levels), sqlc.embed(items)
FROM stock_levels JOIN items ON items.id = stock_levels.item_id
WHERE stock_levels.warehouse_id = ?;

-- name: CountWarehouses :one
SELECT COUNT(*) AS n, COUNT(city) AS with_city, MAX(code) AS last_code FROM warehouses;

-- name: ItemsPage :many
SELECT id, name FROM items ORDER BY id LIMIT ? OFFSET ?;

-- name: ItemFunctions :many
SELECT id, min(category_id, 3) AS capped_category, max(id, 5) AS at_least_five, abs(weight) AS abs_weight,
       instr(name, 'x') AS x_pos, hex(weight) AS weight_hex, ifnull(weight, 0) AS weight0,
       date(added_on) AS added_day, strftime('%Y', added_on) AS added_year, printf('%05d', id) AS code,
       random() AS noise
FROM items;

-- name: ItemPredicates :many
SELECT id, EXISTS (SELECT 1 FROM stock_levels s WHERE s.item_id = items.id) AS stocked,
       weight > 1 AS heavy, name LIKE 'A%' AS starts_a, retired_at IS NULL AS active
FROM items;

-- name: CopyItemName :exec
UPDATE stock_levels SET quantity = items.id FROM items WHERE items.id = stock_levels.item_id AND items.name = ?;

-- name: CloneItem :exec
INSERT INTO items (category_id, name, unit_cost, added_on) SELECT category_id, name, unit_cost, added_on FROM items WHERE id = ?;

-- name: Numbers :many
SELECT column1 AS n FROM (VALUES (1), (2), (3));
