CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped', 'cancelled');

CREATE TABLE customers (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id   UUID NOT NULL UNIQUE,
    email       VARCHAR(200) NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    phone       TEXT,
    birthday    DATE,
    preferences JSONB,
    tags        TEXT[] NOT NULL DEFAULT '{}',
    vip         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE products (
    id          SERIAL PRIMARY KEY,
    sku         VARCHAR(32) NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    price       NUMERIC(10, 2) NOT NULL CHECK (price >= 0),
    weight_kg   REAL,
    discontinued BOOLEAN,
    image       BYTEA
);

CREATE TABLE orders (
    id          SERIAL PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers (id),
    status      order_status NOT NULL DEFAULT 'new',
    placed_at   TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    shipped_at  TIMESTAMP,
    pickup_time TIME,
    delivery_window INTERVAL,
    note        TEXT
);

CREATE TABLE order_items (
    order_id    INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id  INTEGER NOT NULL REFERENCES products (id),
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    unit_price  NUMERIC(10, 2) NOT NULL,
    line_total  NUMERIC(12, 2) GENERATED ALWAYS AS (quantity * unit_price) STORED,
    PRIMARY KEY (order_id, product_id)
);

CREATE TABLE stock (
    product_id  INTEGER PRIMARY KEY REFERENCES products (id),
    on_hand     INTEGER NOT NULL DEFAULT 0,
    updated_at  TIMESTAMPTZ
);
