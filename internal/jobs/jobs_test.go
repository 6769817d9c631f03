package jobs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"parley/internal/jobs"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	prev := time.Duration(0)
	for n := 1; n < 20; n++ {
		d := jobs.Backoff(n)
		if d < prev || d > 6*time.Hour {
			t.Errorf("Backoff(%d) = %v after %v", n, d, prev)
		}
		prev = d
	}
	if jobs.Backoff(1) != 10*time.Second {
		t.Errorf("first backoff %v", jobs.Backoff(1))
	}
}

func TestRunnerOutcomes(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, c *storetest.Clock) {
		ctx := context.Background()
		r := &jobs.Runner{Queue: s, Owner: "test", Now: c.Now}
		var ok, flaky, panics atomic.Int32
		r.Handle("ok", func(ctx context.Context, j jobs.Job) error { ok.Add(1); return nil })
		r.Handle("flaky", func(ctx context.Context, j jobs.Job) error {
			if flaky.Add(1) < 3 {
				return errors.New("not yet")
			}
			return nil
		})
		r.Handle("broken", func(ctx context.Context, j jobs.Job) error { return jobs.Permanent(errors.New("bad input")) })
		r.Handle("panics", func(ctx context.Context, j jobs.Job) error { panics.Add(1); panic("boom") })
		for _, k := range []string{"ok", "flaky", "broken", "unknown"} {
			if err := s.Enqueue(ctx, jobs.New{Kind: k}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Enqueue(ctx, jobs.New{Kind: "panics", MaxAttempts: 2}); err != nil {
			t.Fatal(err)
		}
		for range 4 {
			if _, err := r.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
			c.Advance(time.Hour)
		}
		if ok.Load() != 1 || flaky.Load() != 3 || panics.Load() != 2 {
			t.Errorf("ran ok %d flaky %d panics %d", ok.Load(), flaky.Load(), panics.Load())
		}
		counts, _ := s.JobCounts(ctx)
		if counts[jobs.Done] != 2 || counts[jobs.Dead] != 3 {
			t.Errorf("counts %v", counts)
		}
		dead, _ := s.JobsByKind(ctx, "unknown", 1)
		if len(dead) != 1 || dead[0].State != jobs.Dead || dead[0].LastError == "" {
			t.Errorf("unknown kind %+v", dead)
		}
	})
}

func TestRecurringJobsRunOncePerSlotAcrossInstances(t *testing.T) {
	storetest.EachWithClock(t, func(t *testing.T, s *store.Store, c *storetest.Clock) {
		var runs atomic.Int32
		newRunner := func(owner string) *jobs.Runner {
			r := &jobs.Runner{Queue: s, Owner: owner, Now: c.Now, Poll: 5 * time.Millisecond}
			r.Handle("tick", func(ctx context.Context, j jobs.Job) error { runs.Add(1); return nil })
			r.Every("tick", time.Minute)
			return r
		}
		a, b := newRunner("a"), newRunner("b")
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		done := make(chan struct{}, 2)
		for _, r := range []*jobs.Runner{a, b} {
			go func() { r.Run(ctx, context.Background()); done <- struct{}{} }()
		}
		<-done
		<-done
		if runs.Load() != 1 {
			t.Errorf("two instances ran the job %d times in one slot", runs.Load())
		}
	})
}

func TestRunDrainsInFlightJobsOnShutdown(t *testing.T) {
	s := storetest.Open(t, store.SQLite, nil)
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	var finished atomic.Bool
	r := &jobs.Runner{Queue: s, Owner: "x", Poll: 5 * time.Millisecond}
	r.Handle("slow", func(ctx context.Context, j jobs.Job) error {
		close(started)
		time.Sleep(100 * time.Millisecond)
		finished.Store(true)
		return nil
	})
	if err := s.Enqueue(context.Background(), jobs.New{Kind: "slow"}); err != nil {
		t.Fatal(err)
	}
	stopped := make(chan struct{})
	go func() { r.Run(ctx, context.Background()); close(stopped) }()
	<-started
	cancel()
	<-stopped
	if !finished.Load() {
		t.Error("Run returned before the job in hand finished")
	}
	counts, _ := s.JobCounts(context.Background())
	if counts[jobs.Done] != 1 {
		t.Errorf("job not recorded done: %v", counts)
	}
}
