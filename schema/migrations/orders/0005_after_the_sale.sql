CREATE TABLE `feedback` (
	`order_id` text PRIMARY KEY NOT NULL,
	`seller_id` text NOT NULL,
	`buyer_id` text NOT NULL,
	`vinyl_id` text NOT NULL,
	`vinyl_title` text NOT NULL,
	`rating` text NOT NULL,
	`comment` text,
	`created_at` text NOT NULL,
	`reply` text,
	`replied_at` text,
	CONSTRAINT "feedback_rating" CHECK(rating in ('positive', 'neutral', 'negative')),
	CONSTRAINT "feedback_reply" CHECK((reply is null) = (replied_at is null))
);
--> statement-breakpoint
CREATE INDEX `feedback_seller_created` ON `feedback` (`seller_id`,`created_at`,`order_id`);--> statement-breakpoint
CREATE TABLE `fulfilments` (
	`order_id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`paid_at` text NOT NULL,
	`carrier` text,
	`tracking_number` text,
	`shipped_at` text,
	`delivered_at` text,
	CONSTRAINT "fulfilments_status" CHECK(status in ('to_ship', 'shipped', 'delivered')),
	CONSTRAINT "fulfilments_shipment" CHECK((status = 'to_ship') = (shipped_at is null) and (shipped_at is null) = (carrier is null) and (carrier is null) = (tracking_number is null)),
	CONSTRAINT "fulfilments_delivered" CHECK((status = 'delivered') = (delivered_at is not null))
);
--> statement-breakpoint
CREATE INDEX `fulfilments_shipped` ON `fulfilments` (`shipped_at`) WHERE status = 'shipped';--> statement-breakpoint
CREATE TABLE `shipping_addresses` (
	`order_id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`line1` text NOT NULL,
	`line2` text,
	`city` text NOT NULL,
	`region` text,
	`postal_code` text NOT NULL,
	`country` text NOT NULL,
	`shipping_cents` integer NOT NULL,
	`total_cents` integer NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "shipping_addresses_cents" CHECK(shipping_cents >= 0 and total_cents >= shipping_cents)
);
--> statement-breakpoint
ALTER TABLE `vinyls` ADD `ships_from` text DEFAULT 'US' NOT NULL;--> statement-breakpoint
ALTER TABLE `vinyls` ADD `shipping_domestic_cents` integer DEFAULT 500 NOT NULL;--> statement-breakpoint
ALTER TABLE `vinyls` ADD `shipping_international_cents` integer;--> statement-breakpoint
CREATE INDEX `orders_seller_complete` ON `orders` (`seller_id`) WHERE status = 'complete';--> statement-breakpoint
-- Orders paid before fulfilment existed are waiting to be shipped; the last change of a complete order was its payment.
INSERT INTO `fulfilments` (`order_id`, `status`, `paid_at`) SELECT `id`, 'to_ship', `updated_at` FROM `orders` WHERE `status` = 'complete';
