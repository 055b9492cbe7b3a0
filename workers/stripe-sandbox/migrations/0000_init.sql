CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`body` text NOT NULL,
	`created` integer NOT NULL,
	`delivery_status` integer,
	`delivered_at` integer
);
--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`key` text PRIMARY KEY NOT NULL,
	`fingerprint` text NOT NULL,
	`status` integer,
	`body` text,
	`created` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `payment_intents` (
	`id` text PRIMARY KEY NOT NULL,
	`amount` integer NOT NULL,
	`amount_refunded` integer NOT NULL,
	`currency` text NOT NULL,
	`latest_charge` text NOT NULL,
	`metadata` text NOT NULL,
	`created` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `refunds` (
	`id` text PRIMARY KEY NOT NULL,
	`payment_intent` text NOT NULL,
	`charge` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`reason` text,
	`metadata` text NOT NULL,
	`created` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `refunds_payment_intent` ON `refunds` (`payment_intent`);--> statement-breakpoint
CREATE TABLE `requests` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`method` text NOT NULL,
	`path` text NOT NULL,
	`idempotency_key` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`client_secret` text NOT NULL,
	`status` text NOT NULL,
	`payment_status` text NOT NULL,
	`mode` text NOT NULL,
	`ui_mode` text NOT NULL,
	`amount_total` integer NOT NULL,
	`currency` text NOT NULL,
	`line_items` text NOT NULL,
	`metadata` text NOT NULL,
	`client_reference_id` text,
	`payment_intent_metadata` text NOT NULL,
	`payment_intent` text,
	`return_url` text,
	`success_url` text,
	`cancel_url` text,
	`expires_at` integer NOT NULL,
	`created` integer NOT NULL
);
