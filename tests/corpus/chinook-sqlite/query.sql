-- name: GetArtist :one
SELECT [ArtistId], [Name] FROM [Artist] WHERE [ArtistId] = ?;

-- name: AlbumsWithArtist :many
SELECT al.[AlbumId], al.[Title], ar.[Name] AS ArtistName
FROM [Album] al JOIN [Artist] ar ON ar.[ArtistId] = al.[ArtistId]
ORDER BY al.[Title];

-- name: TracksWithGenre :many
SELECT t.[TrackId], t.[Name], g.[Name] AS [Genre], al.[Title] AS AlbumTitle
FROM [Track] t
LEFT JOIN [Genre] g ON g.[GenreId] = t.[GenreId]
LEFT JOIN [Album] al ON al.[AlbumId] = t.[AlbumId]
WHERE t.[MediaTypeId] = sqlc.arg(media_type_id);

-- name: CountTracks :one
SELECT COUNT(*) AS n FROM [Track];

-- name: TrackStats :one
SELECT COUNT(*) AS n, SUM([Milliseconds]) AS total_ms, MIN([UnitPrice]) AS cheapest,
       MAX([Bytes]) AS biggest, AVG([Milliseconds]) AS avg_ms
FROM [Track];

-- name: SalesByCountry :many
SELECT [BillingCountry], COUNT(*) AS invoices, SUM([Total]) AS revenue
FROM [Invoice]
GROUP BY [BillingCountry]
HAVING SUM([Total]) > ?
ORDER BY revenue DESC;

-- name: CustomerContact :many
SELECT [CustomerId], COALESCE([Company], 'private') AS company, COALESCE([Phone], [Fax]) AS phone,
       CASE WHEN [Company] IS NULL THEN 'consumer' ELSE 'business' END AS kind
FROM [Customer];

-- name: TopCustomers :many
WITH spend AS (
  SELECT [CustomerId], SUM([Total]) AS total
  FROM [Invoice] GROUP BY [CustomerId]
)
SELECT c.[CustomerId], c.[FirstName], c.[LastName], s.total
FROM [Customer] c JOIN spend s ON s.[CustomerId] = c.[CustomerId]
ORDER BY s.total DESC
LIMIT ?;

-- name: CustomersWithoutInvoices :many
SELECT [CustomerId], [Email] FROM [Customer]
WHERE [CustomerId] NOT IN (SELECT [CustomerId] FROM [Invoice]);

-- name: PeopleEmails :many
SELECT [FirstName], [LastName], [Email] FROM [Customer]
UNION
SELECT [FirstName], [LastName], [Email] FROM [Employee];

-- name: RankTracksInAlbum :many
SELECT [TrackId], [AlbumId], [Name],
       ROW_NUMBER() OVER (PARTITION BY [AlbumId] ORDER BY [Milliseconds] DESC) AS rank_in_album
FROM [Track]
WHERE [AlbumId] = ?;

-- name: TracksByIds :many
SELECT [TrackId], [Name], [UnitPrice] FROM [Track] WHERE [TrackId] IN (sqlc.slice(ids));

-- name: SearchTracks :many
SELECT [TrackId], [Name], [Composer] FROM [Track]
WHERE (sqlc.narg(composer) IS NULL OR [Composer] = sqlc.narg(composer))
  AND [Milliseconds] > sqlc.arg(min_ms);

-- name: EmployeeWithManager :many
SELECT e.[EmployeeId], e.[LastName], m.[LastName] AS ManagerLastName, e.[HireDate]
FROM [Employee] e LEFT JOIN [Employee] m ON m.[EmployeeId] = e.[ReportsTo];

-- name: InvoiceWithLines :many
SELECT sqlc.embed(Invoice), [InvoiceLine].[Quantity]
FROM [Invoice] JOIN [InvoiceLine] ON [InvoiceLine].[InvoiceId] = [Invoice].[InvoiceId]
WHERE [Invoice].[InvoiceId] = ?;

-- name: CreateGenre :one
INSERT INTO [Genre] ([GenreId], [Name]) VALUES (?, ?)
RETURNING [GenreId], [Name];

-- name: UpsertMediaType :exec
INSERT INTO [MediaType] ([MediaTypeId], [Name]) VALUES (?, ?)
ON CONFLICT ([MediaTypeId]) DO UPDATE SET [Name] = excluded.[Name];

-- name: RenamePlaylist :execrows
UPDATE [Playlist] SET [Name] = ? WHERE [PlaylistId] = ?;

-- name: DeletePlaylistTrack :exec
DELETE FROM [PlaylistTrack] WHERE [PlaylistId] = ? AND [TrackId] = ?;

-- name: InvoiceLineTotals :many
SELECT il.[InvoiceId], SUM(il.[UnitPrice] * il.[Quantity]) AS amount, COUNT(DISTINCT il.[TrackId]) AS tracks
FROM [InvoiceLine] il
GROUP BY il.[InvoiceId];

-- name: AlbumTrackCounts :many
SELECT al.[AlbumId], al.[Title], COUNT(t.[TrackId]) AS tracks, MAX(t.[Milliseconds]) AS longest
FROM [Album] al LEFT JOIN [Track] t ON t.[AlbumId] = al.[AlbumId]
GROUP BY al.[AlbumId], al.[Title];

-- name: LatestInvoice :one
SELECT [InvoiceId], [InvoiceDate], [Total] FROM [Invoice]
WHERE [CustomerId] = ?
ORDER BY [InvoiceDate] DESC LIMIT 1;

-- name: PriceBand :many
SELECT [TrackId], CASE WHEN [UnitPrice] > 1 THEN 'premium' WHEN [UnitPrice] > 0.5 THEN 'standard' END AS band
FROM [Track];

-- name: ArtistNameLengths :many
SELECT [ArtistId], LENGTH([Name]) AS name_length, UPPER([Name]) AS shout FROM [Artist];

-- name: TracksPaged :many
SELECT [TrackId], [Name] FROM [Track] ORDER BY [TrackId] LIMIT ? OFFSET ?;
