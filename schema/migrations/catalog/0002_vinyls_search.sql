-- Full-text search over listings (drizzle cannot express FTS5 virtual tables).
-- External content: the index stores only tokens and reads the text from `vinyls`, keyed by
-- its rowid alias `seq`; the triggers below keep it in step with every write.
-- unicode61 with remove_diacritics 2 lets "bjork" find "Björk".
CREATE VIRTUAL TABLE `vinyls_search` USING fts5(
	title, artist, label, description,
	content = 'vinyls',
	content_rowid = 'seq',
	tokenize = 'unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `vinyls_search_insert` AFTER INSERT ON `vinyls` BEGIN
	INSERT INTO vinyls_search (rowid, title, artist, label, description)
	VALUES (new.seq, new.title, new.artist, new.label, new.description);
END;
--> statement-breakpoint
CREATE TRIGGER `vinyls_search_delete` AFTER DELETE ON `vinyls` BEGIN
	INSERT INTO vinyls_search (vinyls_search, rowid, title, artist, label, description)
	VALUES ('delete', old.seq, old.title, old.artist, old.label, old.description);
END;
--> statement-breakpoint
-- Only the searchable columns: reservations and price changes do not touch the index.
CREATE TRIGGER `vinyls_search_update` AFTER UPDATE OF title, artist, label, description ON `vinyls` BEGIN
	INSERT INTO vinyls_search (vinyls_search, rowid, title, artist, label, description)
	VALUES ('delete', old.seq, old.title, old.artist, old.label, old.description);
	INSERT INTO vinyls_search (rowid, title, artist, label, description)
	VALUES (new.seq, new.title, new.artist, new.label, new.description);
END;
