-- name: GetFilm :one
SELECT film_id, title, description, release_year, rating, rental_rate, special_features, last_update
FROM film WHERE film_id = $1;

-- name: FilmsByRating :many
SELECT film_id, title, length FROM film WHERE rating = $1 ORDER BY title;

-- name: FilmActors :many
SELECT a.actor_id, a.first_name, a.last_name, f.title
FROM actor a
JOIN film_actor fa ON fa.actor_id = a.actor_id
JOIN film f ON f.film_id = fa.film_id
WHERE f.film_id = $1;

-- name: CustomersWithAddress :many
SELECT c.customer_id, c.email, ad.address, ad.address2, ci.city
FROM customer c
LEFT JOIN address ad ON ad.address_id = c.address_id
LEFT JOIN city ci ON ci.city_id = ad.city_id;

-- name: RentalsWithReturn :many
SELECT r.rental_id, r.return_date, p.amount
FROM payment p
RIGHT JOIN rental r ON r.rental_id = p.rental_id
WHERE r.customer_id = $1;

-- name: StaffAndStores :many
SELECT s.staff_id, s.username, st.store_id, st.manager_staff_id
FROM staff s
FULL OUTER JOIN store st ON st.manager_staff_id = s.staff_id;

-- name: PaymentStats :one
SELECT COUNT(*) AS payments, SUM(amount) AS total, AVG(amount) AS average,
       MIN(payment_date) AS first_payment, MAX(amount) AS largest
FROM payment WHERE customer_id = $1;

-- name: RevenueByStaff :many
SELECT staff_id, COUNT(*) AS payments, SUM(amount) AS total
FROM payment
GROUP BY staff_id
ORDER BY total DESC;

-- name: CustomerDisplay :many
SELECT customer_id,
       COALESCE(email, 'no email') AS contact,
       first_name || ' ' || last_name AS full_name,
       CASE WHEN activebool THEN 'active' ELSE 'inactive' END AS status,
       CASE WHEN active = 1 THEN 'yes' END AS legacy_active
FROM customer;

-- name: TopRenters :many
WITH counts AS (
  SELECT customer_id, COUNT(*) AS rentals FROM rental GROUP BY customer_id
)
SELECT c.customer_id, c.first_name, counts.rentals
FROM customer c JOIN counts ON counts.customer_id = c.customer_id
ORDER BY counts.rentals DESC
LIMIT $1;

-- name: FilmsNeverRented :many
SELECT film_id, title FROM film
WHERE film_id NOT IN (SELECT i.film_id FROM inventory i JOIN rental r ON r.inventory_id = i.inventory_id);

-- name: LatestRentalPerCustomer :many
SELECT c.customer_id,
       (SELECT MAX(r.rental_date) FROM rental r WHERE r.customer_id = c.customer_id) AS last_rental
FROM customer c;

-- name: PeopleNames :many
SELECT first_name, last_name FROM actor
UNION
SELECT first_name, last_name FROM staff;

-- name: FilmLengthRank :many
SELECT film_id, title, length,
       RANK() OVER (ORDER BY length DESC) AS length_rank,
       LAG(title) OVER (ORDER BY film_id) AS previous_title,
       SUM(length) OVER (PARTITION BY rating) AS rating_minutes
FROM film;

-- name: CreateActor :one
INSERT INTO actor (first_name, last_name) VALUES ($1, $2)
RETURNING actor_id, first_name, last_name, last_update;

-- name: UpsertCategory :one
INSERT INTO category (category_id, name) VALUES ($1, $2)
ON CONFLICT (category_id) DO UPDATE SET name = EXCLUDED.name
RETURNING *;

-- name: UpdateFilmRate :one
UPDATE film SET rental_rate = $2 WHERE film_id = $1
RETURNING film_id, rental_rate, original_language_id;

-- name: DeleteRental :exec
DELETE FROM rental WHERE rental_id = $1;

-- name: SearchFilms :many
SELECT film_id, title FROM film
WHERE (sqlc.narg(rating)::mpaa_rating IS NULL OR rating = sqlc.narg(rating))
  AND title ILIKE sqlc.arg(pattern);

-- name: FilmsByIds :many
SELECT film_id, title FROM film WHERE film_id = ANY(@ids::int[]);

-- name: FilmWithLanguage :one
SELECT sqlc.embed(film), sqlc.embed(language)
FROM film JOIN language ON language.language_id = film.language_id
WHERE film.film_id = @film_id;

-- name: CustomerListView :many
SELECT id, name, city, country, notes FROM customer_list LIMIT 10;

-- name: ActorCount :one
SELECT count(*) FROM actor;

-- name: FilmTotals :one
SELECT SUM(rental_rate) AS rates, MAX(title) AS last_title FROM film;

-- name: FilmCategoryCounts :many
SELECT cat.name, COUNT(fc.film_id) AS films
FROM category cat LEFT JOIN film_category fc ON fc.category_id = cat.category_id
GROUP BY cat.name;

-- name: RentalDuration :many
SELECT rental_id, return_date - rental_date AS duration, EXTRACT(YEAR FROM rental_date) AS yr
FROM rental;

-- name: CastTypes :one
SELECT $1::text AS label, CAST($2 AS integer) AS n, NOW() AS at;
