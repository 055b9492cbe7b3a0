CREATE TABLE `checkout_sessions` (
	`order_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`session_id` text,
	`status` text NOT NULL,
	`expires_at` integer NOT NULL,
	`return_url` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`order_id`, `attempt`),
	CONSTRAINT "checkout_sessions_status" CHECK(status in ('pending', 'open', 'complete', 'expired', 'abandoned'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `checkout_sessions_session_id` ON `checkout_sessions` (`session_id`);--> statement-breakpoint
CREATE INDEX `checkout_sessions_open` ON `checkout_sessions` (`order_id`) WHERE status = 'open';--> statement-breakpoint
CREATE TABLE `orders` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`status` text NOT NULL,
	`cancel_reason` text,
	`expires_at` text NOT NULL,
	`title` text NOT NULL,
	`price_cents` integer NOT NULL,
	`currency` text NOT NULL,
	`version` integer NOT NULL,
	CONSTRAINT "orders_status" CHECK(status in ('created', 'awaiting_payment', 'complete', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE `payments` (
	`id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`stripe_session_id` text NOT NULL,
	`stripe_payment_intent_id` text,
	`amount_cents` integer NOT NULL,
	`currency` text NOT NULL,
	`status` text NOT NULL,
	`stripe_refund_id` text,
	`version` integer NOT NULL,
	`created_at` text NOT NULL,
	`refunded_at` text,
	CONSTRAINT "payments_status" CHECK(status in ('paid', 'refunded')),
	CONSTRAINT "payments_amount_cents" CHECK(amount_cents >= 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `payments_stripe_session_id` ON `payments` (`stripe_session_id`);--> statement-breakpoint
CREATE INDEX `payments_order_id` ON `payments` (`order_id`);--> statement-breakpoint
CREATE INDEX `payments_paid` ON `payments` (`order_id`) WHERE status = 'paid';--> statement-breakpoint
CREATE TABLE `stripe_events` (
	`id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`processed_at` integer NOT NULL
);
