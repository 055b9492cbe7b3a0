DROP INDEX `signin_failures_email_failed_at`;--> statement-breakpoint
ALTER TABLE `signin_failures` ADD `client` text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX `signin_failures_email_client_failed_at` ON `signin_failures` (`email`,`client`,`failed_at`);