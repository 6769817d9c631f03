package store_test

import (
	"testing"
	"time"

	"parley/internal/moderation"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

// TestModerationMigrationMovesCommentReports: migration 00013 moves the
// unresolved reports of comments into the queue, one item per comment and
// one flag per report; resolved reports stay out.
func TestModerationMigrationMovesCommentReports(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			o := store.Options{}
			if d == store.Postgres {
				o.DatabaseURL = storetest.PostgresURL(t)
			} else {
				o.SQLitePath = t.TempDir() + "/parley.db"
			}
			s, err := store.Open(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := store.MigrateToForTest(ctx, s, 12); err != nil {
				t.Fatal(err)
			}
			at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			for _, q := range []string{
				`INSERT INTO organisations (id, slug, name_en, name_cy, created_at) VALUES (1, 'old', 'Old', '', $1)`,
				`INSERT INTO users (id, email, created_at) VALUES (1, 'a@example.org', $1), (2, 'b@example.org', $1), (3, 'c@example.org', $1)`,
				`INSERT INTO proposal_boards (id, org_id, kind, title_en, moderation, accepting, created_at) VALUES (1, 1, 'ideas', 'Ideas', 'post', TRUE, $1)`,
				`INSERT INTO proposals (id, board_id, org_id, author_id, author_name, title, body, stage, status, created_at)
				 VALUES (1, 1, 1, 1, 'Ann', 'Benches', 'More', 'published', 'open', $1)`,
				`INSERT INTO proposal_comments (id, proposal_id, author_id, author_name, body, state, created_at)
				 VALUES (1, 1, 1, 'Ann', 'Rude words', 'visible', $1), (2, 1, 1, 'Ann', 'Fine words', 'visible', $1)`,
				`INSERT INTO proposal_comment_reports (comment_id, reporter_id, reason, created_at, resolved_at)
				 VALUES (1, 2, 'Rude', $1, NULL), (1, 3, 'Very rude', $1, NULL), (2, 2, 'Old', $1, $1)`,
			} {
				if err := store.ExecForTest(ctx, s, q, at); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			items, err := s.ModerationQueue(ctx, 1, moderation.QueueFilter{})
			if err != nil || len(items) != 1 {
				t.Fatalf("queue %+v %v", items, err)
			}
			it := items[0]
			if it.Ref != (moderation.Ref{Kind: moderation.KindComment, ID: 1}) || it.AuthorID != 1 || it.Text != "Rude words" || it.WhereKind != moderation.KindProposal ||
				it.WhereID != 1 || it.WhereTitle != "Benches" || it.Held || !it.OpenedAt.Equal(at) || len(it.Flags) != 2 ||
				it.Flags[0].ReporterID != 2 || it.Flags[0].Detail != "Rude" || it.Flags[1].Category != moderation.ReportOther {
				t.Errorf("moved item %+v", it)
			}
			if rc, err := s.ReportedComments(ctx, 1); err != nil || len(rc) != 1 || rc[0].Reports != 2 {
				t.Errorf("reported comments after the move %+v %v", rc, err)
			}
		})
	}
}
