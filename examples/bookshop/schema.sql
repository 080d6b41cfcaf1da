-- Bookshop: authors, books, customers and their orders (SQLite).

CREATE TABLE authors (
    id         INTEGER PRIMARY KEY,
    name       VARCHAR(120) NOT NULL UNIQUE,
    born       DATE,
    country    VARCHAR(2) CHECK (LENGTH(country) = 2)
);

CREATE TABLE books (
    id         INTEGER PRIMARY KEY,
    title      VARCHAR(200) NOT NULL,
    isbn       VARCHAR(13) NOT NULL UNIQUE CHECK (LENGTH(isbn) IN (10, 13)),
    price      NUMERIC(8, 2) NOT NULL CHECK (price >= 0 AND price <= 10000),
    stock      INTEGER NOT NULL DEFAULT 0 CHECK (stock >= 0),
    format     TEXT NOT NULL DEFAULT 'paperback'
               CHECK (format IN ('paperback', 'hardcover', 'ebook')),
    published  DATE,
    author_id  INTEGER NOT NULL REFERENCES authors (id),
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE customers (
    id         INTEGER PRIMARY KEY,
    email      VARCHAR(254) NOT NULL UNIQUE,
    name       VARCHAR(120) NOT NULL,
    vip        BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    book_id     INTEGER NOT NULL REFERENCES books (id),
    qty         INTEGER NOT NULL CHECK (qty BETWEEN 1 AND 99),
    placed_at   DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    note        TEXT
);
