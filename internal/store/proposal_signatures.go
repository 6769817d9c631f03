package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"parley/internal/account"
	"parley/internal/apperr"
	"parley/internal/outbox"
	"parley/internal/proposal"
)

// Petition signatures arrive in spikes: thousands a second when a petition
// is in the news. They do not go through the generic group commit (one
// savepoint and a handful of statements per write) but through a batcher
// of their own: each request waits in a bounded queue, and one loop takes
// everything waiting and writes it with a few multi-row statements in one
// transaction — one INSERT for all the signatures, one for all their
// confirmation emails, one UPDATE for all the confirmations and one counter
// upsert per petition and area. A caller hears back only after the commit
// (SQLite runs synchronous=FULL), so an acknowledged signature is on disk.
// When the queue is full the caller is told at once (apperr.Unavailable,
// a 503 with Retry-After on the web) instead of queueing without bound.
//
// Signing again with the same normalised address stores nothing and sends
// nothing: the first link still works, and a mailbox cannot be flooded with
// links by someone who knows its address.

// sigBatchMax bounds one batch: enough to share a commit among a spike,
// and 500 rows × 14 columns stays far below both databases' limits on
// bind variables (SQLite 32,766, PostgreSQL 65,535).
const sigBatchMax = 500

// DefaultSignatureQueue is how many signature writes may wait before new
// ones are refused with Unavailable.
const DefaultSignatureQueue = 4096

// sigBatcher is the signature write loop.
type sigBatcher struct {
	s        *Store
	reqs     chan *sigReq
	stop     chan struct{}
	finished chan struct{}
	stopped  sync.WaitGroup
	once     sync.Once
	// hold is held while a batch runs; tests hold it to stall the loop.
	hold sync.Mutex
}

// sigReq is one submission or confirmation waiting for its batch.
type sigReq struct {
	confirm   bool
	sig       proposal.Signature // submission: the signature, normalised
	msg       outbox.Message     // submission: its confirmation email
	tokenHash string             // both: the hash of the link's token
	done      chan sigResult
}

type sigResult struct {
	sig proposal.Signature
	err error
}

func newSigBatcher(s *Store, queue int) *sigBatcher {
	if queue <= 0 {
		queue = DefaultSignatureQueue
	}
	b := &sigBatcher{s: s, reqs: make(chan *sigReq, queue), stop: make(chan struct{}), finished: make(chan struct{})}
	b.stopped.Add(1)
	go b.loop()
	return b
}

// errSigBusy answers a signature when the queue is full.
var errSigBusy = apperr.New(apperr.Unavailable, "error.503.body")

// submit queues r without waiting for room, then waits for its batch.
func (b *sigBatcher) submit(ctx context.Context, r *sigReq) (proposal.Signature, error) {
	select {
	case <-b.stop:
		return proposal.Signature{}, errClosed
	default:
	}
	select {
	case b.reqs <- r:
	default:
		return proposal.Signature{}, errSigBusy
	}
	select {
	case res := <-r.done:
		return res.sig, res.err
	case <-b.finished:
		select {
		case res := <-r.done:
			return res.sig, res.err
		default:
			return proposal.Signature{}, errClosed
		}
	case <-ctx.Done():
		// The write may still commit; the caller is gone and cannot be told.
		return proposal.Signature{}, ctx.Err()
	}
}

func (b *sigBatcher) loop() {
	defer b.stopped.Done()
	defer close(b.finished)
	batch := make([]*sigReq, 0, sigBatchMax)
	for {
		select {
		case r := <-b.reqs:
			batch = append(batch[:0], r)
		case <-b.stop:
			for {
				select {
				case r := <-b.reqs:
					r.done <- sigResult{err: errClosed}
				default:
					return
				}
			}
		}
		// Take whatever else is waiting; never wait for more, so a lone
		// signature is not delayed.
	fill:
		for len(batch) < sigBatchMax {
			select {
			case r := <-b.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		b.hold.Lock()
		b.run(batch)
		b.hold.Unlock()
		clear(batch)
	}
}

func (b *sigBatcher) close() {
	b.once.Do(func() { close(b.stop) })
	b.stopped.Wait()
}

// run writes one batch in one transaction and answers every caller.
func (b *sigBatcher) run(batch []*sigReq) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	results := make([]sigResult, len(batch))
	err := b.s.tx(ctx, func(tx *sql.Tx) error {
		clear(results)
		now := b.s.clock()
		var subs, confs []int
		for i, r := range batch {
			if r.confirm {
				confs = append(confs, i)
			} else {
				subs = append(subs, i)
			}
		}
		if err := b.s.insertSignatures(ctx, tx, batch, subs, results, now); err != nil {
			return err
		}
		return b.s.confirmSignatures(ctx, tx, batch, confs, results, now)
	})
	for i, r := range batch {
		if err != nil {
			r.done <- sigResult{err: err} // nothing of the batch was saved
		} else {
			r.done <- results[i]
		}
	}
}

// supportability answers, per petition and batch, whether it takes
// signatures (and sponsor signatures).
type petitionState struct {
	err         error // NotFound or Conflict: refuse
	sponsorOnly bool  // collecting sponsors: only sponsor signatures
}

func petitionStateOf(ctx context.Context, tx *sql.Tx, id int64, now time.Time) (petitionState, error) {
	var (
		p       proposal.Proposal
		closes  sql.NullTime
		merged  sql.NullInt64
		boardOf proposal.Kind
	)
	err := tx.QueryRowContext(ctx,
		`SELECT p.stage, p.status, p.closes_at, p.merged_into, b.kind FROM proposals p JOIN proposal_boards b ON b.id = p.board_id WHERE p.id = $1`, id).
		Scan(&p.Stage, &p.Status, &closes, &merged, &boardOf)
	if errors.Is(err, sql.ErrNoRows) {
		return petitionState{err: apperr.New(apperr.NotFound, "error.404.body")}, nil
	}
	if err != nil {
		return petitionState{}, err
	}
	p.ClosesAt, p.MergedInto = timeOf(closes), merged.Int64
	switch {
	case boardOf != proposal.Petitions:
		return petitionState{err: apperr.New(apperr.Conflict, "error.signature.closed")}, nil
	case p.Stage == proposal.Sponsoring:
		return petitionState{sponsorOnly: true}, nil
	case !p.Supportable(now):
		return petitionState{err: apperr.New(apperr.Conflict, "error.signature.closed")}, nil
	}
	return petitionState{}, nil
}

// sigKey identifies a signature: one per normalised address per petition.
type sigKey struct {
	proposal int64
	email    string
}

// insertSignatures stores the batch's new signatures and their emails.
func (s *Store) insertSignatures(ctx context.Context, tx *sql.Tx, batch []*sigReq, subs []int, results []sigResult, now time.Time) error {
	if len(subs) == 0 {
		return nil
	}
	states := map[int64]petitionState{}
	first := map[sigKey]int{} // the request that writes each signature
	var rows []int
	for _, i := range subs {
		sig := batch[i].sig
		st, ok := states[sig.ProposalID]
		if !ok {
			var err error
			if st, err = petitionStateOf(ctx, tx, sig.ProposalID, now); err != nil {
				return err
			}
			states[sig.ProposalID] = st
		}
		switch {
		case st.err != nil:
			results[i].err = st.err
			continue
		case st.sponsorOnly != sig.Sponsor:
			// A sponsor link for a petition already past sponsoring, or an
			// ordinary signature on one still collecting sponsors.
			results[i].err = apperr.New(apperr.Conflict, "error.signature.closed")
			continue
		}
		k := sigKey{sig.ProposalID, sig.EmailNorm}
		if _, dup := first[k]; dup {
			continue // signed twice in one batch: the first one stands
		}
		first[k] = i
		rows = append(rows, i)
	}
	// Rows go in key order, so two batches writing at once (several
	// instances on one PostgreSQL) take the unique index's locks in the
	// same order and cannot wait for each other.
	slices.SortFunc(rows, func(a, b int) int {
		x, y := batch[a].sig, batch[b].sig
		return cmp.Or(cmp.Compare(x.ProposalID, y.ProposalID), strings.Compare(x.EmailNorm, y.EmailNorm))
	})
	inserted := map[sigKey]int64{}
	const cols = 14
	for start := 0; start < len(rows); start += sigBatchMax {
		chunk := rows[start:min(start+sigBatchMax, len(rows))]
		var q strings.Builder
		q.Grow(80 + len(chunk)*cols*6)
		q.WriteString(`INSERT INTO proposal_signatures (proposal_id, name, email, email_norm, email_domain, postcode, country, uk_resident, area, ip, sponsor, lang, token_hash, created_at) VALUES `)
		args := make([]any, 0, cols*len(chunk))
		for j, i := range chunk {
			sig := batch[i].sig
			if j > 0 {
				q.WriteByte(',')
			}
			s.placeholders(&q, len(args), cols)
			args = append(args, sig.ProposalID, sig.Name, sig.Email, sig.EmailNorm, sig.Domain(), sig.Postcode, sig.Country,
				sig.UKResident, sig.Area, sig.IP, sig.Sponsor, sig.Lang, batch[i].tokenHash, now)
		}
		q.WriteString(` ON CONFLICT (proposal_id, email_norm) DO NOTHING RETURNING id, proposal_id, email_norm`)
		res, err := tx.QueryContext(ctx, q.String(), args...)
		if err != nil {
			return err
		}
		for res.Next() {
			var id int64
			var k sigKey
			if err := res.Scan(&id, &k.proposal, &k.email); err != nil {
				res.Close()
				return err
			}
			inserted[k] = id
		}
		if err := res.Close(); err != nil {
			return err
		}
		if err := res.Err(); err != nil {
			return err
		}
	}
	msgs := make([]outbox.Message, 0, len(inserted))
	signed := make([]proposal.Signature, 0, len(inserted))
	for _, i := range rows {
		k := sigKey{batch[i].sig.ProposalID, batch[i].sig.EmailNorm}
		id, ok := inserted[k]
		if !ok {
			continue // signed before: nothing new
		}
		results[i].sig = batch[i].sig
		results[i].sig.ID, results[i].sig.CreatedAt = id, now
		msgs = append(msgs, batch[i].msg)
		signed = append(signed, results[i].sig)
	}
	if err := s.recordSignatureConsents(ctx, tx, signed, now); err != nil {
		return err
	}
	return s.enqueueBulkEmails(ctx, tx, msgs, now)
}

// confirmSignatures counts the batch's confirmations: one UPDATE for all of
// them, one counter upsert per petition and area, and the threshold check.
func (s *Store) confirmSignatures(ctx context.Context, tx *sql.Tx, batch []*sigReq, confs []int, results []sigResult, now time.Time) error {
	if len(confs) == 0 {
		return nil
	}
	hashes := make([]any, 0, len(confs))
	seen := map[string]bool{}
	for _, i := range confs {
		if h := batch[i].tokenHash; !seen[h] {
			seen[h] = true
			hashes = append(hashes, h)
		}
	}
	var deltas []countDelta
	var touched []int64
	touchedSet := map[int64]bool{}
	found := map[string]proposal.Signature{}
	for start := 0; start < len(hashes); start += sigBatchMax {
		chunk := hashes[start:min(start+sigBatchMax, len(hashes))]
		in := s.bindVars(2, len(chunk))
		rows, err := tx.QueryContext(ctx,
			`UPDATE proposal_signatures SET confirmed_at = `+s.bindVars(1, 1)+` WHERE token_hash IN (`+in+`) AND confirmed_at IS NULL AND invalidated_at IS NULL
			 RETURNING proposal_id, area`, append([]any{now}, chunk...)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d countDelta
			if err := rows.Scan(&d.ProposalID, &d.Area); err != nil {
				rows.Close()
				return err
			}
			d.N = 1
			deltas = append(deltas, d)
			if !touchedSet[d.ProposalID] {
				touchedSet[d.ProposalID] = true
				touched = append(touched, d.ProposalID)
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		// Read back every signature named, newly confirmed or not.
		rows, err = tx.QueryContext(ctx, `SELECT token_hash, `+sigColumns+` FROM proposal_signatures WHERE token_hash IN (`+s.bindVars(1, len(chunk))+`)`, chunk...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var h string
			sig, err := scanSig(rows, &h)
			if err != nil {
				rows.Close()
				return err
			}
			found[h] = sig
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	if err := s.addCounts(ctx, tx, deltas); err != nil {
		return err
	}
	slices.Sort(touched) // proposal rows in ID order, as other batches take them
	if err := checkThresholds(ctx, tx, touched, now); err != nil {
		return err
	}
	for _, i := range confs {
		sig, ok := found[batch[i].tokenHash]
		if !ok {
			results[i].err = apperr.New(apperr.NotFound, "error.signature.link")
			continue
		}
		results[i].sig = sig
	}
	return nil
}

const sigColumns = `id, proposal_id, name, email, email_norm, postcode, country, uk_resident, area, ip, sponsor, lang, created_at, confirmed_at, invalidated_at`

// scanSig reads a row of sigColumns, after any extra destinations.
func scanSig(row interface{ Scan(...any) error }, extra ...any) (proposal.Signature, error) {
	var sig proposal.Signature
	var confirmed, invalidated sql.NullTime
	dest := append(extra, &sig.ID, &sig.ProposalID, &sig.Name, &sig.Email, &sig.EmailNorm, &sig.Postcode, &sig.Country,
		&sig.UKResident, &sig.Area, &sig.IP, &sig.Sponsor, &sig.Lang, &sig.CreatedAt, &confirmed, &invalidated)
	err := row.Scan(dest...)
	sig.CreatedAt, sig.ConfirmedAt, sig.InvalidatedAt = sig.CreatedAt.UTC(), timeOf(confirmed), timeOf(invalidated)
	return sig, err
}

// SubmitSignature stores a pending signature and its confirmation email
// through the signature batcher. compose runs in the caller's goroutine,
// before the write, with the signature as given (ID still zero) and the
// link's raw token.
func (s *Store) SubmitSignature(ctx context.Context, sig proposal.Signature, compose func(sig proposal.Signature, token string) outbox.Message) error {
	sig.Normalise()
	if err := sig.Validate(); err != nil {
		return err
	}
	token, hash := newSignatureToken(s.clock())
	msg := compose(sig, token)
	if err := msg.Validate(); err != nil {
		return err
	}
	if s.naiveSignatures {
		return s.submitSignatureNaive(ctx, sig, msg, hash)
	}
	_, err := s.sigs.submit(ctx, &sigReq{sig: sig, msg: msg, tokenHash: hash, done: make(chan sigResult, 1)})
	return err
}

// ConfirmSignature counts the signature a token names, once, through the
// signature batcher; following the link again returns the same signature
// and changes nothing. NotFound for a token that names none.
func (s *Store) ConfirmSignature(ctx context.Context, token string) (proposal.Signature, error) {
	if token == "" || len(token) > 200 {
		return proposal.Signature{}, apperr.New(apperr.NotFound, "error.signature.link")
	}
	return s.sigs.submit(ctx, &sigReq{confirm: true, tokenHash: signatureTokenHash(token), done: make(chan sigResult, 1)})
}

// A signature's link token is the hour it was made, in hex, followed by
// 256 random bits; its stored hash keeps that prefix before the SHA-256.
// The prefix orders the token_hash index by time, so a spike's inserts
// land on the index's last pages instead of one random page each (which
// doubled the pages every batch writes); it says nothing secret.
func newSignatureToken(now time.Time) (token, hash string) {
	prefix := strconv.FormatInt(now.Unix()/3600, 16)
	plain, _ := account.NewSecret(prefix + "-")
	return plain, signatureTokenHash(plain)
}

func signatureTokenHash(token string) string {
	prefix, _, ok := strings.Cut(token, "-")
	if !ok || len(prefix) > 12 {
		return account.HashSecret(token)
	}
	return prefix + "-" + account.HashSecret(token)
}

// CountsByArea returns a proposal's support by area, largest first (then
// by code, so the order is stable), each with its name from the
// organisation's lookup; support with no known area is under code "".
func (s *Store) CountsByArea(ctx context.Context, proposalID int64) ([]proposal.AreaCount, error) {
	var orgID int64
	if err := s.read.QueryRowContext(ctx, `SELECT org_id FROM proposals WHERE id = $1`, proposalID).Scan(&orgID); err != nil {
		return nil, mapErr(err)
	}
	rows, err := s.read.QueryContext(ctx,
		`SELECT area, SUM(n) AS total FROM proposal_counts WHERE proposal_id = $1 GROUP BY area HAVING SUM(n) > 0 ORDER BY total DESC, area`, proposalID)
	if err != nil {
		return nil, err
	}
	var out []proposal.AreaCount
	var codes []any
	for rows.Next() {
		var c proposal.AreaCount
		if err := rows.Scan(&c.Code, &c.Count); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
		if c.Code != "" {
			codes = append(codes, c.Code)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	names := map[string]string{}
	for start := 0; start < len(codes); start += sigBatchMax {
		chunk := codes[start:min(start+sigBatchMax, len(codes))]
		rows, err := s.read.QueryContext(ctx,
			`SELECT code, MIN(name) FROM proposal_areas WHERE org_id = `+s.bindVars(1, 1)+` AND code IN (`+s.bindVars(2, len(chunk))+`) GROUP BY code`,
			append([]any{orgID}, chunk...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var code, name string
			if err := rows.Scan(&code, &name); err != nil {
				rows.Close()
				return nil, err
			}
			names[code] = name
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	for i := range out {
		if out[i].Name = names[out[i].Code]; out[i].Name == "" {
			out[i].Name = out[i].Code
		}
	}
	return out, nil
}

// Naive signatures: the design the UK petitions site started with, kept
// only as the baseline of bench/signatures.sh — one transaction per
// signature that also adds one to the petition's single counter row, so
// every signer of a petition waits for the same row lock (PostgreSQL) and
// for a commit of their own. Never the default: only
// Options.NaiveSignatures (PARLEY_BENCH_NAIVE_SIGNATURES=1) selects it.
// The counter row lives in a table of its own, made on demand, so the
// real counts are not disturbed.

const naiveCounterTable = `CREATE TABLE IF NOT EXISTS bench_naive_counters (proposal_id BIGINT PRIMARY KEY, n BIGINT NOT NULL)`

func (s *Store) submitSignatureNaive(ctx context.Context, sig proposal.Signature, msg outbox.Message, hash string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		st, err := petitionStateOf(ctx, tx, sig.ProposalID, now)
		if err != nil {
			return err
		}
		if st.err != nil {
			return st.err
		}
		if st.sponsorOnly != sig.Sponsor {
			return apperr.New(apperr.Conflict, "error.signature.closed")
		}
		res, err := tx.ExecContext(ctx,
			`INSERT INTO proposal_signatures (proposal_id, name, email, email_norm, email_domain, postcode, country, uk_resident, area, ip, sponsor, lang, token_hash, created_at)
			 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (proposal_id, email_norm) DO NOTHING`,
			sig.ProposalID, sig.Name, sig.Email, sig.EmailNorm, sig.Domain(), sig.Postcode, sig.Country,
			sig.UKResident, sig.Area, sig.IP, sig.Sponsor, sig.Lang, hash, now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if err := s.recordSignatureConsents(ctx, tx, []proposal.Signature{sig}, now); err != nil {
			return err
		}
		if err := s.enqueueBulkEmails(ctx, tx, []outbox.Message{msg}, now); err != nil {
			return err
		}
		// Last, so the counter row is locked as briefly as it can be:
		// the baseline at its best.
		_, err = tx.ExecContext(ctx,
			`INSERT INTO bench_naive_counters (proposal_id, n) VALUES ($1, 1) ON CONFLICT (proposal_id) DO UPDATE SET n = bench_naive_counters.n + 1`,
			sig.ProposalID)
		return err
	})
}
