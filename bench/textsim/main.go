// Command textsim benchmarks Parley's campaign detection
// (internal/textsim) on a generated consultation with labelled campaigns,
// against exact all-pairs Jaccard on a sample, and times theme proposal.
//
// Usage:
//
//	go run ./bench/textsim -n 1000000 -runs 3 -baseline 20000 [-json]
//
// It generates -n answers (about 80 words each, from a grammar of the
// sentences people write in consultation answers), a share of them (-share)
// in -campaigns form-letter campaigns whose members carry random word edits
// and often a personal sentence or two; runs textsim.Campaigns -runs times
// and reports wall time, peak RSS and precision and recall against the
// labels; runs the exact all-pairs baseline on the first -baseline answers
// and textsim.Campaigns on the same sample; and times textsim.Themes on the
// first -themes answers.
//
// Precision and recall are pairwise: over the pairs of answers put in one
// cluster, against the pairs in one labelled campaign. Splitting a campaign
// in two loses recall, merging two campaigns or pulling in independent
// answers loses precision, and big campaigns weigh more, as they do for an
// analyst. Per-answer figures (is it flagged as part of any cluster) are
// reported too.
package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"parley/internal/textsim"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "textsim:", err)
		os.Exit(2)
	}
}

// Result is one invocation's report.
type Result struct {
	N          int     `json:"n"`
	Campaigns  int     `json:"campaigns"`
	InCampaign int     `json:"in_campaigns"`
	Sizes      []int   `json:"campaign_sizes"`
	MeanWords  float64 `json:"mean_words"`
	Workers    int     `json:"workers"`
	GenS       float64 `json:"generate_s"`

	DetectS      []float64 `json:"detect_s"`
	DetectCPUS   []float64 `json:"detect_cpu_s"` // user+system CPU seconds of each run
	LoadAvg      []string  `json:"loadavg_before_after"`
	DetectMedS   float64   `json:"detect_median_s"`
	Clusters     int       `json:"clusters"`
	Eval         Eval      `json:"eval"`
	RSSAfterGen  int64     `json:"maxrss_after_generate_mb"`
	RSSAfterDet  int64     `json:"maxrss_after_detect_mb"`
	TextMB       float64   `json:"corpus_text_mb"`
	Baseline     *Baseline `json:"baseline,omitempty"`
	ThemesN      int       `json:"themes_n,omitempty"`
	ThemesS      float64   `json:"themes_s,omitempty"`
	ThemesFound  int       `json:"themes_found,omitempty"`
	ThemesLabels []string  `json:"themes_top_labels,omitempty"`
	// ThemesPurity is the share of themed independent answers whose
	// theme's most common planted topic is their own; ThemesTopics is the
	// number of planted topics that are the most common in some theme.
	ThemesPurity float64 `json:"themes_purity,omitempty"`
	ThemesTopics int     `json:"themes_topics_recovered,omitempty"`
}

// Eval compares clusters with the labels.
type Eval struct {
	PairPrecision float64 `json:"pair_precision"`
	PairRecall    float64 `json:"pair_recall"`
	DocPrecision  float64 `json:"doc_precision"`
	DocRecall     float64 `json:"doc_recall"`
	// MinCoverage is, over campaigns, the least share of a campaign's
	// members found in its largest cluster.
	MinCoverage float64 `json:"min_campaign_coverage"`
}

// Baseline is exact all-pairs Jaccard against textsim on one sample.
type Baseline struct {
	N            int     `json:"n"`
	ExactS       float64 `json:"exact_s"`
	Pairs        int64   `json:"pairs_compared"`
	Edges        int     `json:"pairs_at_threshold"`
	FastS        float64 `json:"textsim_s"`
	Speedup      float64 `json:"speedup"`
	Both         int64   `json:"coclustered_pairs_both"`
	Either       int64   `json:"coclustered_pairs_either"`
	Agreement    float64 `json:"agreement"`
	ExactEval    Eval    `json:"exact_eval"`
	TextsimEval  Eval    `json:"textsim_eval"`
	ExactGroups  int     `json:"exact_clusters"`
	TextsimGroup int     `json:"textsim_clusters"`
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("textsim", flag.ContinueOnError)
	n := fs.Int("n", 1_000_000, "answers to generate")
	campaigns := fs.Int("campaigns", 20, "form-letter campaigns")
	share := fs.Float64("share", 0.05, "share of answers in campaigns")
	editMin := fs.Float64("edit-min", 0.01, "least per-word edit rate of a campaign member")
	editMax := fs.Float64("edit-max", 0.05, "greatest per-word edit rate of a campaign member")
	personal := fs.Float64("personal", 0.7, "chance a member adds a personal sentence or two")
	words := fs.Int("words", 80, "mean words per answer")
	seed := fs.Uint64("seed", 1, "generator seed")
	runs := fs.Int("runs", 3, "detection runs (the median is reported)")
	baseline := fs.Int("baseline", 20000, "sample for the exact all-pairs baseline (0 skips it)")
	themesN := fs.Int("themes", 100000, "answers to propose themes for (0 skips it)")
	threshold := fs.Float64("threshold", 0, "textsim Options.Threshold (0: default)")
	shingle := fs.Int("shingle", 0, "textsim Options.Shingle (0: default)")
	bands := fs.Int("bands", 0, "textsim Options.Bands (0: default)")
	rows := fs.Int("rows", 0, "textsim Options.Rows (0: default)")
	workers := fs.Int("workers", 0, "goroutines (0: GOMAXPROCS)")
	csvOut := fs.String("csv", "", "also write the first -csv-n answers as id,text CSV to this file")
	csvN := fs.Int("csv-n", 10000, "answers to write with -csv")
	asJSON := fs.Bool("json", false, "print JSON instead of a table")
	showExtra := fs.Bool("show-extra", false, "print clusters with no campaign member to stderr")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of everything after generation to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch {
	case *n < 1:
		return errors.New("-n: want > 0")
	case *runs < 1:
		return errors.New("-runs: want > 0")
	case *share < 0 || *share > 1:
		return errors.New("-share: want 0..1")
	case *editMin < 0 || *editMax < *editMin || *editMax > 1:
		return errors.New("-edit-min, -edit-max: want 0 <= min <= max <= 1")
	}
	w := *workers
	if w < 1 {
		w = runtime.GOMAXPROCS(0)
	}
	opt := textsim.Options{Threshold: *threshold, Shingle: *shingle, Bands: *bands, Rows: *rows, Workers: w}

	t0 := time.Now()
	c := generate(genConfig{n: *n, campaigns: *campaigns, share: *share, editMin: *editMin, editMax: *editMax,
		personal: *personal, seed: *seed, meanWords: *words, workers: w})
	res := Result{N: *n, Campaigns: *campaigns, Sizes: c.Sizes, Workers: w, GenS: time.Since(t0).Seconds()}
	var bytes, wordCount int
	for i, t := range c.Texts {
		bytes += len(t)
		if i < 10000 {
			wordCount += len(textsim.Tokens(t))
		}
	}
	for _, s := range c.Sizes {
		res.InCampaign += s
	}
	res.MeanWords = float64(wordCount) / float64(min(*n, 10000))
	res.TextMB = float64(bytes) / (1 << 20)
	if *csvOut != "" {
		if err := writeCSV(*csvOut, c, *csvN); err != nil {
			return err
		}
	}
	docs := make([]textsim.Doc, *n)
	for i := range docs {
		docs[i] = textsim.Doc{ID: c.IDs[i], Text: c.Texts[i]}
	}
	runtime.GC()
	res.RSSAfterGen = maxRSS()

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	var clusters []textsim.Cluster
	for range *runs {
		clusters = nil
		runtime.GC()
		load := loadAvg()
		cpu := cpuSeconds()
		t := time.Now()
		clusters = textsim.Campaigns(docs, opt)
		res.DetectS = append(res.DetectS, time.Since(t).Seconds())
		res.DetectCPUS = append(res.DetectCPUS, cpuSeconds()-cpu)
		res.LoadAvg = append(res.LoadAvg, load+" → "+loadAvg())
	}
	res.RSSAfterDet = maxRSS()
	res.DetectMedS = median(res.DetectS)
	res.Clusters = len(clusters)
	res.Eval = evaluate(clusters, c.Label, nil)
	if *showExtra {
		for _, cl := range clusters {
			if c.Label[index(cl.Members[0])] < 0 {
				fmt.Fprintf(os.Stderr, "cluster of %d with no campaign member:\n", cl.Size)
				for _, id := range cl.Members {
					fmt.Fprintf(os.Stderr, "  %s: %s\n", id, c.Texts[index(id)])
				}
			}
		}
	}
	clusters = nil

	if *baseline > 0 {
		res.Baseline = runBaseline(docs[:min(*baseline, *n)], c.Label, opt)
	}
	if *themesN > 0 {
		sample := docs[:min(*themesN, *n)]
		runtime.GC()
		t := time.Now()
		themes := textsim.Themes(sample, textsim.ThemeOptions{Seed: 1, Workers: w})
		res.ThemesS = time.Since(t).Seconds()
		res.ThemesN, res.ThemesFound = len(sample), len(themes)
		for _, th := range themes[:min(8, len(themes))] {
			res.ThemesLabels = append(res.ThemesLabels, fmt.Sprintf("%s (%d)", th.Label, len(th.Members)))
		}
		res.ThemesPurity, res.ThemesTopics = themePurity(themes, c.Topic)
	}
	if *cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return printTable(stdout, res)
}

// maxRSS is the process's peak resident set size in MiB (getrusage).
func maxRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return ru.Maxrss / 1024 // kilobytes on Linux
}

// cpuSeconds is the process's user+system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// loadAvg is the 1-minute load average, to show how busy the shared
// machine was.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// index recovers an answer's position from its ID ("r0001234").
func index(id string) int {
	i, _ := strconv.Atoi(id[1:])
	return i
}

func pairs(k int64) int64 { return k * (k - 1) / 2 }

// evaluate scores clusters against the labels of the answers they cover;
// only answers whose index is below len(label) count (sample: the first
// ones), and true pairs are counted among those.
func evaluate(clusters []textsim.Cluster, label []int32, within []int32) Eval {
	if within == nil {
		within = label
	}
	campaignSize := map[int32]int64{}
	var labelled int64
	for _, l := range within {
		if l >= 0 {
			campaignSize[l]++
			labelled++
		}
	}
	var predPairs, tp, flagged, flaggedTrue int64
	best := map[int32]int64{}
	for _, c := range clusters {
		predPairs += pairs(int64(c.Size))
		counts := map[int32]int64{}
		for _, id := range c.Members {
			l := label[index(id)]
			flagged++
			if l >= 0 {
				counts[l]++
				flaggedTrue++
			}
		}
		for l, k := range counts {
			tp += pairs(k)
			best[l] = max(best[l], k)
		}
	}
	var truePairs int64
	minCov := 1.0
	for l, s := range campaignSize {
		truePairs += pairs(s)
		minCov = min(minCov, float64(best[l])/float64(s))
	}
	return Eval{
		PairPrecision: ratio(tp, predPairs),
		PairRecall:    ratio(tp, truePairs),
		DocPrecision:  ratio(flaggedTrue, flagged),
		DocRecall:     ratio(flaggedTrue, labelled),
		MinCoverage:   minCov,
	}
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// runBaseline clusters a sample by exact Jaccard over all pairs
// (single linkage at the threshold, as Docket Wrench's hierarchical
// clustering cut at one height) and by textsim, and compares the two.
func runBaseline(sample []textsim.Doc, label []int32, opt textsim.Options) *Baseline {
	o := opt
	if !(o.Threshold > 0) {
		o.Threshold = textsim.DefaultThreshold
	}
	k := o.Shingle
	if k < 1 {
		k = textsim.DefaultShingle
	}
	b := &Baseline{N: len(sample)}
	runtime.GC()
	t := time.Now()
	sets := make([][]uint64, len(sample))
	var wg sync.WaitGroup
	for w := range opt.Workers {
		wg.Go(func() {
			for i := w; i < len(sample); i += opt.Workers {
				if len(textsim.Tokens(sample[i].Text)) >= textsim.DefaultMinWords {
					sets[i] = textsim.Shingles(sample[i].Text, k)
				}
			}
		})
	}
	wg.Wait()
	found := make([][][2]int32, opt.Workers)
	for w := range opt.Workers {
		wg.Go(func() {
			for i := w; i < len(sets); i += opt.Workers {
				if sets[i] == nil {
					continue
				}
				for j := i + 1; j < len(sets); j++ {
					if sets[j] != nil && textsim.Jaccard(sets[i], sets[j]) >= o.Threshold {
						found[w] = append(found[w], [2]int32{int32(i), int32(j)})
					}
				}
			}
		})
	}
	wg.Wait()
	parent := make([]int32, len(sample))
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, f := range found {
		b.Edges += len(f)
		for _, p := range f {
			if ra, rb := find(p[0]), find(p[1]); ra != rb {
				parent[max(ra, rb)] = min(ra, rb)
			}
		}
	}
	b.ExactS = time.Since(t).Seconds()
	b.Pairs = pairs(int64(len(sample)))
	groups := map[int32][]string{}
	for i := range sample {
		r := find(int32(i))
		groups[r] = append(groups[r], sample[i].ID)
	}
	var exact []textsim.Cluster
	exactOf := make([]int32, len(sample)) // cluster number + 1, 0 for none
	for _, ms := range groups {
		if len(ms) >= 2 {
			exact = append(exact, textsim.Cluster{Size: len(ms), Members: ms})
			for _, id := range ms {
				exactOf[index(id)] = int32(len(exact))
			}
		}
	}
	runtime.GC()
	t = time.Now()
	fast := textsim.Campaigns(sample, opt)
	b.FastS = time.Since(t).Seconds()
	b.Speedup = b.ExactS / b.FastS
	within := label[:len(sample)]
	b.ExactEval = evaluate(exact, label, within)
	b.TextsimEval = evaluate(fast, label, within)
	b.ExactGroups, b.TextsimGroup = len(exact), len(fast)
	// Co-clustered pairs: in one cluster of each, of either.
	var pe, pf int64
	for _, c := range exact {
		pe += pairs(int64(c.Size))
	}
	joint := map[[2]int32]int64{}
	for fi, c := range fast {
		pf += pairs(int64(c.Size))
		for _, id := range c.Members {
			if e := exactOf[index(id)]; e > 0 {
				joint[[2]int32{e, int32(fi)}]++
			}
		}
	}
	for _, k := range joint {
		b.Both += pairs(k)
	}
	b.Either = pe + pf - b.Both
	b.Agreement = ratio(b.Both, b.Either)
	return b
}

// themePurity scores themes against the planted topics of the independent
// answers in them (campaign members have none and are left out).
func themePurity(themes []textsim.Theme, topic []int8) (float64, int) {
	var right, all int
	recovered := map[int8]bool{}
	for _, th := range themes {
		counts := map[int8]int{}
		for _, id := range th.Members {
			if t := topic[index(id)]; t >= 0 {
				counts[t]++
				all++
			}
		}
		best, bestN := int8(-1), 0
		for t, n := range counts {
			if n > bestN || n == bestN && t < best {
				best, bestN = t, n
			}
		}
		right += bestN
		if best >= 0 {
			recovered[best] = true
		}
	}
	return ratio(int64(right), int64(all)), len(recovered)
}

func writeCSV(path string, c Corpus, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"id", "text"})
	for i := range min(n, len(c.Texts)) {
		w.Write([]string{c.IDs[i], c.Texts[i]})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func printTable(out io.Writer, r Result) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	p := func(k string, v any) { fmt.Fprintf(tw, "%s\t%v\n", k, v) }
	p("answers", r.N)
	p("campaigns (members)", fmt.Sprintf("%d (%d) sizes %v", r.Campaigns, r.InCampaign, r.Sizes))
	p("mean words / text MB", fmt.Sprintf("%.1f / %.0f", r.MeanWords, r.TextMB))
	p("workers", r.Workers)
	p("generate s", fmt.Sprintf("%.1f", r.GenS))
	p("detect s (runs)", fmt.Sprintf("%.2f %.2f", r.DetectMedS, r.DetectS))
	p("detect CPU s (runs)", fmt.Sprintf("%.2f", r.DetectCPUS))
	p("load average before → after", strings.Join(r.LoadAvg, ", "))
	p("clusters", r.Clusters)
	p("pairwise precision / recall", fmt.Sprintf("%.4f / %.4f", r.Eval.PairPrecision, r.Eval.PairRecall))
	p("per-answer precision / recall", fmt.Sprintf("%.4f / %.4f", r.Eval.DocPrecision, r.Eval.DocRecall))
	p("least campaign coverage", fmt.Sprintf("%.4f", r.Eval.MinCoverage))
	p("max RSS MiB after generate / detect", fmt.Sprintf("%d / %d", r.RSSAfterGen, r.RSSAfterDet))
	if b := r.Baseline; b != nil {
		p("baseline sample", b.N)
		p("exact all-pairs s", fmt.Sprintf("%.2f (%d pairs, %d at threshold, %d clusters)", b.ExactS, b.Pairs, b.Edges, b.ExactGroups))
		p("textsim on sample s", fmt.Sprintf("%.3f (%d clusters)", b.FastS, b.TextsimGroup))
		p("speed-up", fmt.Sprintf("%.0f×", b.Speedup))
		p("agreement both / either", fmt.Sprintf("%d / %d = %.4f", b.Both, b.Either, b.Agreement))
		p("exact P / R (pairwise)", fmt.Sprintf("%.4f / %.4f", b.ExactEval.PairPrecision, b.ExactEval.PairRecall))
		p("textsim P / R on sample", fmt.Sprintf("%.4f / %.4f", b.TextsimEval.PairPrecision, b.TextsimEval.PairRecall))
	}
	if r.ThemesN > 0 {
		p("themes: answers / s / found", fmt.Sprintf("%d / %.2f / %d", r.ThemesN, r.ThemesS, r.ThemesFound))
		p("themes: purity / topics recovered", fmt.Sprintf("%.3f / %d of %d", r.ThemesPurity, r.ThemesTopics, len(topics)))
		for _, l := range r.ThemesLabels {
			p("  theme", l)
		}
	}
	return tw.Flush()
}
