// Command voteload measures vote ingestion through Parley's HTML forms:
// workers act as people taking part without an account, each posting
// agree/disagree/pass votes on every statement of a conversation and then
// starting again as a new participant (a new cookie). Workers spread over
// many loopback source addresses, as people arrive from many addresses, so
// the per-address limits see realistic traffic.
//
// After the run it checks the conversation's vote count grew by exactly
// the votes acknowledged (303 answers).
//
// Usage:
//
//	go run ./bench/voteload -url http://127.0.0.1:8080 -conversation 1 -c 32 -d 20s
//
// It refuses any URL that is not on loopback and any duration over -max-d.
package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "voteload:", err)
		os.Exit(2)
	}
}

func run() error {
	base := flag.String("url", "http://127.0.0.1:8080", "the site (loopback only)")
	conv := flag.Int("conversation", 1, "conversation ID (open, anonymous participation)")
	conns := flag.Int("c", 32, "concurrent workers")
	dur := flag.Duration("d", 20*time.Second, "how long to load")
	maxD := flag.Duration("max-d", 5*time.Minute, "longest run allowed")
	addrs := flag.Int("ips", 2000, "loopback source addresses to spread over (127.0.1.1 …), one per participant in turn")
	flag.Parse()
	u, err := url.Parse(*base)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return errors.New("the URL must be a loopback address")
	}
	if *dur > *maxD {
		return fmt.Errorf("duration %s is over -max-d %s", *dur, *maxD)
	}
	path := fmt.Sprintf("%s/conversations/%d", *base, *conv)
	statements, err := statementIDs(path + "/export/comments.csv")
	if err != nil {
		return err
	}
	before, err := voteCount(path)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()
	var mu sync.Mutex
	var lat []time.Duration
	acked, failed := 0, 0
	var wg sync.WaitGroup
	start := time.Now()
	for w := range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			ok, bad := 0, 0
			for n := 0; ctx.Err() == nil; n++ {
				// Each participant is a new person: a new address, connection and cookie jar.
				a := (w*7919 + n) % *addrs
				src := &net.TCPAddr{IP: net.IPv4(127, 0, byte(1+a/250), byte(1+a%250))}
				tr := &http.Transport{DialContext: (&net.Dialer{LocalAddr: src}).DialContext, MaxIdleConnsPerHost: 1}
				jar, _ := cookiejar.New(nil)
				c := &http.Client{Transport: tr, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				for i, sid := range statements {
					if ctx.Err() != nil {
						break
					}
					vote := [3]string{"agree", "disagree", "pass"}[(n+i+w)%3]
					form := url.Values{"statement": {sid}, "vote": {vote}}
					req, _ := http.NewRequest("POST", path+"/vote", strings.NewReader(form.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("Origin", *base)
					t0 := time.Now()
					resp, err := c.Do(req)
					if err != nil {
						bad++
						continue
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == http.StatusSeeOther {
						ok++
						mine = append(mine, time.Since(t0))
					} else {
						bad++
					}
				}
				tr.CloseIdleConnections()
			}
			mu.Lock()
			lat = append(lat, mine...)
			acked += ok
			failed += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	time.Sleep(200 * time.Millisecond)
	after, err := voteCount(path)
	if err != nil {
		return err
	}
	slices.Sort(lat)
	q := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	fmt.Printf("votes acknowledged %d in %.1fs: %.0f votes/s; p50 %.1f ms, p99 %.1f ms; refused or failed %d; stored %d (before %d, after %d)\n",
		acked, elapsed.Seconds(), float64(acked)/elapsed.Seconds(), q(0.5), q(0.99), failed, after-before, before, after)
	if after-before != acked {
		return fmt.Errorf("stored %d votes but %d were acknowledged", after-before, acked)
	}
	return nil
}

// statementIDs reads the conversation's shown statements from its open data.
func statementIDs(u string) ([]string, error) {
	resp, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil || len(rows) < 2 {
		return nil, fmt.Errorf("reading %s: %v (%d rows)", u, err, len(rows))
	}
	col, mod := slices.Index(rows[0], "comment-id"), slices.Index(rows[0], "moderated")
	var ids []string
	for _, r := range rows[1:] {
		if r[mod] != "-1" {
			ids = append(ids, r[col])
		}
	}
	return ids, nil
}

var votesRE = regexp.MustCompile(`casting ([0-9]+) votes`)

// voteCount reads the conversation's vote count from its public page.
func voteCount(u string) (int, error) {
	resp, err := http.Get(u)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := votesRE.FindSubmatch(b)
	if m == nil {
		return 0, fmt.Errorf("no vote count on %s", u)
	}
	return strconv.Atoi(string(m[1]))
}
