CREATE TABLE `inbox_sources` (
	`source` text PRIMARY KEY NOT NULL,
	`watermark` integer DEFAULT 0 NOT NULL,
	`latest_seq` integer DEFAULT 0 NOT NULL,
	`latest_at` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
DROP INDEX `outbox_created_at`;--> statement-breakpoint
ALTER TABLE `outbox` ADD `seq` integer;--> statement-breakpoint
ALTER TABLE `outbox` ADD `sent_at` integer;--> statement-breakpoint
CREATE INDEX `outbox_unsent` ON `outbox` (`created_at`) WHERE sent_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_destination_seq` ON `outbox` (`destination`,`seq`);--> statement-breakpoint
CREATE INDEX `outbox_sent_at` ON `outbox` (`sent_at`) WHERE sent_at is not null;--> statement-breakpoint
ALTER TABLE `inbox` ADD `source` text;--> statement-breakpoint
ALTER TABLE `inbox` ADD `seq` integer;--> statement-breakpoint
CREATE INDEX `inbox_source_seq` ON `inbox` (`source`,`seq`) WHERE seq is not null;