CREATE TABLE `orders` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`vinyl_id` text NOT NULL,
	`vinyl_title` text NOT NULL,
	`price_cents` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`cancel_reason` text,
	`expires_at` text NOT NULL,
	`version` integer NOT NULL,
	`refunded_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "orders_status" CHECK(status in ('created', 'awaiting_payment', 'complete', 'cancelled')),
	CONSTRAINT "orders_cancel_reason" CHECK((status = 'cancelled') = (cancel_reason is not null)),
	CONSTRAINT "orders_price_cents" CHECK(price_cents >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orders_live_vinyl` ON `orders` (`vinyl_id`) WHERE status in ('created', 'awaiting_payment', 'complete');--> statement-breakpoint
CREATE INDEX `orders_user_created` ON `orders` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `orders_unpaid_expires` ON `orders` (`expires_at`) WHERE status in ('created', 'awaiting_payment');--> statement-breakpoint
CREATE TABLE `vinyls` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`title` text NOT NULL,
	`price_cents` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`version` integer NOT NULL,
	CONSTRAINT "vinyls_status" CHECK(status in ('available', 'reserved', 'sold', 'withdrawn'))
);
