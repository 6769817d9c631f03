package consultation

import (
	"errors"
	"strings"
	"testing"

	"parley/internal/measure"
)

func TestAgeBandValidated(t *testing.T) {
	for band, ok := range map[string]bool{"": true, "16-24": true, "75+": true, measure.PreferNotToSay: true, "15-24": false, "old": false} {
		r := Response{Respondent: Individual, Consent: PublishNot, Channel: ChannelWeb, AgeBand: band}
		err := r.ValidateAbout()
		if (err == nil) != ok {
			t.Errorf("age band %q: %v", band, err)
		}
	}
}

func TestImportAgeBand(t *testing.T) {
	src := "channel,received,Age band,q1\n" +
		"post,2026-11-01,16–24,a\n" +
		"post,2026-11-01,75 and over,b\n" +
		"post,2026-11-01,Prefer not to say,c\n" +
		"post,2026-11-01,,d\n"
	rs, err := ParseCSV(strings.NewReader(src), questions(), now)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rs {
		got = append(got, r.AgeBand)
	}
	if strings.Join(got, ",") != "16-24,75+,prefer-not," {
		t.Errorf("bands %q", got)
	}

	_, err = ParseCSV(strings.NewReader("channel,received,age_band,q1\npost,2026-11-01,thirty,a\n"), questions(), now)
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Rows) != 1 || ie.Rows[0].Column != "age_band" || ie.Rows[0].Message != "error.response.age_band.unknown" {
		t.Errorf("an unknown band: %v", err)
	}
}
