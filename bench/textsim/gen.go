package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
)

// The corpus: answers to a council consultation, written from a small
// grammar of the sentences people write in them (opinions, reasons,
// personal circumstances, requests) over a vocabulary of about 900 words
// and phrases. Campaigns are form letters from the same grammar, sent by
// many people, each copy with random word edits and often a personal
// sentence or two added at the start or the end.

// grammar maps a symbol to its alternatives; "{x}" in an alternative is a
// symbol. Lower-case symbols are expanded; anything else is a word.
var grammar = map[string][]string{
	"sentence": {
		"{i} {think} that {np} {modal} {vp} {because} {clause}.",
		"{np} {be} {adj} {pp}.",
		"As {a_role} {living} in {place}, I {use} {np} {freq}.",
		"{np} on {street} {havebeen} {adj} {time}.",
		"Please {consider} {np} before {gerund} {np}.",
		"We need {more} {nouns} {pp}.",
		"It would be {adj} if {np} could {vp}.",
		"My {relative} {past} {np} {time}.",
		"{marker}, {np} {be} {adj} and {np} {be} {adj}.",
		"I {strongly} {support} the proposal to {vp}.",
		"The council {should} {vp} {instead}.",
		"More than {num} people {past} {np} {time}.",
		"I have lived in {place} for {num} years and {clause}.",
		"{np} {modal} be {adj} for {people}.",
		"Why {should} {people} {pay} for {np} when {clause}?",
		"{marker}, I {think} {np} {modal} {vp}.",
		"If {np} {closes}, {people} will {suffer}.",
		"I {use} {np} {freq} and {clause}.",
		"{people} {cannot} {vp} {because} {clause}.",
		"The {plan} to {vp} {be} {adj}.",
	},
	"personal": {
		"As {a_role} {living} in {place}, I {use} {np} {freq}.",
		"My {relative} {past} {np} {time}.",
		"I have lived in {place} for {num} years and {clause}.",
		"I {use} {np} {freq} and {clause}.",
		"Speaking as {a_role}, {clause}.",
		"My {relative} and I {use} {np} {freq}.",
	},
	"opening": {"Dear {council},", "To the {council},", "Dear Sir or Madam,", "To whom it may concern,"},
	"closing": {"I urge the council to {vp}.", "Please {vp} and {vp}.", "I ask you to {vp} {instead}."},
	"signoff": {"Yours faithfully.", "Yours sincerely.", "Thank you for listening.", "Regards."},

	"clause": {"{np} {be} {adj}", "{people} {cannot} {vp}", "{np} {havebeen} {adj} {time}",
		"it will {effect} {np}", "{np} {be} {adj} {pp}", "nobody {past} {np}", "{people} {past} {np} {time}"},
	"np":    {"the {noun}", "the {adj} {noun}", "our {noun}", "the {noun} in {place}", "the {noun} {pp}", "{place} {noun}", "the {noun} and the {noun}"},
	"vp":    {"{verb} {np}", "{verb} {np} {pp}", "{verb} more {nouns}", "{verb} {np} {time}"},
	"pp":    {"in {place}", "near {np}", "for {people}", "on {street}", "during the {season}", "across the {area}", "at weekends", "in the evenings"},
	"i":     {"I", "I really", "I honestly", "I personally", "We all"},
	"think": {"think", "believe", "feel", "am convinced", "worry", "suspect", "agree", "know"},
	"modal": {"should", "must", "could", "ought to", "will", "cannot", "should not", "might"},
	"because": {"because", "since", "as", "given that", "now that", "even though", "while",
		"when", "although"},
	"be":       {"is", "is not", "has become", "seems", "remains", "is very", "is far too", "was once"},
	"havebeen": {"has been", "have been", "has always been", "has never been", "was"},
	"consider": {"consider", "think about", "look again at", "protect", "invest in", "review", "listen to residents about"},
	"gerund":   {"closing", "cutting", "moving", "selling", "changing", "reducing", "replacing", "expanding", "funding"},
	"more":     {"more", "better", "fewer", "safer", "cheaper", "cleaner", "quieter", "more frequent", "more accessible"},
	"past":     {"used", "relied on", "visited", "lost", "needed", "complained about", "enjoyed", "supported", "paid for", "missed"},
	"marker":   {"However", "In my view", "Frankly", "Sadly", "On balance", "Honestly", "Above all", "To be fair", "In short", "Overall"},
	"strongly": {"strongly", "fully", "do not", "cannot", "partly", "wholeheartedly"},
	"support":  {"support", "oppose", "welcome", "object to", "agree with", "disagree with"},
	"should":   {"should", "must", "needs to", "has to", "ought to"},
	"instead":  {"instead", "as a priority", "first", "this year", "before anything else", "without delay", "now"},
	"pay":      {"pay", "suffer", "wait", "travel further", "lose out"},
	"closes":   {"closes", "is cut", "is sold", "moves", "shuts", "is reduced"},
	"suffer":   {"suffer", "lose out", "struggle", "be isolated", "move away", "give up"},
	"cannot":   {"cannot", "can no longer", "will not be able to", "struggle to", "often cannot"},
	"effect":   {"harm", "damage", "improve", "destroy", "help", "change", "affect"},
	"use":      {"use", "rely on", "visit", "walk past", "depend on", "value", "enjoy"},
	"freq":     {"every day", "every week", "twice a week", "most weekends", "every morning", "now and then", "daily", "each month"},
	"living":   {"living", "working", "born", "bringing up children", "running a business", "studying", "volunteering"},
	"time":     {"last year", "this winter", "for years", "since the pandemic", "every summer", "recently", "in the past", "for decades", "this month", "at night"},
	"a_role":   {"a parent", "a pensioner", "a carer", "a student", "a shop owner", "a nurse", "a teacher", "a disabled resident", "a cyclist", "a driver", "a bus user", "a volunteer", "a grandparent", "a commuter", "a farmer", "a taxpayer", "a young person", "a local employer", "a landlord", "a tenant"},
	"relative": {"mother", "father", "son", "daughter", "grandmother", "grandfather", "neighbour", "partner", "sister", "brother", "friend", "husband", "wife"},
	"people":   {"older people", "children", "families", "disabled people", "young people", "local businesses", "residents", "pensioners", "carers", "commuters", "cyclists", "pedestrians", "students", "tenants", "visitors", "farmers", "shop workers", "people on low incomes", "new parents", "school pupils"},
	"num":      {"two", "three", "five", "ten", "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "a hundred", "two hundred", "a thousand", "several thousand"},
	"season":   {"winter", "summer", "school holidays", "rush hour", "weekend", "evenings", "night", "autumn", "spring", "Christmas period"},
	"area":     {"county", "borough", "district", "region", "whole town", "valley", "city centre", "north of the county", "rural villages", "coast"},
	"council":  {"Council", "Cabinet Member", "Planning Committee", "County Council", "Chief Executive", "Councillors"},
	"plan":     {"plan", "proposal", "scheme", "consultation", "budget", "strategy", "decision", "policy"},
	"verb": {"keep", "close", "fund", "protect", "improve", "repair", "expand", "reduce", "cut", "build", "open", "restore",
		"reopen", "maintain", "support", "scrap", "review", "extend", "replace", "clean", "light", "staff", "modernise",
		"move", "sell", "share", "subsidise", "widen", "resurface", "pedestrianise"},
	"adj": {"vital", "essential", "dangerous", "expensive", "unfair", "popular", "busy", "empty", "unsafe", "overcrowded",
		"excellent", "poor", "shocking", "reasonable", "sensible", "short-sighted", "neglected", "dirty", "clean", "reliable",
		"unreliable", "affordable", "unaffordable", "accessible", "inaccessible", "welcoming", "noisy", "quiet", "crowded",
		"underfunded", "well used", "badly managed", "out of date", "too small", "much loved", "irreplaceable", "pointless",
		"worrying", "disappointing", "encouraging", "local", "new", "old", "rural", "public", "free"},
	"noun": {"library", "bus service", "bus station", "leisure centre", "swimming pool", "park", "playground", "car park",
		"high street", "market", "town hall", "community centre", "youth club", "day centre", "care home", "school",
		"primary school", "health centre", "hospital", "GP surgery", "train station", "cycle lane", "footpath", "pavement",
		"road", "bridge", "roundabout", "bin collection", "recycling centre", "tip", "street lighting", "public toilets",
		"museum", "theatre", "cinema", "sports ground", "allotments", "cemetery", "housing estate", "council housing",
		"parking charges", "council tax", "speed limit", "traffic", "air quality", "flood defences", "seafront", "harbour",
		"woodland", "nature reserve", "green space", "bus shelter", "school run", "village hall", "post office", "bank",
		"broadband", "mobile library", "meals service", "social care", "mental health service", "police station",
		"fire station", "job centre", "food bank", "homeless shelter", "shopping centre", "retail park", "bypass",
		"planning application", "housing development", "wind farm", "solar farm", "incinerator", "quarry", "industrial estate"},
	"nouns": {"buses", "trains", "cycle lanes", "crossings", "benches", "bins", "trees", "homes", "jobs", "teachers",
		"nurses", "police officers", "street lights", "parking spaces", "public toilets", "play areas", "bus routes",
		"youth workers", "social workers", "care workers", "affordable homes", "electric chargers", "school places",
		"speed cameras", "litter pickers", "wardens", "opening hours", "sports pitches", "community events", "markets"},
	"place": {"Aberystwyth", "Bangor", "Barry", "Bridgend", "Caerphilly", "Cardiff", "Carmarthen", "Llanelli", "Newport",
		"Pontypridd", "Swansea", "Wrexham", "Merthyr", "Neath", "Port Talbot", "Rhyl", "Abergavenny", "Brecon",
		"Cwmbran", "Haverfordwest", "Llandudno", "Machynlleth", "Monmouth", "Newtown", "Pembroke", "Tenby", "Welshpool",
		"Ammanford", "Ebbw Vale", "Holyhead", "Bristol", "Bath", "Leeds", "York", "Derby", "Norwich", "Exeter",
		"Plymouth", "Carlisle", "Durham", "Ipswich", "Lincoln", "Hereford", "Shrewsbury", "Chester", "Kendal", "the village",
		"the town centre", "the north ward", "the east side", "the old town", "the valleys"},
	"street": {"Market Street", "High Street", "Station Road", "Church Lane", "Mill Road", "Castle Street", "Bridge Street",
		"King Street", "Queen Street", "Park Avenue", "Heol y Frenhines", "Stryd Fawr", "Ffordd yr Orsaf", "Victoria Road",
		"New Road", "Chapel Street", "School Lane", "the ring road", "the seafront", "the main road"},
}

// topics are what independent answers are about: three in four of an
// answer's nouns come from its topic, so themes have something to find.
var topics = [][]string{
	{"bus service", "bus station", "train station", "cycle lane", "road", "bridge", "roundabout", "traffic",
		"speed limit", "bypass", "bus shelter", "parking charges", "car park", "footpath", "pavement", "school run"},
	{"library", "mobile library", "leisure centre", "swimming pool", "museum", "theatre", "cinema",
		"sports ground", "community centre", "youth club", "village hall"},
	{"health centre", "hospital", "GP surgery", "care home", "day centre", "social care",
		"mental health service", "meals service"},
	{"park", "playground", "woodland", "nature reserve", "green space", "allotments", "air quality",
		"flood defences", "seafront", "wind farm", "solar farm"},
	{"bin collection", "recycling centre", "tip", "public toilets", "incinerator", "street lighting"},
	{"housing estate", "council housing", "planning application", "housing development", "quarry",
		"industrial estate", "retail park", "shopping centre"},
	{"high street", "market", "town hall", "post office", "bank", "job centre", "food bank", "broadband"},
	{"police station", "fire station", "homeless shelter", "cemetery", "harbour", "school", "primary school"},
}

// symbols is the grammar compiled: each alternative a list of parts, a
// part a word or (negative) a symbol index.
type compiled struct {
	names  []string
	alts   [][][]int32
	words  []string
	index  map[string]int32
	noun   int32
	topics [][][]int32 // per topic, its nouns as word lists
}

func compile() *compiled {
	c := &compiled{index: map[string]int32{}}
	var names []string
	for k := range grammar {
		names = append(names, k)
	}
	slices.Sort(names) // map order must not leak into the corpus
	for i, k := range names {
		c.index[k] = int32(i)
	}
	c.names = names
	wordIdx := map[string]int32{}
	for _, k := range names {
		var alts [][]int32
		for _, alt := range grammar[k] {
			var parts []int32
			for _, f := range strings.Fields(alt) {
				// A symbol may carry punctuation: "{clause}." or "{x},".
				if open := strings.IndexByte(f, '{'); open >= 0 {
					end := strings.IndexByte(f, '}')
					if open > 0 {
						parts = append(parts, c.word(wordIdx, f[:open]))
					}
					parts = append(parts, -1-c.index[f[open+1:end]])
					if end+1 < len(f) {
						parts = append(parts, c.word(wordIdx, "\x00"+f[end+1:]))
					}
					continue
				}
				parts = append(parts, c.word(wordIdx, f))
			}
			alts = append(alts, parts)
		}
		c.alts = append(c.alts, alts)
	}
	c.noun = c.index["noun"]
	for _, t := range topics {
		var alts [][]int32
		for _, n := range t {
			var parts []int32
			for _, f := range strings.Fields(n) {
				parts = append(parts, c.word(wordIdx, f))
			}
			alts = append(alts, parts)
		}
		c.topics = append(c.topics, alts)
	}
	return c
}

// word interns w; a leading NUL marks punctuation glued to the word before.
func (c *compiled) word(idx map[string]int32, w string) int32 {
	if i, ok := idx[w]; ok {
		return i
	}
	idx[w] = int32(len(c.words))
	c.words = append(c.words, w)
	return idx[w]
}

// writer expands symbols for one answer, about one topic.
type writer struct {
	g     *compiled
	rng   *rand.Rand
	topic int
}

func (w writer) expand(s int32, out []string) []string {
	alts := w.g.alts[s]
	if s == w.g.noun && w.topic >= 0 && w.rng.IntN(4) > 0 {
		alts = w.g.topics[w.topic]
	}
	for _, p := range alts[w.rng.IntN(len(alts))] {
		if p < 0 {
			out = w.expand(-1-p, out)
			continue
		}
		word := w.g.words[p]
		if word[0] == 0 && len(out) > 0 {
			out[len(out)-1] += word[1:]
			continue
		}
		out = append(out, word)
	}
	return out
}

// sentence appends the words of one sentence of symbol s, capitalised.
func (w writer) sentence(s string, out []string) []string {
	n := len(out)
	out = w.expand(w.g.index[s], out)
	if len(out) > n && out[n] != "" {
		out[n] = strings.ToUpper(out[n][:1]) + out[n][1:]
	}
	return out
}

// editWords is the vocabulary for substitutions and insertions.
func (c *compiled) editWords() []string {
	var out []string
	for _, s := range []string{"noun", "adj", "verb", "nouns", "people", "place"} {
		for _, alt := range grammar[s] {
			out = append(out, strings.Fields(alt)...)
		}
	}
	return out
}

// Corpus is the generated consultation.
type Corpus struct {
	IDs   []string
	Texts []string
	Label []int32 // campaign number, or -1 for an independent answer
	Topic []int8  // what an independent answer is about (index in topics)
	Sizes []int   // members per campaign
}

type genConfig struct {
	n, campaigns       int
	share              float64 // of answers in campaigns
	editMin, editMax   float64 // per-word edit rate of a member, uniform in [min, max]
	personal           float64 // chance a member adds a personal sentence or two
	seed               uint64
	meanWords, workers int
}

// generate writes the corpus: independent answers of 40–120 words (80 on
// average) and campaigns of Zipf-like sizes, in shuffled order.
func generate(cfg genConfig) Corpus {
	g := compile()
	edits := g.editWords()
	rng := rand.New(rand.NewPCG(cfg.seed, 1))
	// Campaign sizes ∝ 1/(rank+1), summing to share × n.
	total := int(cfg.share * float64(cfg.n))
	sizes := make([]int, cfg.campaigns)
	if cfg.campaigns > 0 && total >= 2*cfg.campaigns {
		var w float64
		for i := range sizes {
			w += 1 / float64(i+1)
		}
		left := total
		for i := range sizes {
			sizes[i] = max(2, int(float64(total)/(float64(i+1)*w)))
			left -= sizes[i]
		}
		sizes[0] += left
	}
	templates := make([][]string, cfg.campaigns)
	for c := range templates {
		w := writer{g, rng, rng.IntN(len(topics))}
		t := w.sentence("opening", nil)
		for len(t) < cfg.meanWords-10 {
			t = w.sentence("sentence", t)
		}
		t = w.sentence("closing", t)
		templates[c] = w.sentence("signoff", t)
	}
	label := make([]int32, cfg.n)
	i := 0
	for c, s := range sizes {
		for range s {
			label[i] = int32(c)
			i++
		}
	}
	for ; i < cfg.n; i++ {
		label[i] = -1
	}
	rng.Shuffle(len(label), func(a, b int) { label[a], label[b] = label[b], label[a] })

	corpus := Corpus{IDs: make([]string, cfg.n), Texts: make([]string, cfg.n), Label: label, Sizes: sizes,
		Topic: make([]int8, cfg.n)}
	const chunk = 10000
	chunks := (cfg.n + chunk - 1) / chunk
	var wg sync.WaitGroup
	next := make(chan int, chunks)
	for c := range chunks {
		next <- c
	}
	close(next)
	for range max(1, cfg.workers) {
		wg.Go(func() {
			var words []string
			var b strings.Builder
			for c := range next {
				rng := rand.New(rand.NewPCG(cfg.seed, uint64(c)+2))
				for i := c * chunk; i < min(cfg.n, (c+1)*chunk); i++ {
					words = words[:0]
					corpus.Topic[i] = -1
					if l := label[i]; l >= 0 {
						words = member(writer{g, rng, -1}, templates[l], edits, cfg, words)
					} else {
						w := writer{g, rng, rng.IntN(len(topics))}
						corpus.Topic[i] = int8(w.topic)
						target := cfg.meanWords/2 + rng.IntN(cfg.meanWords+1) - 8
						for len(words) < target {
							words = w.sentence("sentence", words)
						}
					}
					b.Reset()
					for j, w := range words {
						if j > 0 {
							b.WriteByte(' ')
						}
						b.WriteString(w)
					}
					corpus.Texts[i] = b.String()
					corpus.IDs[i] = fmt.Sprintf("r%07d", i)
				}
			}
		})
	}
	wg.Wait()
	return corpus
}

// member is one copy of a template: each word substituted, deleted or
// followed by an inserted word with the member's edit rate, and often a
// personal sentence or two added at the start or the end.
func member(w writer, tpl, edits []string, cfg genConfig, out []string) []string {
	rng := w.rng
	rate := cfg.editMin + rng.Float64()*(cfg.editMax-cfg.editMin)
	var personal []string
	if rng.Float64() < cfg.personal {
		for range 1 + rng.IntN(2) {
			personal = w.sentence("personal", personal)
		}
	}
	atStart := rng.IntN(2) == 0
	if atStart {
		out = append(out, personal...)
	}
	for _, w := range tpl {
		if rng.Float64() >= rate {
			out = append(out, w)
			continue
		}
		switch rng.IntN(3) {
		case 0:
			out = append(out, edits[rng.IntN(len(edits))])
		case 1: // deleted
		case 2:
			out = append(out, w, edits[rng.IntN(len(edits))])
		}
	}
	if !atStart {
		out = append(out, personal...)
	}
	return out
}
