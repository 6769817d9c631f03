package moderation

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkScreen screens a proposal of about 120 words against a day of
// 500 recent texts and a word list of 50 entries.
func BenchmarkScreen(b *testing.B) {
	topics := []string{"bus stop", "drain", "cycle path", "library", "park benches", "street lights", "potholes", "school crossing"}
	places := []string{"Mill Lane", "the High Street", "Heol y Frenhines", "the Vale", "Station Road"}
	recent := make([]string, 500)
	for i := range recent {
		recent[i] = fmt.Sprintf("Comment %d: the %s on %s needs attention because residents have raised it %d times and nothing has changed since the last meeting of the community council.",
			i, topics[i%len(topics)], places[i%len(places)], i%7+2)
	}
	words := make([]string, 50)
	for i := range words {
		words[i] = fmt.Sprintf("badword%d", i)
	}
	words = append(words, "buy now", "scam")
	s := Submission{
		Text: "Safer crossing outside Ysgol Gynradd Mill Lane\n\n" +
			"Every morning about two hundred children cross Mill Lane to reach the school. Cars come round the bend " +
			"by the chapel too fast to stop, and the nearest crossing is four hundred metres away by the shops. " +
			"We propose a zebra crossing with flashing beacons opposite the school gate, a 20 mph limit from the " +
			"chapel to the bridge, and a lollipop person at the busiest times. The parents' group has counted the " +
			"traffic for two weeks (see https://example.org/mill-lane-count) and will share the figures with the " +
			"council. Please support this so that no child is hurt before something is done.",
		AuthorName:     "Rhian Evans",
		AuthorEmail:    "rhian@example.org",
		AccountAge:     200 * 24 * time.Hour,
		RecentByAuthor: 1,
		Words:          words,
		Recent:         recent,
	}
	if tx, nm := Screen(s); tx != nil || nm != nil {
		b.Fatalf("ordinary proposal flagged: %v %v", tx, nm)
	}
	b.ReportAllocs()
	for b.Loop() {
		Screen(s)
	}
}
