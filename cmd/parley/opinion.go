package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"parley/internal/opinion"
	"parley/internal/polis"
)

const opinionUsage = `Usage:
  parley opinion analyse [--seed N] DIR

Runs the conversation analysis (opinion groups, representative statements,
consensus) on a conversation exported in the Polis open-data format: DIR
holds votes.csv and/or participants-votes.csv, and comments.csv. Prints JSON
on stdout: "participants" maps each voter ID to a group number, or to null
when the voter cast too few votes to be clustered; statement and participant
IDs are the export's, as strings. When participants-votes.csv carries the
groups Polis assigned, "polis_agreement" gives the adjusted Rand index
between those and ours.
`

// opinionReport is what 'parley opinion analyse' prints.
type opinionReport struct {
	Participants map[string]*int    `json:"participants"`
	K            int                `json:"k"`
	Groups       []opinionGroup     `json:"groups"`
	Consensus    []opinionConsensus `json:"consensus"`
	Polis        *polisAgreement    `json:"polis_agreement,omitempty"`
}

type opinionGroup struct {
	ID             int              `json:"id"`
	Size           int              `json:"size"`
	Centre         [2]float64       `json:"centre"`
	Representative []opinionRepness `json:"representative"`
}

type opinionRepness struct {
	Statement string `json:"statement"`
	opinion.Repness
}

type opinionConsensus struct {
	Statement string `json:"statement"`
	opinion.Consensus
}

type polisAgreement struct {
	AdjustedRandIndex float64 `json:"adjusted_rand_index"`
	Participants      int     `json:"participants"` // grouped by both
	PolisGroups       int     `json:"polis_groups"`
}

func runOpinion(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, opinionUsage)
		return errors.New("opinion: no subcommand given (want analyse)")
	}
	switch args[0] {
	case "analyse", "analyze":
		return opinionAnalyse(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, opinionUsage)
		return nil
	}
	fmt.Fprint(stderr, opinionUsage)
	return fmt.Errorf("opinion: unknown subcommand %q (want analyse)", args[0])
}

func opinionAnalyse(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("opinion analyse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, opinionUsage) }
	seed := fs.Uint64("seed", 0, "random seed; the same seed gives the same result")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var dirs []string
	for fs.NArg() > 0 { // flags may also follow DIR
		dirs = append(dirs, fs.Arg(0))
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	if len(dirs) != 1 {
		fmt.Fprint(stderr, opinionUsage)
		return fmt.Errorf("opinion analyse: want one export folder, got %d arguments", len(dirs))
	}
	dir := dirs[0]
	if st, err := os.Stat(dir); err != nil {
		return fmt.Errorf("opinion analyse: %w", err)
	} else if !st.IsDir() {
		return fmt.Errorf("opinion analyse: %s is not a folder", dir)
	}
	export, err := polis.ReadExport(os.DirFS(dir))
	if err != nil {
		return fmt.Errorf("opinion analyse %s: %w", dir, err)
	}
	conv, err := export.Conversation()
	if err != nil {
		return fmt.Errorf("opinion analyse %s: %w", dir, err)
	}
	res, err := opinion.Compute(conv.Matrix, opinion.Options{Seed: *seed, Excluded: conv.Excluded})
	if err != nil {
		return fmt.Errorf("opinion analyse %s: %w", dir, err)
	}

	rep := opinionReport{Participants: map[string]*int{}, K: res.K, Groups: []opinionGroup{}, Consensus: []opinionConsensus{}}
	for i, id := range conv.Participants {
		var g *int
		if pl := res.Participants[i]; pl.Group >= 0 {
			g = &pl.Group
		}
		rep.Participants[strconv.Itoa(id)] = g
	}
	statement := func(s int) string { return strconv.Itoa(conv.Statements[s]) }
	for _, g := range res.Groups {
		og := opinionGroup{ID: g.ID, Size: g.Size, Centre: g.Centre, Representative: []opinionRepness{}}
		for _, r := range g.Representative {
			og.Representative = append(og.Representative, opinionRepness{statement(r.Statement), r})
		}
		rep.Groups = append(rep.Groups, og)
	}
	for _, c := range res.Consensus {
		rep.Consensus = append(rep.Consensus, opinionConsensus{statement(c.Statement), c})
	}
	if pv := export.Participants; pv != nil {
		var theirs, ours []int
		groups := map[int]bool{}
		for _, p := range pv.Participants {
			i, ok := conv.Participant(p.ID)
			if p.Group < 0 || !ok || res.Participants[i].Group < 0 {
				continue
			}
			groups[p.Group] = true
			theirs = append(theirs, p.Group)
			ours = append(ours, res.Participants[i].Group)
		}
		if len(theirs) > 0 {
			rep.Polis = &polisAgreement{AdjustedRandIndex: opinion.AdjustedRandIndex(theirs, ours), Participants: len(theirs), PolisGroups: len(groups)}
		}
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
