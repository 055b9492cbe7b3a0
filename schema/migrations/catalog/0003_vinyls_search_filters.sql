-- The full-text index also holds each listing's genre and status, so a search of the records
-- for sale, in one genre or all, is answered by the index alone: FTS5 intersects the words'
-- matches with the genre's and with `available`'s in rowid order and stops after a page,
-- instead of reading every match and dropping sold records and other genres one listing at
-- a time. A shopper's text is matched only in the four text columns
-- (workers/catalog/src/search.ts), so typing "sold" or a genre's name finds what it always did.
-- A status change now rewrites the listing's index entry. FTS5 cannot add a column, so the
-- index is made again and rebuilt from `vinyls`.
DROP TRIGGER `vinyls_search_insert`;
--> statement-breakpoint
DROP TRIGGER `vinyls_search_delete`;
--> statement-breakpoint
DROP TRIGGER `vinyls_search_update`;
--> statement-breakpoint
DROP TABLE `vinyls_search`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `vinyls_search` USING fts5(
	title, artist, label, description, genre, status,
	content = 'vinyls',
	content_rowid = 'seq',
	tokenize = 'unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `vinyls_search_insert` AFTER INSERT ON `vinyls` BEGIN
	INSERT INTO vinyls_search (rowid, title, artist, label, description, genre, status)
	VALUES (new.seq, new.title, new.artist, new.label, new.description, new.genre, new.status);
END;
--> statement-breakpoint
CREATE TRIGGER `vinyls_search_delete` AFTER DELETE ON `vinyls` BEGIN
	INSERT INTO vinyls_search (vinyls_search, rowid, title, artist, label, description, genre, status)
	VALUES ('delete', old.seq, old.title, old.artist, old.label, old.description, old.genre, old.status);
END;
--> statement-breakpoint
-- Only the indexed columns: price changes and an order's id do not touch the index.
CREATE TRIGGER `vinyls_search_update` AFTER UPDATE OF title, artist, label, description, genre, status ON `vinyls` BEGIN
	INSERT INTO vinyls_search (vinyls_search, rowid, title, artist, label, description, genre, status)
	VALUES ('delete', old.seq, old.title, old.artist, old.label, old.description, old.genre, old.status);
	INSERT INTO vinyls_search (rowid, title, artist, label, description, genre, status)
	VALUES (new.seq, new.title, new.artist, new.label, new.description, new.genre, new.status);
END;
--> statement-breakpoint
INSERT INTO vinyls_search (vinyls_search) VALUES ('rebuild');
