package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const textsimLetter = "Dear Sir or Madam, I object to the plan to close the Central Library on Market Street. " +
	"It is a vital resource for families, older people and students with nowhere else to study, " +
	"and closing it would save very little money. Please keep it open."

// textsimRun runs "parley textsim ARGS" with stdin, returning stdout.
func textsimRun(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := textsimCommand(args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), err
}

func textsimCSV(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "responses.csv")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const textsimResponses = "\ufeffID,Text\n" +
	"r1,\"" + textsimLetter + "\"\n" +
	"r2,I think the bus service to the hospital is far too unreliable in the evenings.\n" +
	"r3,\"" + textsimLetter + " My mother has used it for forty years.\"\n" +
	"r4,\"As a teacher, I see the children rely on it.\n" + textsimLetter + "\"\n" +
	"r5,Yes\n" +
	"r6,Yes\n"

type textsimOutput struct {
	Clusters []struct {
		Size       int               `json:"size"`
		Template   string            `json:"template"`
		TemplateID string            `json:"template_id"`
		Members    []string          `json:"members"`
		Added      map[string]string `json:"added"`
	} `json:"clusters"`
}

func TestTextsimCampaigns(t *testing.T) {
	path := textsimCSV(t, textsimResponses)
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
	}{
		{"file", "", []string{"campaigns", path}},
		{"stdin", textsimResponses, []string{"campaigns", "-"}},
		{"flags after file", "", []string{"campaigns", path, "--threshold", "0.3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := textsimRun(t, tc.stdin, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			var got textsimOutput
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if len(got.Clusters) != 1 {
				t.Fatalf("%d clusters, want 1:\n%s", len(got.Clusters), out)
			}
			c := got.Clusters[0]
			if c.Size != 3 || !slices.Equal(c.Members, []string{"r1", "r3", "r4"}) {
				t.Errorf("size %d members %v, want r1 r3 r4", c.Size, c.Members)
			}
			if c.TemplateID != "r1" || c.Template != textsimLetter {
				t.Errorf("template %s %q", c.TemplateID, c.Template)
			}
			want := map[string]string{"r3": "My mother has used it for forty years", "r4": "As a teacher, I see the children rely on it"}
			if len(c.Added) != 2 || c.Added["r3"] != want["r3"] || c.Added["r4"] != want["r4"] {
				t.Errorf("added %q, want %q", c.Added, want)
			}
		})
	}
}

func TestTextsimCampaignsEmptyResult(t *testing.T) {
	out, err := textsimRun(t, "id,text\na,one answer only\n", "campaigns", "-")
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(out) != `{
  "clusters": []
}` {
		t.Errorf("no clusters printed as %s", out)
	}
}

func TestTextsimThemes(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,text\n")
	for i, s := range []string{
		"The bus service is unreliable.", "Bus fares are too expensive.", "The bus service never runs on time.",
		"Library opening hours are short.", "Keep the library open longer.", "Library opening hours matter to students.",
	} {
		b.WriteString(string(rune('a'+i)) + "," + s + "\n")
	}
	out, err := textsimRun(t, b.String(), "themes", "--k", "2", "-")
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Themes []struct {
			Label   string   `json:"label"`
			Size    int      `json:"size"`
			Members []string `json:"members"`
			Quotes  []struct{ ID, Sentence string }
		} `json:"themes"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got.Themes) != 2 || got.Themes[0].Size != 3 || len(got.Themes[0].Quotes) == 0 {
		t.Errorf("themes:\n%s", out)
	}
}

func TestTextsimErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		args    []string
		content string // written to a temp file given as the last argument
		want    string
	}{
		{"no subcommand", nil, "", "no subcommand"},
		{"unknown subcommand", []string{"frobnicate"}, "", "unknown subcommand"},
		{"no file", []string{"campaigns"}, "", "no FILE.csv"},
		{"missing file", []string{"campaigns", filepath.Join(dir, "nope.csv")}, "", "no such file"},
		{"two files", []string{"campaigns", "a.csv", "b.csv"}, "", "unexpected argument"},
		{"bad threshold", []string{"campaigns", "--threshold", "2", "-"}, "", "--threshold"},
		{"bad flag", []string{"campaigns", "--frobnicate", "-"}, "", "frobnicate"},
		{"empty file", []string{"campaigns"}, "", "empty, want a header row"},
		{"bad header", []string{"campaigns"}, "name,comment\na,b\n", `responses.csv:1: header is "name,comment"`},
		{"header with three columns", []string{"themes"}, "id,text,extra\n", "want \"id,text\""},
		{"ragged row", []string{"campaigns"}, "id,text\na,fine\nb,too,many\n", "responses.csv:3: row has 3 fields"},
		{"short row", []string{"themes"}, "id,text\na,fine\n\"b\"\n", "responses.csv:3: row has 1 fields"},
		{"bad quoting", []string{"campaigns"}, "id,text\na,\"unclosed\n", "responses.csv"},
		{"empty id", []string{"campaigns"}, "id,text\n,orphan\n", "responses.csv:2: empty id"},
		{"repeated id", []string{"campaigns"}, "id,text\na,x\nb,y\na,z\n", `responses.csv:4: id "a" already used on line 2`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.name != "no subcommand" && tc.content != "" || tc.name == "empty file" {
				args = append(slices.Clone(args), textsimCSV(t, tc.content))
			}
			_, err := textsimRun(t, "", args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestTextsimHelp(t *testing.T) {
	out, err := textsimRun(t, "", "help")
	if err != nil || !strings.Contains(out, "parley textsim campaigns") {
		t.Errorf("help: %v %q", err, out)
	}
	var stdout, stderr bytes.Buffer
	if err := runTextsim([]string{"--help"}, &stdout, &stderr); err != nil || stdout.Len() == 0 {
		t.Errorf("runTextsim --help: %v", err)
	}
}

func FuzzTextsimCSV(f *testing.F) {
	f.Add(textsimResponses)
	f.Add("id,text\na,\"multi\nline\"\n")
	f.Add("id,text\n\"unclosed")
	f.Fuzz(func(t *testing.T, in string) {
		docs, err := readResponses("-", strings.NewReader(in))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "stdin") {
				t.Fatalf("error does not name the input: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, d := range docs {
			if d.ID == "" || seen[d.ID] {
				t.Fatalf("empty or repeated id %q", d.ID)
			}
			seen[d.ID] = true
		}
	})
}
