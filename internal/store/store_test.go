package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/jobs"
	"parley/internal/org"
	"parley/internal/outbox"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

var ctx = context.Background()

func mustOrg(t *testing.T, s *store.Store, slug string) org.Organisation {
	t.Helper()
	o, err := s.CreateOrg(ctx, org.Organisation{Slug: slug, NameEN: "Org " + slug, NameCY: "Sefydliad " + slug}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestOrganisations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := mustOrg(t, s, "alpha")
		if a.ID == 0 || a.CreatedAt.IsZero() {
			t.Fatalf("not filled in: %+v", a)
		}
		got, err := s.OrgBySlug(ctx, "alpha")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a, got); diff != "" {
			t.Errorf("read back (-want +got):\n%s", diff)
		}
		if _, err := s.CreateOrg(ctx, org.Organisation{Slug: "alpha", NameEN: "Again"}, 0); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("duplicate slug: %v", err)
		}
		if _, err := s.CreateOrg(ctx, org.Organisation{Slug: "Bad Slug"}, 0); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("bad org: %v", err)
		}
		if _, err := s.OrgBySlug(ctx, "missing"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing: %v", err)
		}
		for _, slug := range []string{"delta", "bravo", "charlie"} {
			mustOrg(t, s, slug)
		}
		page, err := s.Orgs(ctx, "", 2)
		if err != nil || len(page) != 2 || page[0].Slug != "alpha" || page[1].Slug != "bravo" {
			t.Fatalf("first page %v %v", page, err)
		}
		page, err = s.Orgs(ctx, "bravo", 10)
		if err != nil || len(page) != 2 || page[0].Slug != "charlie" {
			t.Fatalf("second page %v %v", page, err)
		}
		log, err := s.AuditLog(ctx, a.ID, 10)
		if err != nil || len(log) != 1 || log[0].Action != "org.create" {
			t.Errorf("audit %v %v", log, err)
		}
	})
}

func TestStaffAndRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "council")
		other := mustOrg(t, s, "other")
		admin, err := s.AddStaff(ctx, o.ID, "Admin@Council.example", account.RoleAdmin, 0)
		if err != nil {
			t.Fatal(err)
		}
		if admin.Email != "admin@council.example" {
			t.Errorf("email not normalised: %q", admin.Email)
		}
		ed, err := s.AddStaff(ctx, o.ID, "ed@council.example", account.RoleEditor, admin.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddStaff(ctx, other.ID, "ed@council.example", account.RoleAnalyst, 0); err != nil {
			t.Fatal(err)
		}
		p, err := s.Principal(ctx, ed.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Can(o.ID, account.PermEdit) || p.Can(o.ID, account.PermManageStaff) || !p.Can(other.ID, account.PermAnalyse) || p.Can(other.ID, account.PermEdit) {
			t.Errorf("principal %+v", p)
		}
		if err := s.SetRole(ctx, o.ID, admin.ID, account.RoleEditor, admin.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("demoting the last admin: %v", err)
		}
		if err := s.RemoveStaff(ctx, o.ID, admin.ID, admin.ID); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("removing the last admin: %v", err)
		}
		if err := s.SetRole(ctx, o.ID, ed.ID, account.RoleAdmin, admin.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveStaff(ctx, o.ID, admin.ID, ed.ID); err != nil {
			t.Fatal(err)
		}
		staff, err := s.Staff(ctx, o.ID)
		if err != nil || len(staff) != 1 || staff[0].User.ID != ed.ID || staff[0].Role != account.RoleAdmin {
			t.Errorf("staff %+v %v", staff, err)
		}
		if err := s.SetRole(ctx, o.ID, 9999, account.RoleAdmin, 0); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown member: %v", err)
		}
		if err := s.SetDisplayName(ctx, ed.ID, "Ed"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetPlatformAdmin(ctx, ed.ID, true, 0); err != nil {
			t.Fatal(err)
		}
		u, _ := s.UserByEmail(ctx, "ED@council.example")
		if u.DisplayName != "Ed" || !u.PlatformAdmin {
			t.Errorf("user %+v", u)
		}
	})
}

func TestSignInLinks(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, c *storetest.Clock) {
		var token string
		compose := func(email, tok string) outbox.Message {
			token = tok
			return outbox.Message{Kind: "sign-in", To: email, Subject: "Sign in", Body: "Link: /sign-in/" + tok}
		}
		if err := s.CreateSignInLink(ctx, "Citizen@Example.org", "/org/x", 15*time.Minute, compose); err != nil {
			t.Fatal(err)
		}
		msgs, err := s.Outbox(ctx, 10)
		if err != nil || len(msgs) != 1 || msgs[0].To != "citizen@example.org" || !strings.Contains(msgs[0].Body, token) {
			t.Fatalf("outbox %+v %v", msgs, err)
		}
		queued, _ := s.JobsByKind(ctx, outbox.JobKind, 10)
		if len(queued) != 1 || !strings.Contains(string(queued[0].Payload), fmt.Sprint(msgs[0].ID)) {
			t.Errorf("send job %+v", queued)
		}
		u, ret, err := s.UseSignInLink(ctx, token)
		if err != nil || u.Email != "citizen@example.org" || ret != "/org/x" {
			t.Fatalf("use: %+v %q %v", u, ret, err)
		}
		if _, _, err := s.UseSignInLink(ctx, token); !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("second use: %v", err)
		}
		if err := s.CreateSignInLink(ctx, "citizen@example.org", "", 15*time.Minute, compose); err != nil {
			t.Fatal(err)
		}
		c.Advance(16 * time.Minute)
		if _, _, err := s.UseSignInLink(ctx, token); !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("expired link: %v", err)
		}
		if n, err := s.DeleteExpiredSignInLinks(ctx); err != nil || n != 2 {
			t.Errorf("cleanup removed %d, %v", n, err)
		}
		if err := s.CreateSignInLink(ctx, "not-an-email", "", time.Minute, compose); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("bad email: %v", err)
		}
	})
}

func TestIdentities(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		existing, _ := s.EnsureUser(ctx, "person@example.org")
		u, err := s.SignInWithIdentity(ctx, "https://id.example", "sub-1", "Person@example.org", true)
		if err != nil || u.ID != existing.ID {
			t.Fatalf("link by verified email: %+v %v", u, err)
		}
		again, err := s.SignInWithIdentity(ctx, "https://id.example", "sub-1", "changed@example.org", false)
		if err != nil || again.ID != existing.ID {
			t.Errorf("known identity: %+v %v", again, err)
		}
		if _, err := s.SignInWithIdentity(ctx, "https://id.example", "sub-2", "x@example.org", false); !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("unverified new identity: %v", err)
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, c *storetest.Clock) {
		o := mustOrg(t, s, "dept")
		u, _ := s.AddStaff(ctx, o.ID, "staff@dept.example", account.RoleAnalyst, 0)
		plain, tok, err := s.CreateAPIToken(ctx, u.ID, "cli", time.Time{}, 0)
		if err != nil || !strings.HasPrefix(plain, account.TokenPrefix) {
			t.Fatal(plain, err)
		}
		p, used, err := s.PrincipalByToken(ctx, plain)
		if err != nil || p.User.ID != u.ID || used.ID != tok.ID || used.LastUsedAt.IsZero() {
			t.Fatalf("lookup: %+v %+v %v", p, used, err)
		}
		if _, _, err := s.PrincipalByToken(ctx, plain+"x"); !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("wrong token: %v", err)
		}
		if err := s.RevokeAPIToken(ctx, tok.ID, 0); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.PrincipalByToken(ctx, plain); !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("revoked token: %v", err)
		}
		short, _, _ := s.CreateAPIToken(ctx, u.ID, "short", c.T.Add(time.Hour), 0)
		c.Advance(2 * time.Hour)
		if _, _, err := s.PrincipalByToken(ctx, short); !apperr.Is(err, apperr.Unauthenticated) {
			t.Errorf("expired token: %v", err)
		}
		list, _ := s.APITokens(ctx, u.ID)
		if len(list) != 2 || list[1].RevokedAt.IsZero() {
			t.Errorf("list %+v", list)
		}
	})
}

func TestSessions(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, c *storetest.Clock) {
		ss := s.Sessions()
		if err := ss.CommitCtx(ctx, "tok", []byte("data1"), c.T.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := ss.CommitCtx(ctx, "tok", []byte("data2"), c.T.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		b, ok, err := ss.FindCtx(ctx, "tok")
		if err != nil || !ok || string(b) != "data2" {
			t.Fatalf("find %q %v %v", b, ok, err)
		}
		c.Advance(2 * time.Hour)
		if _, ok, _ := ss.FindCtx(ctx, "tok"); ok {
			t.Error("expired session found")
		}
		if n, err := ss.DeleteExpired(ctx); err != nil || n != 1 {
			t.Errorf("deleted %d %v", n, err)
		}
		_ = ss.CommitCtx(ctx, "t2", []byte("x"), c.T.Add(time.Hour))
		if err := ss.DeleteCtx(ctx, "t2"); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := ss.FindCtx(ctx, "t2"); ok {
			t.Error("deleted session found")
		}
	})
}

func TestJobQueue(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, c *storetest.Clock) {
		if err := s.Enqueue(ctx, jobs.New{Kind: "a", Payload: map[string]int{"n": 1}}); err != nil {
			t.Fatal(err)
		}
		if err := s.Enqueue(ctx, jobs.New{Kind: "later", RunAt: c.T.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		// A key held by an unfinished job is not enqueued twice.
		for range 2 {
			if err := s.Enqueue(ctx, jobs.New{Kind: "keyed", Key: "k1"}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Claim(ctx, "w1", 10, time.Minute)
		if err != nil || len(got) != 2 {
			t.Fatalf("claim: %+v %v", got, err)
		}
		if got[0].Kind != "a" || got[0].Attempts != 1 || string(got[0].Payload) != `{"n":1}` {
			t.Errorf("job %+v", got[0])
		}
		if more, _ := s.Claim(ctx, "w2", 10, time.Minute); len(more) != 0 {
			t.Errorf("leased jobs claimed again: %+v", more)
		}
		if err := s.Complete(ctx, got[0].ID, "w2"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("completion by a non-owner: %v", err)
		}
		if err := s.Complete(ctx, got[0].ID, "w1"); err != nil {
			t.Fatal(err)
		}
		if err := s.Retry(ctx, got[1].ID, "w1", c.T.Add(10*time.Second), "temporary"); err != nil {
			t.Fatal(err)
		}
		// Finished keys may be used again.
		if err := s.Enqueue(ctx, jobs.New{Kind: "keyed", Key: "k1"}); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.JobsByKind(ctx, "keyed", 10); len(n) != 1 {
			t.Errorf("retried key held by a ready job, yet re-enqueued: %d", len(n))
		}
		c.Advance(11 * time.Second)
		again, _ := s.Claim(ctx, "w1", 10, time.Minute)
		if len(again) != 1 || again[0].Attempts != 2 || again[0].LastError != "temporary" {
			t.Fatalf("retry claim %+v", again)
		}
		// The worker dies; after its lease runs out another takes the job.
		c.Advance(2 * time.Minute)
		stolen, _ := s.Claim(ctx, "w2", 10, time.Minute)
		if len(stolen) != 1 || stolen[0].ID != again[0].ID || stolen[0].Attempts != 3 {
			t.Fatalf("lease expiry %+v", stolen)
		}
		if err := s.Complete(ctx, again[0].ID, "w1"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("late completion by the old owner: %v", err)
		}
		if err := s.Bury(ctx, stolen[0].ID, "w2", "gave up"); err != nil {
			t.Fatal(err)
		}
		counts, _ := s.JobCounts(ctx)
		if diff := cmp.Diff(map[jobs.State]int{jobs.Done: 1, jobs.Dead: 1, jobs.Ready: 1}, counts); diff != "" {
			t.Errorf("counts (-want +got):\n%s", diff)
		}
		c.Advance(time.Hour)
		if later, _ := s.Claim(ctx, "w1", 10, time.Minute); len(later) != 1 || later[0].Kind != "later" {
			t.Errorf("scheduled job %+v", later)
		}
		if n, err := s.PurgeFinishedJobs(ctx, c.T); err != nil || n != 1 {
			t.Errorf("purged %d %v", n, err)
		}
	})
}

func TestConcurrentClaimsNeverShareAJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		const n = 60
		for i := range n {
			if err := s.Enqueue(ctx, jobs.New{Kind: "c", Payload: i}); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		seen := map[int64]string{}
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				owner := fmt.Sprintf("w%d", w)
				for {
					got, err := s.Claim(ctx, owner, 5, time.Minute)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, j := range got {
						if prev, dup := seen[j.ID]; dup {
							t.Errorf("job %d claimed by %s and %s", j.ID, prev, owner)
						}
						seen[j.ID] = owner
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != n {
			t.Errorf("claimed %d of %d", len(seen), n)
		}
	})
}

func TestSubscriptionsFanOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "council")
		a, _ := s.EnsureUser(ctx, "a@example.org")
		b, _ := s.EnsureUser(ctx, "b@example.org")
		for _, u := range []account.User{a, b, a} {
			if err := s.Subscribe(ctx, u.ID, "org", o.ID); err != nil {
				t.Fatal(err)
			}
		}
		if ok, _ := s.IsSubscribed(ctx, a.ID, "org", o.ID); !ok {
			t.Error("not subscribed")
		}
		if followed, err := s.FollowedOrgs(ctx, a.ID); err != nil || len(followed) != 1 || followed[0].Slug != "council" {
			t.Errorf("followed %+v %v", followed, err)
		}
		evID, err := s.PublishEvent(ctx, outbox.Event{TargetKind: "org", TargetID: o.ID, Subject: "News", Body: "Something happened", URL: "/orgs/council"}, 0)
		if err != nil {
			t.Fatal(err)
		}
		compose := func(ev outbox.Event, sub account.Subscription, u account.User) outbox.Message {
			return outbox.Message{Kind: "event", To: u.Email, Subject: ev.Subject, Body: ev.Body + "\nUnsubscribe: /unsubscribe/" + sub.Token}
		}
		for i, want := range []int{2, 0} { // the second run finds the event done
			n, err := s.FanOut(ctx, evID, compose)
			if err != nil || n != want {
				t.Errorf("run %d: sent %d, %v", i, n, err)
			}
		}
		msgs, _ := s.Outbox(ctx, 10)
		if len(msgs) != 2 {
			t.Fatalf("outbox has %d", len(msgs))
		}
		subs, _ := s.Subscriptions(ctx, b.ID)
		if len(subs) != 1 || !strings.Contains(msgs[0].Body+msgs[1].Body, subs[0].Token) {
			t.Fatalf("unsubscribe token missing")
		}
		if _, err := s.UnsubscribeByToken(ctx, subs[0].Token); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UnsubscribeByToken(ctx, subs[0].Token); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("second unsubscribe: %v", err)
		}
		if err := s.Unsubscribe(ctx, a.ID, "org", o.ID); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.IsSubscribed(ctx, a.ID, "org", o.ID); ok {
			t.Error("still subscribed")
		}
	})
}

func TestOutboxMarks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		id, err := s.SendEmail(ctx, outbox.Message{Kind: "test", To: "x@example.org", Subject: "Hi", Body: "Body"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MarkOutboxFailed(ctx, id, "451 try later"); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkOutboxSent(ctx, id); err != nil {
			t.Fatal(err)
		}
		m, _ := s.OutboxMessage(ctx, id)
		if m.SentAt.IsZero() || m.Attempts != 2 || m.LastError != "" {
			t.Errorf("message %+v", m)
		}
		if _, err := s.SendEmail(ctx, outbox.Message{Kind: "test", To: "bad", Subject: "x", Body: "y"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("invalid message: %v", err)
		}
	})
}

func TestMigrateIsIdempotentAndSafeInParallel(t *testing.T) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			o := store.Options{}
			if d == store.Postgres {
				o.DatabaseURL = storetest.PostgresURL(t)
			} else {
				o.SQLitePath = t.TempDir() + "/p.db"
			}
			var wg sync.WaitGroup
			errs := make(chan error, 3)
			for range 3 { // three instances starting at once
				wg.Add(1)
				go func() {
					defer wg.Done()
					s, err := store.Open(ctx, o)
					if err != nil {
						errs <- err
						return
					}
					defer s.Close()
					errs <- s.Migrate(ctx)
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			s, err := store.Open(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if v, err := s.SchemaVersion(ctx); err != nil || v < 1 {
				t.Errorf("version %d %v", v, err)
			}
		})
	}
}
