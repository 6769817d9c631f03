package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"parley/internal/textsim"
)

const textsimUsage = `Offline analysis of free-text responses.

Usage:
  parley textsim campaigns [--threshold J] [--shingle K] [--min-words N] FILE.csv
  parley textsim themes [--k K] [--seed S] [--min-size N] FILE.csv

FILE.csv has a header row "id,text" and one response per row; "-" reads
standard input.

campaigns prints the campaign (form-letter) and near-duplicate clusters of
two or more responses, largest first:
  {"clusters": [{"size": N, "template": "…", "template_id": "…",
                 "members": ["id", …], "added": {"id": "…"}}, …]}
"template" is the member closest to what the cluster shares; "added" has,
for each member that wrote anything beyond the template, those words.

themes prints candidate themes for analysts to review:
  {"themes": [{"label": "…", "terms": […], "size": N, "members": […],
               "quotes": [{"id": "…", "sentence": "…"}, …]}, …]}
`

// runTextsim runs "parley textsim …".
func runTextsim(args []string, stdout, stderr io.Writer) error {
	return textsimCommand(args, os.Stdin, stdout, stderr)
}

func textsimCommand(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, textsimUsage)
		return errors.New("textsim: no subcommand given (campaigns or themes)")
	}
	switch args[0] {
	case "campaigns":
		fs := flag.NewFlagSet("textsim campaigns", flag.ContinueOnError)
		fs.SetOutput(stderr)
		threshold := fs.Float64("threshold", textsim.DefaultThreshold, "least Jaccard index of a member with its template (0–1]")
		shingle := fs.Int("shingle", textsim.DefaultShingle, "words per shingle")
		minWords := fs.Int("min-words", textsim.DefaultMinWords, "responses with fewer words are never clustered")
		name, err := parseWithFile(fs, args[1:])
		if err != nil {
			return err
		}
		switch {
		case !(*threshold > 0 && *threshold <= 1):
			return fmt.Errorf("textsim campaigns: --threshold %v: want more than 0, at most 1", *threshold)
		case *shingle < 1 || *shingle > 16:
			return fmt.Errorf("textsim campaigns: --shingle %d: want 1 to 16", *shingle)
		case *minWords < 1:
			return fmt.Errorf("textsim campaigns: --min-words %d: want at least 1", *minWords)
		}
		docs, err := readResponses(name, stdin)
		if err != nil {
			return fmt.Errorf("textsim campaigns: %w", err)
		}
		found := textsim.Campaigns(docs, textsim.Options{Threshold: *threshold, Shingle: *shingle, MinWords: *minWords})
		type cluster struct {
			Size       int               `json:"size"`
			Template   string            `json:"template"`
			TemplateID string            `json:"template_id"`
			Members    []string          `json:"members"`
			Added      map[string]string `json:"added"`
		}
		out := struct {
			Clusters []cluster `json:"clusters"`
		}{Clusters: []cluster{}}
		for _, c := range found {
			out.Clusters = append(out.Clusters, cluster{c.Size, c.Template, c.TemplateID, c.Members, c.Added})
		}
		return writeJSON(stdout, out)
	case "themes":
		fs := flag.NewFlagSet("textsim themes", flag.ContinueOnError)
		fs.SetOutput(stderr)
		k := fs.Int("k", 0, "themes to look for before merging (0: from the number of responses)")
		seed := fs.Uint64("seed", 1, "seed: the same seed gives the same themes")
		minSize := fs.Int("min-size", 0, "drop themes with fewer responses (0: 5, or 2 under 500 responses)")
		name, err := parseWithFile(fs, args[1:])
		if err != nil {
			return err
		}
		if *k < 0 || *minSize < 0 {
			return errors.New("textsim themes: --k and --min-size cannot be negative")
		}
		docs, err := readResponses(name, stdin)
		if err != nil {
			return fmt.Errorf("textsim themes: %w", err)
		}
		found := textsim.Themes(docs, textsim.ThemeOptions{K: *k, Seed: *seed, MinSize: *minSize})
		type quote struct {
			ID       string `json:"id"`
			Sentence string `json:"sentence"`
		}
		type theme struct {
			Label   string   `json:"label"`
			Terms   []string `json:"terms"`
			Size    int      `json:"size"`
			Members []string `json:"members"`
			Quotes  []quote  `json:"quotes"`
		}
		out := struct {
			Themes []theme `json:"themes"`
		}{Themes: []theme{}}
		for _, th := range found {
			t := theme{Label: th.Label, Terms: th.Terms, Size: len(th.Members), Members: th.Members, Quotes: []quote{}}
			for _, q := range th.Quotes {
				t.Quotes = append(t.Quotes, quote(q))
			}
			out.Themes = append(out.Themes, t)
		}
		return writeJSON(stdout, out)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, textsimUsage)
		return nil
	}
	fmt.Fprint(stderr, textsimUsage)
	return fmt.Errorf("textsim: unknown subcommand %q", args[0])
}

// parseWithFile parses flags before and after the one FILE argument.
func parseWithFile(fs *flag.FlagSet, args []string) (string, error) {
	if err := fs.Parse(args); err != nil {
		return "", err
	}
	if fs.NArg() == 0 {
		return "", fmt.Errorf("%s: no FILE.csv given (use - for standard input)", fs.Name())
	}
	name := fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return "", err
	}
	if fs.NArg() > 0 {
		return "", fmt.Errorf("%s: unexpected argument %q after %s", fs.Name(), fs.Arg(0), name)
	}
	return name, nil
}

// readResponses reads an id,text CSV file ("-": stdin). Errors name the
// file and the line.
func readResponses(name string, stdin io.Reader) ([]textsim.Doc, error) {
	var in io.Reader = stdin
	if name == "-" {
		name = "stdin"
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		in = f
	}
	r := csv.NewReader(in)
	r.FieldsPerRecord = -1 // checked here, to say which line and what was wanted
	header, err := r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty, want a header row \"id,text\"", name)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // spreadsheet byte-order mark
	}
	for i := range header {
		header[i] = strings.ToLower(strings.TrimSpace(header[i]))
	}
	if len(header) != 2 || header[0] != "id" || header[1] != "text" {
		return nil, fmt.Errorf("%s:1: header is %q, want \"id,text\"", name, strings.Join(header, ","))
	}
	var docs []textsim.Doc
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) != 2 {
			return nil, fmt.Errorf("%s:%d: row has %d fields, want 2 (id,text)", name, line, len(rec))
		}
		id := strings.TrimSpace(rec[0])
		if id == "" {
			return nil, fmt.Errorf("%s:%d: empty id", name, line)
		}
		if first, ok := seen[id]; ok {
			return nil, fmt.Errorf("%s:%d: id %q already used on line %d", name, line, id, first)
		}
		seen[id] = line
		docs = append(docs, textsim.Doc{ID: id, Text: rec[1]})
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
