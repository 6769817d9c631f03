package query

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"strings"
	"sync"
)

// Rule is a query with the id of the listening rule it belongs to.
type Rule struct {
	ID    int64
	Query *Query
}

// Set is many rules compiled together, so that an item is cut into tokens
// once and only the rules that could match it are evaluated.
//
// Every distinct term of every rule becomes an atom. The item's tokens are
// looked up in hash tables of atoms (by whole word, and by the first bytes
// of prefixes); the atoms found make a bit set. Each rule has a trigger
// set: atoms of which at least one must be present for the rule to be true
// (for a OR b both sides' sets, for a AND b the smaller of the two). Only the rules triggered by a
// present atom are evaluated, plus those with no trigger set at all, which
// can match an item with none of their atoms (NOT a; a OR NOT b).
//
// A Set is immutable and safe for concurrent use.
type Set struct {
	ids      []int64
	progs    []*cnode
	atoms    []atom
	words    table       // first token of word and phrase atoms → entries
	entries  []wordEntry // by words index
	short    table       // prefixes shorter than headLen → shortAt
	shortAt  [][]int32   // by short index: the prefix atoms
	slens    uint8       // bit l set: some short prefix is l bytes long
	heads    table       // first headLen bytes of longer prefixes → headAt
	headAt   [][]int32   // by heads index: prefix atoms starting so
	triggers [][]int32   // atom → rules it triggers
	always   []uint64    // rules evaluated for every item
	pool     sync.Pool   // *scratch
}

type atom struct {
	fields Field
	toks   []string
	prefix bool
}

type wordEntry struct {
	single  []int32 // one-token atoms that are this word
	phrases []int32 // atoms of several tokens, the first of which is this word
}

// cnode is a rule's tree with its terms replaced by atom numbers.
type cnode struct {
	op   op
	atom int32
	kids []*cnode
}

type scratch struct {
	d       doc
	present []uint64
	hit     []int32
	cand    []uint64
}

// Compile builds a Set from rules. Rules with a nil Query never match.
func Compile(rules []Rule) *Set {
	s := &Set{}
	c := compiler{set: s, atoms: map[string]int32{}, words: map[string]int32{}, short: map[string]int32{}, heads: map[string]int32{}}
	for _, r := range rules {
		if r.Query == nil {
			continue
		}
		s.ids = append(s.ids, r.ID)
		s.progs = append(s.progs, c.node(r.Query.root))
	}
	s.words.build(c.wordKeys)
	s.short.build(c.shortKeys)
	s.heads.build(c.headKeys)
	nwords := (len(s.progs) + 63) / 64
	s.always = make([]uint64, nwords)
	s.triggers = make([][]int32, len(s.atoms))
	for ri, p := range s.progs {
		need, ok := necessary(p)
		if !ok {
			s.always[ri/64] |= 1 << (ri % 64)
			continue
		}
		slices.Sort(need)
		for _, a := range slices.Compact(need) {
			s.triggers[a] = append(s.triggers[a], int32(ri))
		}
	}
	natoms := len(s.atoms)
	s.pool.New = func() any {
		return &scratch{present: make([]uint64, (natoms+63)/64), cand: make([]uint64, nwords)}
	}
	return s
}

type compiler struct {
	set                           *Set
	atoms                         map[string]int32
	words, short, heads           map[string]int32 // key → index in its table
	wordKeys, shortKeys, headKeys []string         // the tables' keys, by index
}

func (c *compiler) node(n *node) *cnode {
	if n.op != opTerm {
		cn := &cnode{op: n.op}
		for _, k := range n.kids {
			cn.kids = append(cn.kids, c.node(k))
		}
		return cn
	}
	a := atom{fields: n.fields(), toks: n.toks, prefix: n.prefix}
	key := string(rune('0'+a.fields)) + strings.Join(a.toks, "\x00")
	if a.prefix {
		key += "*"
	}
	id, ok := c.atoms[key]
	if !ok {
		id = int32(len(c.set.atoms))
		c.atoms[key] = id
		c.set.atoms = append(c.set.atoms, a)
		c.index(id, a)
	}
	return &cnode{op: opTerm, atom: id}
}

func (c *compiler) index(id int32, a atom) {
	s := c.set
	first := a.toks[0]
	if len(a.toks) == 1 && a.prefix {
		// A prefix shorter than headLen has its own entry; a longer one
		// shares the entry of its first headLen bytes, and is checked in
		// full when a token starts with those.
		if len(first) < headLen {
			s.slens |= 1 << len(first)
			s.shortAt = addTo(c.short, &c.shortKeys, s.shortAt, first, id)
		} else {
			s.headAt = addTo(c.heads, &c.headKeys, s.headAt, first[:headLen], id)
		}
		return
	}
	w, ok := c.words[first]
	if !ok {
		w = int32(len(s.entries))
		c.words[first] = w
		c.wordKeys = append(c.wordKeys, first)
		s.entries = append(s.entries, wordEntry{})
	}
	if len(a.toks) == 1 {
		s.entries[w].single = append(s.entries[w].single, id)
	} else {
		s.entries[w].phrases = append(s.entries[w].phrases, id)
	}
}

// addTo adds atom id under key to a table being built: m and keys map
// keys to indexes and back, vals holds the atoms by index.
func addTo(m map[string]int32, keys *[]string, vals [][]int32, key string, id int32) [][]int32 {
	i, ok := m[key]
	if !ok {
		i = int32(len(*keys))
		m[key] = i
		*keys = append(*keys, key)
		vals = append(vals, nil)
	}
	vals[i] = append(vals[i], id)
	return vals
}

// necessary returns atoms at least one of which is present whenever n is
// true; ok is false when n can be true with none of its atoms present.
func necessary(n *cnode) (need []int32, ok bool) {
	switch n.op {
	case opTerm:
		return []int32{n.atom}, true
	case opOr:
		for _, k := range n.kids {
			kn, kok := necessary(k)
			if !kok {
				return nil, false
			}
			need = append(need, kn...)
		}
		return need, true
	case opAnd:
		for _, k := range n.kids {
			if kn, kok := necessary(k); kok && (!ok || len(kn) < len(need)) {
				need, ok = kn, true
			}
		}
		return need, ok
	}
	return nil, false
}

// Match returns the ids of the rules the item matches, in the order the
// rules were given to Compile.
func (s *Set) Match(it Item) []int64 {
	return s.AppendMatch(nil, it)
}

// AppendMatch is Match appending to dst.
func (s *Set) AppendMatch(dst []int64, it Item) []int64 {
	sc := s.pool.Get().(*scratch)
	defer s.pool.Put(sc)
	d := &sc.d
	d.reset()
	d.addItem(it)
	d.buf = append(d.buf, make([]byte, 8)...) // hashAt reads 8 bytes at a time

	sc.hit = sc.hit[:0]
	for i, t := range d.toks {
		text := d.text(t)
		n := len(text)
		if s.slens != 0 {
			for l := 1; l < min(n+1, headLen); l++ {
				if s.slens&(1<<l) != 0 {
					if p := s.short.lookup(hashAt(d.buf, int(t.a), l), text[:l]); p >= 0 {
						sc.markPrefixes(s, s.shortAt[p], d, i, t.field)
					}
				}
			}
		}
		if n >= headLen && len(s.headAt) > 0 {
			if p := s.heads.lookup(hashAt(d.buf, int(t.a), headLen), text[:headLen]); p >= 0 {
				sc.markPrefixes(s, s.headAt[p], d, i, t.field)
			}
		}
		h := hashAt(d.buf, int(t.a), n)
		if w := s.words.lookup(h, text); w >= 0 {
			e := &s.entries[w]
			for _, a := range e.single {
				if s.atoms[a].fields&t.field != 0 {
					sc.mark(a)
				}
			}
			for _, a := range e.phrases {
				at := &s.atoms[a]
				if at.fields&t.field != 0 && termAt(d, i, at.toks, at.prefix) {
					sc.mark(a)
				}
			}
		}
	}

	copy(sc.cand, s.always)
	for _, a := range sc.hit {
		for _, r := range s.triggers[a] {
			sc.cand[r/64] |= 1 << (r % 64)
		}
	}
	for w, word := range sc.cand {
		for word != 0 {
			r := w*64 + bits.TrailingZeros64(word)
			word &= word - 1
			if s.progs[r].eval(sc.present) {
				dst = append(dst, s.ids[r])
			}
		}
	}
	for _, a := range sc.hit {
		sc.present[a/64] &^= 1 << (a % 64)
	}
	return dst
}

// headLen is how many bytes of a token are looked up to find the prefixes
// it may start with.
const headLen = 4

func (sc *scratch) markPrefixes(s *Set, atoms []int32, d *doc, i int, f Field) {
	for _, a := range atoms {
		if at := &s.atoms[a]; at.fields&f != 0 && termAt(d, i, at.toks, true) {
			sc.mark(a)
		}
	}
}

func (sc *scratch) mark(a int32) {
	if w, b := a/64, uint64(1)<<(a%64); sc.present[w]&b == 0 {
		sc.present[w] |= b
		sc.hit = append(sc.hit, a)
	}
}

func (c *cnode) eval(present []uint64) bool {
	switch c.op {
	case opTerm:
		return present[c.atom/64]&(1<<(c.atom%64)) != 0
	case opNot:
		return !c.kids[0].eval(present)
	case opAnd:
		for _, k := range c.kids {
			if !k.eval(present) {
				return false
			}
		}
		return true
	default:
		for _, k := range c.kids {
			if k.eval(present) {
				return true
			}
		}
		return false
	}
}

// hashAt hashes buf[a:a+n] eight bytes at a time; buf must have 8 bytes
// after the end. Tokens are short, so this is one or two multiplications,
// where a byte-at-a-time hash would be a chain of one per byte.
func hashAt(buf []byte, a, n int) uint64 {
	h := uint64(n) * 0xC2B2AE3D27D4EB4F
	for n > 8 {
		h = mix(h ^ binary.LittleEndian.Uint64(buf[a:]))
		a, n = a+8, n-8
	}
	return mix(h ^ binary.LittleEndian.Uint64(buf[a:])&(^uint64(0)>>(64-8*n)))
}

func mix(h uint64) uint64 {
	h *= 0x9E3779B97F4A7C15
	return h ^ h>>29
}

func hashString(s string) uint64 {
	return hashAt(append([]byte(s), make([]byte, 8)...), 0, len(s))
}

// table is an open-addressing hash set of strings keyed by their hashAt
// hash, which AppendMatch has already computed; a slot holds the top half
// of the hash (to skip most string comparisons) and the key's index + 1.
type table struct {
	slots []uint64
	keys  []string
	mask  uint64
}

func (t *table) build(keys []string) {
	n := 8
	for n < 4*len(keys) {
		n *= 2
	}
	t.slots = make([]uint64, n)
	t.mask = uint64(n - 1)
	t.keys = keys
	for i, k := range keys {
		h := hashString(k)
		for j := slot(h) & t.mask; ; j = (j + 1) & t.mask {
			if t.slots[j] == 0 {
				t.slots[j] = h&^0xFFFFFFFF | uint64(i+1)
				break
			}
		}
	}
}

func slot(h uint64) uint64 { return h ^ h>>32 }

// lookup returns the index of key, whose hash is h, or -1.
func (t *table) lookup(h uint64, key []byte) int32 {
	tag := h &^ 0xFFFFFFFF
	for j := slot(h) & t.mask; ; j = (j + 1) & t.mask {
		v := t.slots[j]
		if v == 0 {
			return -1
		}
		if v&^0xFFFFFFFF == tag {
			if i := int32(v&0xFFFFFFFF) - 1; t.keys[i] == string(key) {
				return i
			}
		}
	}
}

// Len returns the number of rules in the set.
func (s *Set) Len() int { return len(s.ids) }
