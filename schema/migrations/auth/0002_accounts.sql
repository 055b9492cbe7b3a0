CREATE TABLE `inbox` (
	`event_id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`processed_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`source` text,
	`seq` integer
);
--> statement-breakpoint
CREATE INDEX `inbox_source_seq` ON `inbox` (`source`,`seq`) WHERE seq is not null;--> statement-breakpoint
CREATE TABLE `inbox_sources` (
	`source` text PRIMARY KEY NOT NULL,
	`watermark` integer DEFAULT 0 NOT NULL,
	`latest_seq` integer DEFAULT 0 NOT NULL,
	`latest_at` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox` (
	`event_id` text NOT NULL,
	`destination` text NOT NULL,
	`type` text NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	`seq` integer,
	`sent_at` integer,
	PRIMARY KEY(`event_id`, `destination`)
);
--> statement-breakpoint
CREATE INDEX `outbox_unsent` ON `outbox` (`created_at`) WHERE sent_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_destination_seq` ON `outbox` (`destination`,`seq`);--> statement-breakpoint
CREATE INDEX `outbox_sent_at` ON `outbox` (`sent_at`) WHERE sent_at is not null;--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	`revoked_at` text
);
--> statement-breakpoint
CREATE INDEX `sessions_user_id` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `sessions_expires_at` ON `sessions` (`expires_at`);--> statement-breakpoint
-- Existing accounts get a username from their email's local part, as sign-up generates one
-- (lower-cased; '.' and '+' become '-', other characters outside [a-z0-9_-] are dropped; '-'
-- and '_' trimmed from the ends; at most 30 characters; padded with 0 to 3; "user" when
-- nothing is left). Where two accounts would get the same name, the later ones take '-' and
-- the start of their id instead of a number, which no other generated name can be. SQLite
-- cannot add a NOT NULL column to a table with rows, so the table is rebuilt.
CREATE TABLE `__new_users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`username` text NOT NULL,
	`display_name` text,
	`country` text,
	`bio` text,
	`profile_version` integer DEFAULT 0 NOT NULL,
	`password_hash` text NOT NULL,
	`password_salt` text NOT NULL,
	`password_iterations` integer NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_users` (`id`, `email`, `username`, `password_hash`, `password_salt`, `password_iterations`, `created_at`)
WITH cleaned AS (
	SELECT `id`, rtrim(substr(trim(replace(replace(replace(lower(substr(`email`, 1, instr(`email`, '@') - 1)), '.', '-'), '+', '-'), '''', ''), '-_'), 1, 30), '-_') AS name
	FROM `users`
), named AS (
	SELECT `id`, CASE
		WHEN name = '' THEN 'user'
		WHEN name GLOB '*[^a-z0-9_-]*' THEN 'user-' || substr(`id`, 1, 8)
		WHEN length(name) < 3 THEN name || substr('00', 1, 3 - length(name))
		ELSE name END AS name
	FROM cleaned
), ranked AS (
	SELECT u.*, named.name, row_number() OVER (PARTITION BY named.name ORDER BY u.`created_at`, u.`id`) AS n
	FROM `users` u JOIN named ON named.`id` = u.`id`
)
SELECT `id`, `email`, CASE WHEN n = 1 THEN name ELSE rtrim(substr(name, 1, 21), '-_') || '-' || substr(`id`, 1, 8) END,
	`password_hash`, `password_salt`, `password_iterations`, `created_at`
FROM ranked;
--> statement-breakpoint
DROP TABLE `users`;--> statement-breakpoint
ALTER TABLE `__new_users` RENAME TO `users`;--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);--> statement-breakpoint
-- Every existing profile is announced once (version 0), as a sign-up announces it, so the
-- other services learn every seller's name; the cron sweep sends these rows. Event ids are
-- drawn once per account into a table first: a CTE may be evaluated again for each use.
CREATE TABLE `__profile_events` AS
	SELECT `id` AS user_id, lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
		|| substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))) AS event_id,
		row_number() OVER (ORDER BY `created_at`, `id`) AS seq
	FROM `users`;
--> statement-breakpoint
INSERT INTO `outbox` (`event_id`, `destination`, `type`, `body`, `created_at`, `seq`, `sent_at`)
SELECT e.event_id, d.value, 'profile_updated',
	json_object('id', e.event_id, 'type', 'profile_updated', 'version', 0, 'occurredAt', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
		'source', 'auth', 'data', json_object('userId', u.`id`, 'username', u.`username`, 'displayName', NULL, 'country', NULL,
		'memberSince', u.`created_at`)),
	CAST(unixepoch('subsec') * 1000 AS integer), e.seq, NULL
FROM `__profile_events` e JOIN `users` u ON u.`id` = e.user_id, json_each('["catalog","orders"]') d;
--> statement-breakpoint
DROP TABLE `__profile_events`;
