ALTER TABLE `orders` ADD `shipping_cents` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `total_cents` integer;