-- Accounts made before the notifications service existed are announced to it once, as a
-- sign-up announces a new one: the address to write to (`contact_updated`, version 0) and
-- the public profile at its current version (`profile_updated`). Both go to notifications
-- only; catalog and orders learnt every profile in 0002. The cron sweep sends these rows.
-- Event ids are drawn once per row into a table first: a CTE may be evaluated again for each use.
CREATE TABLE `__announcements` AS
	SELECT u.`id` AS user_id, k.value AS kind,
		lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
		|| substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))) AS event_id,
		coalesce((SELECT max(`seq`) FROM `outbox` WHERE `destination` = 'notifications'), 0)
			+ row_number() OVER (ORDER BY u.`created_at`, u.`id`, k.value) AS seq
	FROM `users` u, json_each('["contact_updated","profile_updated"]') k;
--> statement-breakpoint
INSERT INTO `outbox` (`event_id`, `destination`, `type`, `body`, `created_at`, `seq`, `sent_at`)
SELECT a.event_id, 'notifications', a.kind,
	json_object('id', a.event_id, 'type', a.kind,
		'version', CASE a.kind WHEN 'contact_updated' THEN 0 ELSE u.`profile_version` END,
		'occurredAt', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 'source', 'auth',
		'data', CASE a.kind
			WHEN 'contact_updated' THEN json_object('userId', u.`id`, 'email', u.`email`)
			ELSE json_object('userId', u.`id`, 'username', u.`username`, 'displayName', u.`display_name`,
				'country', u.`country`, 'memberSince', u.`created_at`) END),
	CAST(unixepoch('subsec') * 1000 AS integer), a.seq, NULL
FROM `__announcements` a JOIN `users` u ON u.`id` = a.user_id;
--> statement-breakpoint
DROP TABLE `__announcements`;
