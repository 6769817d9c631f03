package listening

import (
	"testing"
	"time"
)

func TestVolumesFlagSpikes(t *testing.T) {
	today := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	var counts []DayCount
	for d := 1; d <= 30; d++ {
		day := time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
		n := 2 + d%2 // a steady two or three a day
		if d == 25 {
			n = 20
		}
		counts = append(counts, DayCount{RuleID: 1, Day: day, Count: n}, DayCount{RuleID: 2, Day: day, Count: d % 2})
	}
	counts = append(counts, DayCount{RuleID: 3, Day: "2026-11-03", Count: 9}, DayCount{RuleID: 1, Day: "2025-01-01", Count: 99})
	v := Volumes(counts, today, 30)
	if v[1].Spike != "2026-11-25" || !v[1].Days[24].Spike || v[1].Max != 20 || len(v[1].Days) != 30 {
		t.Errorf("rule 1: spike %q, max %d", v[1].Spike, v[1].Max)
	}
	if v[2].Spike != "" {
		t.Errorf("quiet rule spiked on %s", v[2].Spike)
	}
	// A busy day with too little history before it is not a spike.
	if v[3].Spike != "" || v[3].Total != 9 {
		t.Errorf("rule 3: %+v", v[3])
	}
}
