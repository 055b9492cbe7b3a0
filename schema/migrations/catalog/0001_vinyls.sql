CREATE TABLE `vinyl_orders` (
	`order_id` text PRIMARY KEY NOT NULL,
	`vinyl_id` text NOT NULL,
	`status` text NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `vinyl_orders_vinyl_status` ON `vinyl_orders` (`vinyl_id`,`status`);--> statement-breakpoint
CREATE TABLE `vinyls` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`user_id` text NOT NULL,
	`title` text NOT NULL,
	`artist` text,
	`genre` text NOT NULL,
	`price_cents` integer NOT NULL,
	`currency` text DEFAULT 'USD' NOT NULL,
	`description` text,
	`image_url` text,
	`media_condition` text,
	`media_rank` integer GENERATED ALWAYS AS (case media_condition when 'M' then 8 when 'NM' then 7 when 'VG+' then 6 when 'VG' then 5 when 'G+' then 4 when 'G' then 3 when 'F' then 2 when 'P' then 1 end) VIRTUAL,
	`sleeve_condition` text,
	`format` text,
	`year` integer,
	`label` text,
	`status` text DEFAULT 'available' NOT NULL,
	`order_id` text,
	`version` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "vinyls_status" CHECK(status in ('available', 'reserved', 'sold', 'withdrawn')),
	CONSTRAINT "vinyls_price_cents" CHECK(price_cents > 0),
	CONSTRAINT "vinyls_order_id" CHECK((status in ('reserved', 'sold')) = (order_id is not null))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vinyls_id_unique` ON `vinyls` (`id`);--> statement-breakpoint
CREATE INDEX `vinyls_available_newest` ON `vinyls` (`created_at`,`id`,`price_cents`,`media_rank`) WHERE status = 'available';--> statement-breakpoint
CREATE INDEX `vinyls_available_price` ON `vinyls` (`price_cents`,`id`,`media_rank`) WHERE status = 'available';--> statement-breakpoint
CREATE INDEX `vinyls_available_genre_newest` ON `vinyls` (`genre`,`created_at`,`id`,`price_cents`,`media_rank`) WHERE status = 'available';--> statement-breakpoint
CREATE INDEX `vinyls_available_genre_price` ON `vinyls` (`genre`,`price_cents`,`id`,`media_rank`) WHERE status = 'available';--> statement-breakpoint
CREATE INDEX `vinyls_user_newest` ON `vinyls` (`user_id`,`created_at`,`id`);