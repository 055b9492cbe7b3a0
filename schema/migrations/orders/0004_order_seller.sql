ALTER TABLE `orders` ADD `seller_id` text DEFAULT '' NOT NULL;--> statement-breakpoint
-- Every order was placed from a replica row, so its record's seller is known.
UPDATE `orders` SET `seller_id` = (SELECT `user_id` FROM `vinyls` WHERE `vinyls`.`id` = `orders`.`vinyl_id`) WHERE `seller_id` = '';
