package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"parley/internal/opinion"
	"parley/internal/polis"
)

func TestOpinionUsage(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "votes.csv")
	if err := os.WriteFile(file, []byte("timestamp,datetime,comment-id,voter-id,vote\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, "votes.csv"), []byte("timestamp,datetime,comment-id,voter-id,vote\n1,x,2,3,7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		want string // in the error; "" for success
	}{
		{"nothing", nil, "no subcommand"},
		{"unknown", []string{"frobnicate"}, `unknown subcommand "frobnicate"`},
		{"help", []string{"help"}, ""},
		{"no folder", []string{"analyse"}, "want one export folder, got 0"},
		{"two folders", []string{"analyse", dir, dir}, "want one export folder, got 2"},
		{"missing folder", []string{"analyse", filepath.Join(dir, "nope")}, "no such file or directory"},
		{"file not folder", []string{"analyse", file}, "is not a folder"},
		{"empty folder", []string{"analyse", t.TempDir()}, "neither votes.csv nor participants-votes.csv"},
		{"bad vote", []string{"analyse", bad}, `votes.csv: line 2, column 5 (vote): invalid vote "7"`},
		{"bad flag", []string{"analyse", "--seed", "x", dir}, "invalid value"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := runOpinion(c.args, &stdout, &stderr)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

type report struct {
	Participants map[string]*int `json:"participants"`
	K            int             `json:"k"`
	Groups       []struct {
		ID             int `json:"id"`
		Size           int `json:"size"`
		Representative []struct {
			Statement string  `json:"statement"`
			Direction string  `json:"direction"`
			P         float64 `json:"p"`
		} `json:"representative"`
	} `json:"groups"`
	Consensus []struct {
		Statement string `json:"statement"`
		Direction string `json:"direction"`
	} `json:"consensus"`
	Polis *struct {
		AdjustedRandIndex float64 `json:"adjusted_rand_index"`
		Participants      int     `json:"participants"`
	} `json:"polis_agreement"`
}

func analyse(t *testing.T, args ...string) report {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := runOpinion(append([]string{"analyse"}, args...), &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var r report
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	return r
}

// TestOpinionAnalyse writes a small export with two camps (voters 100–119
// agree with comments 10–14 and disagree with 15–19, voters 200–219 the
// reverse, everyone agrees with 20; comment 21 is moderated out) and a
// voter with too few votes.
func TestOpinionAnalyse(t *testing.T) {
	dir := t.TempDir()
	var votes []polis.Vote
	ts := int64(1_700_000_000_000)
	vote := func(voter, comment int, v opinion.Vote) {
		ts++
		votes = append(votes, polis.Vote{Timestamp: ts, Comment: comment, Voter: voter, Vote: v})
	}
	for camp, base := range []int{100, 200} {
		for p := base; p < base+20; p++ {
			for c := 10; c < 20; c++ {
				v := opinion.Agree
				if (c < 15) != (camp == 0) {
					v = opinion.Disagree
				}
				if (p+c)%7 == 0 {
					v = opinion.Pass
				}
				vote(p, c, -v) // changed later: the last vote counts
				vote(p, c, v)
			}
			vote(p, 20, opinion.Agree)
			vote(p, 21, opinion.Agree)
		}
	}
	vote(999, 10, opinion.Agree)
	var comments []polis.Comment
	for c := 10; c <= 21; c++ {
		m := polis.Accepted
		if c == 21 {
			m = polis.ModeratedOut
		}
		comments = append(comments, polis.Comment{Timestamp: ts, ID: c, Author: 1, Moderated: m, Body: "comment " + strconv.Itoa(c)})
	}
	write := func(name string, f func(*os.File) error) {
		out, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := f(out); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
	write(polis.VotesFile, func(f *os.File) error { return polis.WriteVotes(f, votes) })
	write(polis.CommentsFile, func(f *os.File) error { return polis.WriteComments(f, comments) })

	r := analyse(t, dir, "--seed", "3")
	if r.K != 2 || len(r.Groups) != 2 {
		t.Fatalf("k = %d with %d groups, want 2", r.K, len(r.Groups))
	}
	if len(r.Participants) != 41 {
		t.Errorf("%d participants, want 41", len(r.Participants))
	}
	if g, ok := r.Participants["999"]; !ok || g != nil {
		t.Errorf("voter 999 (one vote) maps to %v, %v; want null", g, ok)
	}
	for _, camp := range []int{100, 200} {
		g := r.Participants[strconv.Itoa(camp)]
		for p := camp; p < camp+20; p++ {
			if h := r.Participants[strconv.Itoa(p)]; h == nil || g == nil || *h != *g {
				t.Errorf("voter %d is not with voter %d", p, camp)
			}
		}
	}
	for _, g := range r.Groups {
		if g.Size != 20 || len(g.Representative) == 0 {
			t.Errorf("group %d: size %d, %d representative statements", g.ID, g.Size, len(g.Representative))
		}
		for _, rep := range g.Representative {
			if c, _ := strconv.Atoi(rep.Statement); c < 10 || c > 19 || rep.Direction != "agree" && rep.Direction != "disagree" {
				t.Errorf("group %d: representative %+v", g.ID, rep)
			}
		}
	}
	if len(r.Consensus) == 0 || r.Consensus[0].Statement != "20" || r.Consensus[0].Direction != "agree" {
		t.Errorf("consensus %+v, want comment 20 (agree) first", r.Consensus)
	}
	for _, c := range r.Consensus {
		if c.Statement == "21" {
			t.Error("moderated-out comment 21 is in the consensus")
		}
	}
	if r.Polis != nil {
		t.Errorf("polis agreement %+v without participants-votes.csv", r.Polis)
	}
}

// TestOpinionAnalyseSeattle runs on a real export, next to the repository.
func TestOpinionAnalyseSeattle(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "data", "polis", "15-per-hour-seattle")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no Polis open data next to the repository (%v)", err)
	}
	r := analyse(t, dir)
	if len(r.Participants) != 339 {
		t.Errorf("%d participants, want the 339 voters", len(r.Participants))
	}
	if r.K != 2 {
		t.Errorf("k = %d; Polis found 2 groups", r.K)
	}
	if r.Polis == nil || r.Polis.Participants != 138 || r.Polis.AdjustedRandIndex < 0.8 {
		t.Errorf("agreement with Polis %+v, want all 138 it grouped and ARI ≥ 0.8", r.Polis)
	}
	t.Logf("k %d, agreement with Polis %+v", r.K, *r.Polis)
}
