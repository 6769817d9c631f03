package store_test

import (
	"sync"
	"testing"
	"time"

	"parley/internal/account"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

func TestAuditChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a, b := mustOrg(t, s, "alpha"), mustOrg(t, s, "bravo")
		// Concurrent staff actions in two organisations: neither chain forks.
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o := a
				if i%2 == 1 {
					o = b
				}
				if _, err := s.AddStaff(ctx, o.ID, "person"+string(rune('a'+i))+"@example.org", account.RoleAnalyst, 0); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		for _, o := range []int64{a.ID, b.ID} {
			c, err := s.CheckAuditChain(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			if !c.Intact() || c.Entries < 10 || len(c.Head) != 64 {
				t.Errorf("org %d chain: %+v", o, c)
			}
		}

		// An entry written before the chain existed is chained when the
		// schema is next brought up to date.
		before, _ := s.CheckAuditChain(ctx, a.ID)
		if err := store.ExecForTest(ctx, s, `INSERT INTO audit_log (at, org_id, action, target) VALUES ($1, $2, 'org.update', 'legacy')`, time.Now().UTC(), a.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if after, err := s.CheckAuditChain(ctx, a.ID); err != nil || !after.Intact() || after.Entries != before.Entries+1 {
			t.Errorf("after chaining an old entry: %+v %v (before %+v)", after, err, before)
		}

		// The log is append-only to anyone with the database too.
		entries, err := s.AuditChain(ctx, a.ID, 0, 100)
		if err != nil || len(entries) < 2 {
			t.Fatalf("entries %v %v", entries, err)
		}
		victim := entries[1]
		if err := store.ExecForTest(ctx, s, `UPDATE audit_log SET detail = 'nothing to see' WHERE id = $1`, victim.ID); err == nil {
			t.Error("an entry was changed")
		}
		if err := store.ExecForTest(ctx, s, `DELETE FROM audit_log WHERE id = $1`, victim.ID); err == nil {
			t.Error("an entry was deleted")
		}

		// Past the triggers (a database owner can drop them), a change is
		// found at the entry changed.
		drop := `DROP TRIGGER audit_log_no_update`
		if s.Dialect() == store.Postgres {
			drop = `DROP TRIGGER audit_log_append_only ON audit_log`
		}
		if err := store.ExecForTest(ctx, s, drop); err != nil {
			t.Fatal(err)
		}
		if err := store.ExecForTest(ctx, s, `UPDATE audit_log SET detail = 'nothing to see' WHERE id = $1`, victim.ID); err != nil {
			t.Fatal(err)
		}
		c, err := s.CheckAuditChain(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Intact() || c.BrokenAt != victim.ID || c.Entries != 1 {
			t.Errorf("tampered chain: %+v, want broken at %d after 1", c, victim.ID)
		}
		if c, _ := s.CheckAuditChain(ctx, b.ID); !c.Intact() {
			t.Errorf("the other organisation's chain: %+v", c)
		}
	})
}
