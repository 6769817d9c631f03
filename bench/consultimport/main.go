// Command consultimport times what an analyst waits for after a batch of
// paper and email responses arrives: importing them by CSV and building
// the analysis (figures, campaigns, candidate themes), on SQLite or
// PostgreSQL, through the same code the staff pages use (consultation.
// ParseCSV, store.ImportResponses, store.Responses, consultation.Analyse,
// Campaigns and CandidateThemes).
//
// Usage:
//
//	go run ./bench/textsim -n 100000 -runs 1 -baseline 0 -themes 0 -csv /tmp/answers.csv -csv-n 100000
//	go run ./bench/consultimport -answers /tmp/answers.csv [-database-url postgres://…] [-runs 3]
//
// The answers file is bench/textsim's `id,text` output (5% of answers in
// 20 form-letter campaigns); each answer becomes one offline response with
// a random channel, date, respondent type and answers to a single-choice
// and a scale question. Every run imports into a fresh database (a new
// SQLite file, or a new schema on PostgreSQL) and prints one JSON line.
package main

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"parley/internal/consultation"
	"parley/internal/org"
	"parley/internal/store"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "consultimport:", err)
		os.Exit(1)
	}
}

// Result is one run's timings, in seconds.
type Result struct {
	Database  string  `json:"database"`
	Responses int     `json:"responses"`
	CSVMB     float64 `json:"csv_mb"`
	ParseS    float64 `json:"parse_s"`
	ImportS   float64 `json:"import_s"`
	LoadS     float64 `json:"load_s"`
	FiguresS  float64 `json:"figures_s"`
	CampaignS float64 `json:"campaigns_s"`
	ThemesS   float64 `json:"themes_s"`
	TotalS    float64 `json:"total_s"`
	Campaigns int     `json:"campaigns"`
	InCamps   int     `json:"responses_in_campaigns"`
	Themes    int     `json:"candidate_themes"`
	// Baseline: the same responses stored one transaction each (as keying
	// them in one by one does), timed on the first BaselineN and given as
	// responses per second beside the batch import's.
	BaselineN     int     `json:"baseline_n,omitempty"`
	BaselinePerS  float64 `json:"baseline_per_s,omitempty"`
	ImportPerS    float64 `json:"import_per_s"`
	ImportSpeedup float64 `json:"import_speedup,omitempty"`
	PeakRSSMB     float64 `json:"peak_rss_mb"`
	Load          string  `json:"loadavg"`
}

// oneByOne stores responses one transaction each into a consultation of
// their own, as staff keying them in one by one would.
func oneByOne(ctx context.Context, st *store.Store, orgID int64, from []consultation.Question, rs []consultation.Response, res *Result) error {
	c, err := st.CreateConsultation(ctx, consultation.Consultation{OrgID: orgID, TitleEN: "Baseline", SummaryEN: "One by one"}, 0)
	if err != nil {
		return err
	}
	for _, q := range []consultation.Question{
		{ConsultationID: c.ID, Kind: consultation.FreeText, TextEN: "Your views", Required: true},
		{ConsultationID: c.ID, Kind: consultation.Single, TextEN: "Which option?", Options: []consultation.Option{{EN: "A"}, {EN: "B"}, {EN: "C"}}},
		{ConsultationID: c.ID, Kind: consultation.Scale, TextEN: "How far do you agree?", Options: consultation.DefaultScale},
	} {
		if _, err := st.AddQuestion(ctx, q, 0); err != nil {
			return err
		}
	}
	if err := st.SetConsultationStatus(ctx, c.ID, consultation.Open, 0); err != nil {
		return err
	}
	qs, err := st.Questions(ctx, c.ID)
	if err != nil {
		return err
	}
	start := time.Now()
	for _, r := range rs {
		r.ConsultationID = c.ID
		// The answers name the first consultation's questions; point
		// them at this one's, which are asked in the same order.
		r.Answers = remap(r.Answers, from, qs)
		if _, err := st.KeyInResponse(ctx, r, 0); err != nil {
			return err
		}
	}
	d := time.Since(start)
	res.BaselineN = len(rs)
	res.BaselinePerS = float64(len(rs)) / d.Seconds()
	return nil
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("consultimport", flag.ContinueOnError)
	answers := fs.String("answers", "", "id,text CSV of answers (from bench/textsim -csv)")
	dbURL := fs.String("database-url", "", "PostgreSQL URL (a fresh schema is made per run); empty: SQLite in a temporary directory")
	runs := fs.Int("runs", 1, "runs, each into a fresh database")
	baseline := fs.Int("baseline", 2000, "responses to store one transaction each, as a baseline (0 skips it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *answers == "" {
		return fmt.Errorf("-answers is required")
	}
	texts, err := readAnswers(*answers)
	if err != nil {
		return err
	}
	file := importFile(texts)
	for range *runs {
		r, err := once(file, *dbURL, *baseline)
		if err != nil {
			return err
		}
		r.CSVMB = float64(len(file)) / (1 << 20)
		b, _ := json.Marshal(r)
		fmt.Fprintln(out, string(b))
	}
	return nil
}

func readAnswers(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) < 2 {
		return nil, fmt.Errorf("%s: no answers", path)
	}
	texts := make([]string, 0, len(recs)-1)
	for _, r := range recs[1:] {
		texts = append(texts, r[len(r)-1])
	}
	return texts, nil
}

// importFile writes the staff import CSV: one offline response per answer.
func importFile(texts []string) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"channel", "received", "respondent", "organisation", "q1", "q2", "q3"})
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	for _, t := range texts {
		ch := consultation.OfflineChannels[rng.IntN(len(consultation.OfflineChannels))]
		kind, orgName := "individual", ""
		if rng.IntN(20) == 0 {
			kind, orgName = "organisation", "Group "+fmt.Sprint(rng.IntN(500))
		}
		day := start.AddDate(0, 0, rng.IntN(60)).Format("2006-01-02")
		_ = w.Write([]string{ch, day, kind, orgName, t, fmt.Sprint(1 + rng.IntN(3)), fmt.Sprint(1 + rng.IntN(5))})
	}
	w.Flush()
	return buf.Bytes()
}

func once(file []byte, baseURL string, baseline int) (Result, error) {
	ctx := context.Background()
	res := Result{Database: "sqlite"}
	opts := store.Options{}
	if baseURL == "" {
		dir, err := os.MkdirTemp("", "consultimport")
		if err != nil {
			return res, err
		}
		defer os.RemoveAll(dir)
		opts.SQLitePath = filepath.Join(dir, "parley.db")
	} else {
		res.Database = "postgres"
		u, drop, err := freshSchema(ctx, baseURL)
		if err != nil {
			return res, err
		}
		defer drop()
		opts.DatabaseURL = u
	}
	st, err := store.Open(ctx, opts)
	if err != nil {
		return res, err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return res, err
	}
	o, err := st.CreateOrg(ctx, org.Organisation{Slug: "bench", NameEN: "Bench"}, 0)
	if err != nil {
		return res, err
	}
	c, err := st.CreateConsultation(ctx, consultation.Consultation{OrgID: o.ID, TitleEN: "Library services", SummaryEN: "Benchmark"}, 0)
	if err != nil {
		return res, err
	}
	for _, q := range []consultation.Question{
		{ConsultationID: c.ID, Kind: consultation.FreeText, TextEN: "Your views", Required: true},
		{ConsultationID: c.ID, Kind: consultation.Single, TextEN: "Which option?", Options: []consultation.Option{{EN: "A"}, {EN: "B"}, {EN: "C"}}},
		{ConsultationID: c.ID, Kind: consultation.Scale, TextEN: "How far do you agree?", Options: consultation.DefaultScale},
	} {
		if _, err := st.AddQuestion(ctx, q, 0); err != nil {
			return res, err
		}
	}
	if err := st.SetConsultationStatus(ctx, c.ID, consultation.Open, 0); err != nil {
		return res, err
	}
	qs, err := st.Questions(ctx, c.ID)
	if err != nil {
		return res, err
	}

	t0 := time.Now()
	rs, err := consultation.ParseCSV(bytes.NewReader(file), qs, time.Now())
	if err != nil {
		return res, err
	}
	t1 := time.Now()
	parsed := t1.Sub(t0)
	if baseline > 0 {
		if err := oneByOne(ctx, st, o.ID, qs, rs[:min(baseline, len(rs))], &res); err != nil {
			return res, err
		}
		t1 = time.Now()
	}
	n, err := st.ImportResponses(ctx, c.ID, rs, 0)
	if err != nil {
		return res, err
	}
	t2 := time.Now()
	rs = nil
	all, err := st.Responses(ctx, c.ID, consultation.ResponseFilter{})
	if err != nil {
		return res, err
	}
	t3 := time.Now()
	fig := consultation.Analyse(qs, all, consultation.Filter{})
	t4 := time.Now()
	camps := consultation.Campaigns(qs, all)
	t5 := time.Now()
	themes := consultation.CandidateThemes(qs, all, 1)
	t6 := time.Now()
	if fig.Responses != n || len(all) != n {
		return res, fmt.Errorf("imported %d, loaded %d, counted %d", n, len(all), fig.Responses)
	}
	res.Responses = n
	res.ParseS, res.ImportS, res.LoadS = secs(parsed), secs(t2.Sub(t1)), secs(t3.Sub(t2))
	res.FiguresS, res.CampaignS, res.ThemesS = secs(t4.Sub(t3)), secs(t5.Sub(t4)), secs(t6.Sub(t5))
	res.TotalS = secs(parsed + t6.Sub(t1))
	res.ImportPerS = float64(n) / t2.Sub(t1).Seconds()
	if res.BaselinePerS > 0 {
		res.ImportSpeedup = res.ImportPerS / res.BaselinePerS
	}
	res.Campaigns, res.Themes = len(camps), len(themes)
	for _, k := range camps {
		res.InCamps += k.Size
	}
	res.PeakRSSMB = maxRSSMB()
	res.Load = loadAvg()
	return res, nil
}

func secs(d time.Duration) float64 { return float64(d.Milliseconds()) / 1000 }

// freshSchema makes a new schema in the database at base and returns a URL
// whose connections use it, and a function that drops it.
func freshSchema(ctx context.Context, base string) (string, func(), error) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	b := make([]byte, 6)
	_, _ = crand.Read(b)
	schema := "bench_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return "", nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), func() {
		_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	}, nil
}

func maxRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil || len(b) < 14 {
		return ""
	}
	return string(b[:14])
}

// remap points answers to the questions at the same positions in to.
func remap(as []consultation.Answer, from, to []consultation.Question) []consultation.Answer {
	out := make([]consultation.Answer, len(as))
	for i, a := range as {
		for j, q := range from {
			if q.ID == a.QuestionID {
				a.QuestionID = to[j].ID
			}
		}
		out[i] = a
	}
	return out
}
