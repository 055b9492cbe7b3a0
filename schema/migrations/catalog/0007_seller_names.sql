ALTER TABLE `vinyls` ADD `seller_username` text;--> statement-breakpoint
ALTER TABLE `vinyls` ADD `seller_display_name` text;--> statement-breakpoint
CREATE INDEX `vinyls_user_status_newest` ON `vinyls` (`user_id`,`status`,`created_at`,`id`,`price_cents`,`media_rank`);--> statement-breakpoint
-- Listings made before this migration take their seller's name from the profiles already replicated.
UPDATE `vinyls` SET
	`seller_username` = (SELECT `username` FROM `profiles` WHERE `profiles`.`user_id` = `vinyls`.`user_id`),
	`seller_display_name` = (SELECT `display_name` FROM `profiles` WHERE `profiles`.`user_id` = `vinyls`.`user_id`)
WHERE `user_id` IN (SELECT `user_id` FROM `profiles`);
