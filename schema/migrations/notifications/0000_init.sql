CREATE TABLE `contacts` (
	`user_id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `dev_mailbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`email_key` text NOT NULL,
	`kind` text NOT NULL,
	`from` text NOT NULL,
	`to` text NOT NULL,
	`subject` text NOT NULL,
	`text` text NOT NULL,
	`html` text NOT NULL,
	`headers` text NOT NULL,
	`message_id` text,
	`sent_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dev_mailbox_to` ON `dev_mailbox` (`to`,`id`);--> statement-breakpoint
CREATE TABLE `emails` (
	`key` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`recipient_id` text NOT NULL,
	`event_id` text NOT NULL,
	`data` text NOT NULL,
	`want_id` text,
	`created_at` integer NOT NULL,
	`not_after` integer,
	`state` text DEFAULT 'pending' NOT NULL,
	`claimed_at` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`sent_at` integer,
	`message_id` text,
	`error` text,
	CONSTRAINT "emails_state" CHECK(state in ('pending', 'sending', 'sent', 'failed', 'expired', 'cancelled'))
);
--> statement-breakpoint
CREATE INDEX `emails_unsent` ON `emails` (`created_at`) WHERE state in ('pending', 'sending');--> statement-breakpoint
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
CREATE TABLE `listings` (
	`vinyl_id` text PRIMARY KEY NOT NULL,
	`seller_id` text NOT NULL,
	`price_cents` integer NOT NULL,
	`status` text NOT NULL,
	`version` integer NOT NULL,
	CONSTRAINT "listings_status" CHECK(status in ('available', 'reserved', 'sold', 'withdrawn'))
);
--> statement-breakpoint
CREATE TABLE `orders` (
	`id` text PRIMARY KEY NOT NULL,
	`buyer_id` text NOT NULL,
	`seller_id` text NOT NULL,
	`vinyl_id` text NOT NULL,
	`title` text NOT NULL,
	`status` text NOT NULL,
	`expires_at` text NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `profiles` (
	`user_id` text PRIMARY KEY NOT NULL,
	`username` text NOT NULL,
	`display_name` text,
	`country` text,
	`member_since` text NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `profiles_username` ON `profiles` (`username`);--> statement-breakpoint
CREATE TABLE `revoked_sessions` (
	`session_id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`expires_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `revoked_sessions_expires` ON `revoked_sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `wants` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`q` text,
	`artist` text,
	`genre` text,
	`condition` text,
	`max_price_cents` integer,
	`terms` text NOT NULL,
	`artist_key` text,
	`match_key` text NOT NULL,
	`min_rank` integer NOT NULL,
	`price_cap` integer GENERATED ALWAYS AS (coalesce(max_price_cents, 9007199254740991)) VIRTUAL,
	`criteria` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `wants_match` ON `wants` (`match_key`,`price_cap`);--> statement-breakpoint
CREATE UNIQUE INDEX `wants_user_criteria` ON `wants` (`user_id`,`criteria`);--> statement-breakpoint
CREATE INDEX `wants_user_newest` ON `wants` (`user_id`,`created_at`);