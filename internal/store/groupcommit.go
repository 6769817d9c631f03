package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// groupCommit runs small writes that arrive together in one transaction,
// so that a burst of votes (or signatures) costs one commit and one fsync
// instead of one each. Each write runs inside its own savepoint: one that
// fails is rolled back alone and reports its own error, the others commit.
// A caller hears back only after the commit, so an acknowledged write is
// durable.
type groupCommit struct {
	db       *sql.DB
	ops      chan *groupOp
	maxOps   int
	stop     chan struct{}
	finished chan struct{} // closed when the loop has answered everything it took
	stopped  sync.WaitGroup
	once     sync.Once
}

// groupOp is one write waiting for a group.
type groupOp struct {
	fn   func(ctx context.Context, tx *sql.Tx) error
	done chan error
}

// groupLimit bounds one group: big enough to share the commit among a
// burst, small enough that the transaction holds the write lock briefly.
const groupLimit = 256

func newGroupCommit(db *sql.DB) *groupCommit {
	g := &groupCommit{db: db, ops: make(chan *groupOp, 4*groupLimit), maxOps: groupLimit, stop: make(chan struct{}), finished: make(chan struct{})}
	g.stopped.Add(1)
	go g.loop()
	return g
}

// errClosed answers writes that arrive after the store was closed.
var errClosed = errors.New("store: closed")

// do queues fn and waits for its group to commit. fn runs with a context
// of its own, not the caller's: one caller giving up must not abort the
// others' transaction.
func (g *groupCommit) do(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	op := &groupOp{fn: fn, done: make(chan error, 1)}
	select {
	case g.ops <- op:
	case <-g.stop:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-op.done:
		return err
	case <-g.finished:
		// Queued just as the store closed: answered by the loop, or never run.
		select {
		case err := <-op.done:
			return err
		default:
			return errClosed
		}
	case <-ctx.Done():
		// The write may still commit; the caller is gone and cannot be told.
		return ctx.Err()
	}
}

func (g *groupCommit) loop() {
	defer g.stopped.Done()
	defer close(g.finished)
	batch := make([]*groupOp, 0, g.maxOps)
	for {
		select {
		case op := <-g.ops:
			batch = append(batch[:0], op)
		case <-g.stop:
			g.drain()
			return
		}
		// Take whatever else is already waiting; never wait for more, so a
		// lone write is not delayed.
	fill:
		for len(batch) < g.maxOps {
			select {
			case op := <-g.ops:
				batch = append(batch, op)
			default:
				break fill
			}
		}
		g.run(batch)
	}
}

// drain answers writes still queued at close.
func (g *groupCommit) drain() {
	for {
		select {
		case op := <-g.ops:
			op.done <- errClosed
		default:
			return
		}
	}
}

// run executes one group in one transaction and tells every caller.
func (g *groupCommit) run(batch []*groupOp) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	results := make([]error, len(batch))
	err := func() error {
		tx, err := g.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for i, op := range batch {
			sp := fmt.Sprintf("op%d", i)
			if _, err := tx.ExecContext(ctx, "SAVEPOINT "+sp); err != nil {
				_ = tx.Rollback()
				return err
			}
			if results[i] = op.fn(ctx, tx); results[i] != nil {
				if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+sp); err != nil {
					_ = tx.Rollback()
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT "+sp); err != nil {
				_ = tx.Rollback()
				return err
			}
		}
		return tx.Commit()
	}()
	for i, op := range batch {
		if err != nil {
			op.done <- mapErr(err) // nothing of the group was saved
		} else {
			op.done <- mapErr(results[i])
		}
	}
}

// close stops taking writes and waits for the group in hand to finish.
func (g *groupCommit) close() {
	g.once.Do(func() { close(g.stop) })
	g.stopped.Wait()
}
