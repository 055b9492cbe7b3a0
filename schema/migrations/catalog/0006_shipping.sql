ALTER TABLE `vinyls` ADD `ships_from` text DEFAULT 'US' NOT NULL;--> statement-breakpoint
ALTER TABLE `vinyls` ADD `shipping_domestic_cents` integer DEFAULT 500 NOT NULL;--> statement-breakpoint
ALTER TABLE `vinyls` ADD `shipping_international_cents` integer;