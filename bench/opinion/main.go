// Command opinion benchmarks package opinion on conversations with planted
// opinion groups, and writes the same data for the scikit-learn baseline
// (baseline.py).
//
//	go run ./bench/opinion gen -participants 8000 -statements 8000 -votes 1000000 -out /tmp/op1m.bin
//	go run ./bench/opinion run -in /tmp/op1m.bin -runs 5
//
// run times NewMatrix + Compute (the full recompute from the vote list in
// memory; reading the file is not timed), prints each run, the median, the
// CPU time per run (user + system, all threads: steadier than wall time on
// a shared machine), the adjusted Rand index against the planted groups
// (participants clustered only), and the peak resident set size of the
// process from getrusage (ru_maxrss, which includes reading the file and
// holding the votes).
package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"syscall"
	"time"

	"parley/internal/opinion"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "opinion:", err)
		os.Exit(2)
	}
}

func run(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: opinion gen|run [flags]")
	}
	switch args[0] {
	case "gen":
		fs := flag.NewFlagSet("gen", flag.ContinueOnError)
		var c genConfig
		fs.IntVar(&c.participants, "participants", 8000, "participants")
		fs.IntVar(&c.statements, "statements", 8000, "statements")
		fs.IntVar(&c.votes, "votes", 1_000_000, "votes")
		fs.IntVar(&c.groups, "groups", 3, "planted groups")
		fs.Uint64Var(&c.seed, "seed", 1, "random seed")
		out := fs.String("out", "", "file to write")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *out == "" {
			return errors.New("gen: -out is required")
		}
		d := generate(c)
		return d.write(*out)
	case "run":
		fs := flag.NewFlagSet("run", flag.ContinueOnError)
		in := fs.String("in", "", "file written by gen")
		runs := fs.Int("runs", 5, "timed runs")
		seed := fs.Uint64("seed", 1, "seed for Compute")
		profile := fs.String("cpuprofile", "", "write a CPU profile of the runs here")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *profile != "" {
			f, err := os.Create(*profile)
			if err != nil {
				return err
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				return err
			}
			defer pprof.StopCPUProfile()
		}
		d, err := read(*in)
		if err != nil {
			return err
		}
		return bench(d, *runs, *seed, stdout)
	}
	return fmt.Errorf("unknown command %q", args[0])
}

type genConfig struct {
	participants, statements, votes, groups int
	seed                                    uint64
}

type data struct {
	participants, statements, groups int
	entries                          []opinion.Entry
	label                            []int32 // planted group per participant
}

// generate plants groups: each participant belongs to a group (sizes in
// proportion 1, 1/2, 1/3, …); each statement is a consensus statement (30%,
// same answer probabilities for everyone) or a divisive one, on which each
// group leans to agree or to disagree at random. Votes per participant are
// log-normal (heavy-tailed, some below the 7 needed to be clustered) and
// statements are picked with a mild popularity skew, in random order.
func generate(c genConfig) *data {
	rng := rand.New(rand.NewPCG(c.seed, 42))
	d := &data{participants: c.participants, statements: c.statements, groups: c.groups}
	// Groups.
	var share []float64
	for g := range c.groups {
		share = append(share, 1/float64(g+1))
	}
	d.label = make([]int32, c.participants)
	for p := range d.label {
		d.label[p] = int32(pickWeighted(share, rng.Float64()))
	}
	// Answer probabilities [statement][group] → (agree, disagree).
	type probs struct{ agree, disagree float64 }
	prob := make([][]probs, c.statements)
	for s := range prob {
		prob[s] = make([]probs, c.groups)
		if rng.Float64() < 0.3 {
			a := 0.6 + 0.3*rng.Float64()
			for g := range prob[s] {
				prob[s][g] = probs{a, (1 - a) * 0.6}
			}
			continue
		}
		for g := range prob[s] {
			if rng.IntN(2) == 0 {
				prob[s][g] = probs{0.75, 0.15}
			} else {
				prob[s][g] = probs{0.15, 0.75}
			}
		}
	}
	// Votes per participant.
	w := make([]float64, c.participants)
	var total float64
	for p := range w {
		w[p] = math.Exp(rng.NormFloat64())
		total += w[p]
	}
	count := make([]int, c.participants)
	sum := 0
	limit := max(1, c.statements/2)
	for p := range count {
		count[p] = min(limit, max(1, int(w[p]/total*float64(c.votes))))
		sum += count[p]
	}
	for p := 0; sum < c.votes; p = (p + 1) % c.participants {
		if count[p] < limit {
			count[p]++
			sum++
		}
	}
	for p := 0; sum > c.votes; p = (p + 1) % c.participants {
		if count[p] > 1 {
			count[p]--
			sum--
		}
	}
	// Statement popularity: cumulative weights for sampling.
	cum := make([]float64, c.statements)
	acc := 0.0
	for s := range cum {
		acc += 1 / (1 + float64(s)/(0.1*float64(c.statements)))
		cum[s] = acc
	}
	seen := make([]int32, c.statements)
	for s := range seen {
		seen[s] = -1
	}
	d.entries = make([]opinion.Entry, 0, sum)
	for p := range count {
		g := d.label[p]
		for k := 0; k < count[p]; {
			s, _ := slices.BinarySearch(cum, rng.Float64()*acc)
			s = min(s, c.statements-1)
			if seen[s] == int32(p) {
				continue
			}
			seen[s] = int32(p)
			k++
			u := rng.Float64()
			v := opinion.Pass
			switch pr := prob[s][g]; {
			case u < pr.agree:
				v = opinion.Agree
			case u < pr.agree+pr.disagree:
				v = opinion.Disagree
			}
			d.entries = append(d.entries, opinion.Entry{P: int32(p), S: int32(s), V: v})
		}
	}
	return d
}

func pickWeighted(w []float64, u float64) int {
	var t float64
	for _, x := range w {
		t += x
	}
	r := u * t
	for i, x := range w {
		if r < x {
			return i
		}
		r -= x
	}
	return len(w) - 1
}

// File: "PVM1", uint32 participants, statements, groups, uint64 votes, then
// int32 P[votes], int32 S[votes], int8 V[votes], int32 label[participants],
// all little-endian.
func (d *data) write(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	put := func(v any) { _ = binary.Write(w, binary.LittleEndian, v) }
	_, _ = w.WriteString("PVM1")
	put([3]uint32{uint32(d.participants), uint32(d.statements), uint32(d.groups)})
	put(uint64(len(d.entries)))
	col := make([]int32, len(d.entries))
	for i, e := range d.entries {
		col[i] = e.P
	}
	put(col)
	for i, e := range d.entries {
		col[i] = e.S
	}
	put(col)
	vs := make([]int8, len(d.entries))
	for i, e := range d.entries {
		vs[i] = int8(e.V)
	}
	put(vs)
	put(d.label)
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func read(name string) (*data, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var magic [4]byte
	var hdr [3]uint32
	var n uint64
	get := func(v any) error { return binary.Read(r, binary.LittleEndian, v) }
	if err := errors.Join(get(&magic), get(&hdr), get(&n)); err != nil {
		return nil, err
	}
	if string(magic[:]) != "PVM1" {
		return nil, fmt.Errorf("%s: not a PVM1 file", name)
	}
	d := &data{participants: int(hdr[0]), statements: int(hdr[1]), groups: int(hdr[2])}
	ps, ss, vs := make([]int32, n), make([]int32, n), make([]int8, n)
	d.label = make([]int32, d.participants)
	if err := errors.Join(get(ps), get(ss), get(vs), get(d.label)); err != nil {
		return nil, err
	}
	d.entries = make([]opinion.Entry, n)
	for i := range d.entries {
		d.entries[i] = opinion.Entry{P: ps[i], S: ss[i], V: opinion.Vote(vs[i])}
	}
	return d, nil
}

func bench(d *data, runs int, seed uint64, stdout io.Writer) error {
	runtime.GC()
	fmt.Fprintf(stdout, "%d participants × %d statements, %d votes, %d planted groups, GOMAXPROCS %d\n",
		d.participants, d.statements, len(d.entries), d.groups, runtime.GOMAXPROCS(0))
	var times []time.Duration
	var res opinion.Result
	cpu0 := cpuTime()
	for i := range runs {
		t0 := time.Now()
		m, err := opinion.NewMatrix(d.participants, d.statements, d.entries)
		if err != nil {
			return err
		}
		t1 := time.Now()
		res, err = opinion.Compute(m, opinion.Options{Seed: seed})
		if err != nil {
			return err
		}
		t2 := time.Now()
		times = append(times, t2.Sub(t0))
		fmt.Fprintf(stdout, "run %d: %v (NewMatrix %v, Compute %v)\n", i+1, t2.Sub(t0).Round(time.Millisecond), t1.Sub(t0).Round(time.Millisecond), t2.Sub(t1).Round(time.Millisecond))
	}
	cpu := (cpuTime() - cpu0) / time.Duration(runs)
	slices.Sort(times)
	var planted, found, planted50, found50 []int
	clustered := 0
	for p, pl := range res.Participants {
		if pl.Clustered {
			clustered++
			planted = append(planted, int(d.label[p]))
			found = append(found, pl.Group)
			if pl.Votes >= 50 {
				planted50 = append(planted50, int(d.label[p]))
				found50 = append(found50, pl.Group)
			}
		}
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	sizes := make([]int, len(res.Groups))
	for i, g := range res.Groups {
		sizes[i] = g.Size
	}
	fmt.Fprintf(stdout, "median %v over %d runs (min %v, max %v)\n", times[len(times)/2].Round(time.Millisecond), runs, times[0].Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond))
	fmt.Fprintf(stdout, "CPU time (user + system) per run %v\n", cpu.Round(time.Millisecond))
	fmt.Fprintf(stdout, "k = %d, group sizes %v, clustered %d, ARI vs planted %.4f (%.4f for the %d with ≥ 50 votes)\n",
		res.K, sizes, clustered, opinion.AdjustedRandIndex(planted, found), opinion.AdjustedRandIndex(planted50, found50), len(planted50))
	fmt.Fprintf(stdout, "peak RSS (getrusage ru_maxrss) %.1f MB\n", float64(ru.Maxrss)/1024)
	return nil
}

// cpuTime is the CPU the process has used so far, on all threads.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
