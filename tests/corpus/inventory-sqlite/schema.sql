CREATE TABLE warehouses (
    id INTEGER PRIMARY KEY,
    code VARCHAR(8) NOT NULL UNIQUE,
    city TEXT
);

CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    parent_id INTEGER REFERENCES categories (id)
);

CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    category_id INTEGER REFERENCES categories (id),
    name VARCHAR(100) NOT NULL,
    unit_cost DECIMAL(10, 2) NOT NULL,
    weight NUMERIC,
    added_on DATE NOT NULL,
    retired_at TIMESTAMP
);

CREATE TABLE stock_levels (
    warehouse_id INTEGER NOT NULL REFERENCES warehouses (id),
    item_id INTEGER NOT NULL REFERENCES items (id),
    quantity INTEGER NOT NULL DEFAULT 0,
    counted_at TIMESTAMP,
    PRIMARY KEY (warehouse_id, item_id)
);
