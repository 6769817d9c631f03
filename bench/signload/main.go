// Command signload measures petition signing through Parley's HTML form,
// as people arriving in a spike do it: each worker fetches the signature
// form once (for its timing stamp), waits out proposal.MinFillTime, then
// posts signatures with unique email addresses, moving to a new loopback
// source address (and connection) every -per-addr signatures, so the
// per-address limits and the blocklist see realistic traffic. A signature
// counts as acknowledged on its 303.
//
// Afterwards it checks in the database that every acknowledged signature
// and its confirmation email exist (the server's own SQLite file, or its
// PostgreSQL database), and fails otherwise.
//
// Subcommands:
//
//	signload sign    -url http://127.0.0.1:8080 -db sqlite:/tmp/data/parley.db [-petition N] -c 64 -d 60s [-rate 1000] [-acked FILE]
//	signload confirm -url … -db … [-petition N] -c 32 [-d 60s] [-acked FILE] [-skip FILE]
//	signload check   -db … [-petition N] -before N [-acked FILE] [-confirmed FILE]
//	signload check   -db … [-petition N]          (prints the counter total, for -before)
//	signload petition -db …                       (prints the petition's ID)
//
// confirm reads the confirmation links from the outbox (the raw token is
// only ever in the email) and follows them, writing each acknowledged one
// (200) to -acked; -skip names links already acknowledged, so a retry after
// a crash follows only the others. check compares the database with what
// was acknowledged: every acknowledged signature stored with its email, the
// confirmed signatures equal to the acknowledged confirmations, and the
// sharded counters equal to the confirmed signatures.
//
// It refuses any URL that is not on loopback and any duration over -max-d.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"parley/internal/proposal"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: signload sign|confirm|check|petition [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "sign":
		err = sign(os.Args[2:])
	case "confirm":
		err = confirm(os.Args[2:])
	case "check":
		err = check(os.Args[2:])
	case "petition":
		err = petition(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "signload:", err)
		os.Exit(1)
	}
}

// common flags.
type opts struct {
	base     string
	db       string
	petition int64
	conns    int
	dur      time.Duration
	acked    string
}

func flags(name string, o *opts) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ExitOnError)
	fs.StringVar(&o.base, "url", "http://127.0.0.1:8080", "the site (loopback only)")
	fs.StringVar(&o.db, "db", "", "the server's database: sqlite:PATH or a postgres:// URL")
	fs.Int64Var(&o.petition, "petition", 0, "petition ID (0: the first open published petition in the database)")
	fs.IntVar(&o.conns, "c", 64, "concurrent workers")
	fs.DurationVar(&o.dur, "d", 60*time.Second, "how long to load")
	fs.StringVar(&o.acked, "acked", "", "file to append what was acknowledged to (one per line)")
	return fs
}

func openDB(spec string) (*sql.DB, error) {
	switch {
	case strings.HasPrefix(spec, "sqlite:"):
		return sql.Open("sqlite", "file:"+strings.TrimPrefix(spec, "sqlite:")+"?_pragma=busy_timeout(10000)")
	case strings.HasPrefix(spec, "postgres://"), strings.HasPrefix(spec, "postgresql://"):
		return sql.Open("pgx", spec)
	}
	return nil, errors.New("-db: want sqlite:PATH or postgres://…")
}

func loopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return errors.New("the URL must be a loopback address")
	}
	return nil
}

// findPetition picks the first published petition that is still open.
func findPetition(db *sql.DB, id int64) (int64, error) {
	if id != 0 {
		return id, nil
	}
	err := db.QueryRow(`SELECT p.id FROM proposals p JOIN proposal_boards b ON b.id = p.board_id
		WHERE b.kind = 'petitions' AND p.stage = 'published' AND p.status = 'open' AND p.merged_into IS NULL
		  AND (p.closes_at IS NULL OR p.closes_at > $1) ORDER BY p.id LIMIT 1`, time.Now().UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("finding an open petition: %w", err)
	}
	return id, nil
}

// srcAddr is the n-th loopback source address: 127.1.0.1, 127.1.0.2, …,
// skipping .0 and .255 in the last place.
func srcAddr(n int) *net.TCPAddr {
	a := n % (254 * 256 * 254)
	return &net.TCPAddr{IP: net.IPv4(127, byte(1+a/(256*254)), byte(a/254%256), byte(1+a%254))}
}

func client(src *net.TCPAddr) (*http.Client, *http.Transport) {
	tr := &http.Transport{DialContext: (&net.Dialer{LocalAddr: src, Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 1, ResponseHeaderTimeout: 30 * time.Second}
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, tr
}

var stampRE = regexp.MustCompile(`name="stamp" value="([^"]+)"`)

func stampOf(base string, petition int64) (string, error) {
	resp, err := http.Get(fmt.Sprintf("%s/proposals/%d/sign", base, petition))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := stampRE.FindSubmatch(b)
	if resp.StatusCode != http.StatusOK || m == nil {
		return "", fmt.Errorf("GET the form: %d, no stamp", resp.StatusCode)
	}
	return string(m[1]), nil
}

// stats gathers latencies and answers by status.
type stats struct {
	mu     sync.Mutex
	lat    []time.Duration
	codes  map[int]int
	errs   int
	acked  []string
	errMsg string
}

func (s *stats) add(lat []time.Duration, codes map[int]int, errs int, acked []string, errMsg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lat = append(s.lat, lat...)
	if s.codes == nil {
		s.codes = map[int]int{}
	}
	for c, n := range codes {
		s.codes[c] += n
	}
	s.errs += errs
	s.acked = append(s.acked, acked...)
	if errMsg != "" {
		s.errMsg = errMsg
	}
}

func (s *stats) q(p float64) float64 {
	if len(s.lat) == 0 {
		return 0
	}
	return float64(s.lat[min(len(s.lat)-1, int(p*float64(len(s.lat))))].Microseconds()) / 1000
}

func (s *stats) summary(what string, elapsed time.Duration) string {
	slices.Sort(s.lat)
	var other []string
	for c, n := range s.codes {
		if c != http.StatusSeeOther && c != http.StatusOK {
			other = append(other, fmt.Sprintf("%d×%d", n, c))
		}
	}
	slices.Sort(other)
	return fmt.Sprintf("%s acknowledged %d in %.1fs: %.0f/s; p50 %.1f ms, p99 %.1f ms; other answers [%s]; errors %d",
		what, len(s.acked), elapsed.Seconds(), float64(len(s.acked))/elapsed.Seconds(), s.q(0.5), s.q(0.99), strings.Join(other, " "), s.errs)
}

func appendLines(path string, lines []string) error {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, l := range lines {
		w.WriteString(l + "\n")
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readLines(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(b)), nil
}

func sign(args []string) error {
	var o opts
	fs := flags("sign", &o)
	rate := fs.Float64("rate", 0, "signatures per second over all workers (0: as fast as answered)")
	perAddr := fs.Int("per-addr", 5, "signatures from one source address (and connection) before the next")
	addrOffset := fs.Int("addr-offset", 0, "first source address number (runs against one server should not share addresses)")
	maxD := fs.Duration("max-d", 5*time.Minute, "longest run allowed")
	noCheck := fs.Bool("no-check", false, "do not check the database afterwards (crash tests check later)")
	fs.Parse(args)
	if err := loopback(o.base); err != nil {
		return err
	}
	if o.dur > *maxD {
		return fmt.Errorf("duration %s is over -max-d %s", o.dur, *maxD)
	}
	db, err := openDB(o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	if o.petition, err = findPetition(db, o.petition); err != nil {
		return err
	}
	stamp, err := stampOf(o.base, o.petition)
	if err != nil {
		return err
	}
	// A person takes longer than this to fill the form in; so must we.
	time.Sleep(proposal.MinFillTime + 200*time.Millisecond)

	run := fmt.Sprintf("%x", time.Now().UnixNano()&0xffffffff)
	u, _ := url.Parse(o.base)
	host := u.Host
	path := fmt.Sprintf("/proposals/%d/sign", o.petition)
	ctx, cancel := context.WithTimeout(context.Background(), o.dur)
	defer cancel()
	var nextAddr atomic.Int64
	nextAddr.Store(int64(*addrOffset))
	var st stats
	var wg sync.WaitGroup
	start := time.Now()
	for w := range o.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			var acked []string
			var req []byte
			codes := map[int]int{}
			errs, lastErr := 0, ""
			interval := time.Duration(0)
			if *rate > 0 {
				interval = time.Duration(float64(time.Second) * float64(o.conns) / *rate)
			}
			next := start.Add(time.Duration(w) * interval / time.Duration(o.conns))
			n := 0
			for ctx.Err() == nil {
				// A raw HTTP/1.1 connection, not net/http's client: the load
				// generator shares the server's two cores, and the client's
				// transport goroutines cost about as much as the request.
				conn, err := (&net.Dialer{LocalAddr: srcAddr(int(nextAddr.Add(1))), Timeout: 5 * time.Second}).DialContext(ctx, "tcp", host)
				if err != nil {
					if ctx.Err() == nil {
						errs++
						lastErr = err.Error()
						time.Sleep(50 * time.Millisecond)
					}
					continue
				}
				br := bufio.NewReader(conn)
				for k := 0; k < *perAddr && ctx.Err() == nil; k++ {
					if interval > 0 {
						if d := time.Until(next); d > 0 {
							select {
							case <-time.After(d):
							case <-ctx.Done():
							}
							if ctx.Err() != nil {
								break
							}
						}
						next = next.Add(interval)
					}
					n++
					email := fmt.Sprintf("s%s.%d.%d@signload.example", run, w, n)
					body := url.Values{"name": {"Load Tester"}, "email": {email}, "uk_resident": {"yes"}, "country": {"GB"},
						"postcode": {"SW1A 1AA"}, "stamp": {stamp}}.Encode()
					req = append(req[:0], "POST "...)
					req = append(req, path...)
					req = append(req, " HTTP/1.1\r\nHost: "...)
					req = append(req, host...)
					req = append(req, "\r\nOrigin: "...)
					req = append(req, o.base...)
					req = append(req, "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "...)
					req = strconv.AppendInt(req, int64(len(body)), 10)
					req = append(req, "\r\n\r\n"...)
					req = append(req, body...)
					t0 := time.Now()
					conn.SetDeadline(t0.Add(30 * time.Second))
					resp, err := func() (*http.Response, error) {
						if _, err := conn.Write(req); err != nil {
							return nil, err
						}
						return http.ReadResponse(br, nil)
					}()
					if err != nil {
						errs++
						lastErr = err.Error()
						time.Sleep(50 * time.Millisecond)
						break // a new connection
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					codes[resp.StatusCode]++
					if resp.StatusCode == http.StatusSeeOther {
						lat = append(lat, time.Since(t0))
						acked = append(acked, email)
					}
					if resp.Close {
						break
					}
				}
				conn.Close()
			}
			st.add(lat, codes, errs, acked, lastErr)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	fmt.Println(st.summary("signatures", elapsed))
	if st.errMsg != "" {
		fmt.Fprintln(os.Stderr, "last error:", st.errMsg)
	}
	if err := appendLines(o.acked, st.acked); err != nil {
		return err
	}
	if *noCheck {
		return nil
	}
	missing, err := checkSigned(db, o.petition, st.acked)
	if err != nil {
		return err
	}
	fmt.Printf("checked in the database: %d acknowledged, %d missing a signature or its email\n", len(st.acked), missing)
	if missing > 0 {
		return fmt.Errorf("%d acknowledged signatures missing", missing)
	}
	return nil
}

// checkSigned counts acknowledged addresses without both a stored
// signature on the petition and a confirmation email in the outbox.
func checkSigned(db *sql.DB, petition int64, acked []string) (int, error) {
	sigs, err := stringSet(db, `SELECT email FROM proposal_signatures WHERE proposal_id = $1`, petition)
	if err != nil {
		return 0, err
	}
	mails, err := stringSet(db, `SELECT to_address FROM outbox WHERE kind = $1`, proposal.ConfirmSignatureKind)
	if err != nil {
		return 0, err
	}
	missing := 0
	for _, e := range acked {
		if !sigs[e] || !mails[e] {
			missing++
		}
	}
	return missing, nil
}

func stringSet(db *sql.DB, q string, args ...any) (map[string]bool, error) {
	rows, err := db.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out[s] = true
	}
	return out, rows.Err()
}

var linkRE = regexp.MustCompile(`/signatures/confirm/([A-Za-z0-9_\-]+)`)

// confirmLinks reads the tokens of the petition's confirmation emails.
func confirmLinks(db *sql.DB, petition int64) ([]string, error) {
	emails, err := stringSet(db, `SELECT email FROM proposal_signatures WHERE proposal_id = $1`, petition)
	if err != nil {
		return nil, err
	}
	rows, err := db.Query(`SELECT to_address, body FROM outbox WHERE kind = $1 ORDER BY id`, proposal.ConfirmSignatureKind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var to, body string
		if err := rows.Scan(&to, &body); err != nil {
			return nil, err
		}
		if m := linkRE.FindStringSubmatch(body); m != nil && emails[to] {
			out = append(out, m[1])
		}
	}
	return out, rows.Err()
}

func confirm(args []string) error {
	var o opts
	fs := flags("confirm", &o)
	skip := fs.String("skip", "", "file of tokens already acknowledged (not followed again)")
	fs.Parse(args)
	if err := loopback(o.base); err != nil {
		return err
	}
	db, err := openDB(o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	if o.petition, err = findPetition(db, o.petition); err != nil {
		return err
	}
	tokens, err := confirmLinks(db, o.petition)
	if err != nil {
		return err
	}
	done, err := readLines(*skip)
	if err != nil {
		return err
	}
	doneSet := map[string]bool{}
	for _, t := range done {
		doneSet[t] = true
	}
	todo := slices.DeleteFunc(tokens, func(t string) bool { return doneSet[t] })
	ctx, cancel := context.WithTimeout(context.Background(), o.dur)
	defer cancel()
	var next atomic.Int64
	var st stats
	var wg sync.WaitGroup
	start := time.Now()
	for w := range o.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, tr := client(srcAddr(900000 + w))
			defer tr.CloseIdleConnections()
			var lat []time.Duration
			var acked []string
			codes := map[int]int{}
			errs, lastErr := 0, ""
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= len(todo) {
					break
				}
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(context.WithoutCancel(ctx), "GET", o.base+"/signatures/confirm/"+todo[i], nil)
				resp, err := c.Do(req)
				if err != nil {
					errs++
					lastErr = err.Error()
					continue // unacknowledged: a later run retries it
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				codes[resp.StatusCode]++
				if resp.StatusCode == http.StatusOK {
					lat = append(lat, time.Since(t0))
					acked = append(acked, todo[i])
				}
			}
			st.add(lat, codes, errs, acked, lastErr)
		}()
	}
	wg.Wait()
	fmt.Println(st.summary(fmt.Sprintf("confirmations (of %d links, %d done before)", len(tokens), len(done)), time.Since(start)))
	if st.errMsg != "" {
		fmt.Fprintln(os.Stderr, "last error:", st.errMsg)
	}
	return appendLines(o.acked, st.acked)
}

// petition prints the ID of the petition the other subcommands would load.
func petition(args []string) error {
	var o opts
	flags("petition", &o).Parse(args)
	db, err := openDB(o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	id, err := findPetition(db, o.petition)
	if err == nil {
		fmt.Println(id)
	}
	return err
}

func check(args []string) error {
	var o opts
	fs := flags("check", &o)
	confirmed := fs.String("confirmed", "", "file of acknowledged confirmation tokens")
	countersBefore := fs.Int("before", -1, "the petition's counter total before the load (signload counts); -1: print it and stop")
	fs.Parse(args)
	db, err := openDB(o.db)
	if err != nil {
		return err
	}
	defer db.Close()
	if o.petition, err = findPetition(db, o.petition); err != nil {
		return err
	}
	if *countersBefore < 0 {
		var n int
		if err := db.QueryRow(`SELECT COALESCE(SUM(n), 0) FROM proposal_counts WHERE proposal_id = $1`, o.petition).Scan(&n); err != nil {
			return err
		}
		fmt.Println(n)
		return nil
	}
	var failed []string
	if o.acked != "" {
		acked, err := readLines(o.acked)
		if err != nil {
			return err
		}
		missing, err := checkSigned(db, o.petition, acked)
		if err != nil {
			return err
		}
		fmt.Printf("signatures: %d acknowledged, %d missing a signature or its email\n", len(acked), missing)
		if missing > 0 {
			failed = append(failed, "acknowledged signatures lost")
		}
	}
	if *confirmed != "" {
		toks, err := readLines(*confirmed)
		if err != nil {
			return err
		}
		uniq := map[string]bool{}
		for _, t := range toks {
			uniq[t] = true
		}
		// Only the load's own signatures (its domain): the demo's and the
		// author's were confirmed before.
		var ours, all, counters int
		if err := db.QueryRow(`SELECT COUNT(*) FROM proposal_signatures WHERE proposal_id = $1 AND confirmed_at IS NOT NULL AND email LIKE '%@signload.example'`, o.petition).Scan(&ours); err != nil {
			return err
		}
		if err := db.QueryRow(`SELECT COUNT(*) FROM proposal_signatures WHERE proposal_id = $1 AND confirmed_at IS NOT NULL AND invalidated_at IS NULL`, o.petition).Scan(&all); err != nil {
			return err
		}
		if err := db.QueryRow(`SELECT COALESCE(SUM(n), 0) FROM proposal_counts WHERE proposal_id = $1`, o.petition).Scan(&counters); err != nil {
			return err
		}
		fmt.Printf("confirmations: %d acknowledged (distinct links), %d confirmed in the database by the load; counters grew by %d (%d → %d); %d confirmed signatures in all\n",
			len(uniq), ours, counters-*countersBefore, *countersBefore, counters, all)
		if ours != len(uniq) {
			failed = append(failed, "confirmed signatures differ from acknowledged confirmations")
		}
		if counters-*countersBefore != ours {
			failed = append(failed, "counters grew by more or less than the confirmations")
		}
	}
	if len(failed) > 0 {
		return errors.New(strings.Join(failed, "; "))
	}
	fmt.Println("check passed")
	return nil
}
