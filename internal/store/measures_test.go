package store_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"parley/internal/apperr"
	"parley/internal/measure"
	"parley/internal/store"
	"parley/internal/store/storetest"
)

func TestMeasureChannelsAndCosts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "north")
		staff := propStaff(t, s)
		chs, err := s.MeasureChannels(ctx, o.ID)
		if err != nil || len(chs) != len(measure.Builtin) {
			t.Fatalf("channels %v %v", chs, err)
		}
		for _, c := range []measure.Channel{
			{OrgID: o.ID, Key: "Bad Key", NameEN: "x"},
			{OrgID: o.ID, Key: "kiosk"},
			{OrgID: o.ID, Key: "kiosk", NameEN: strings.Repeat("k", 101)},
		} {
			if _, err := s.AddMeasureChannel(ctx, c, staff); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("%+v: %v", c, err)
			}
		}
		if _, err := s.AddMeasureChannel(ctx, measure.Channel{OrgID: o.ID, Key: measure.Phone, NameEN: "Phone"}, staff); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("built-in key: %v", err)
		}
		kiosk := measure.Channel{OrgID: o.ID, Key: "kiosk", NameEN: " Library kiosk ", NameCY: "Ciosg llyfrgell", Digital: true}
		if _, err := s.AddMeasureChannel(ctx, kiosk, staff); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddMeasureChannel(ctx, kiosk, staff); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("twice: %v", err)
		}
		chs, _ = s.MeasureChannels(ctx, o.ID)
		want := measure.Channel{OrgID: o.ID, Key: "kiosk", NameEN: "Library kiosk", NameCY: "Ciosg llyfrgell", Digital: true}
		if len(chs) != len(measure.Builtin)+1 || chs[len(chs)-1] != want || chs[0].Key != measure.Web {
			t.Errorf("channels %+v", chs)
		}
		// Another organisation does not see it.
		other := mustOrg(t, s, "south")
		if chs, _ := s.MeasureChannels(ctx, other.ID); len(chs) != len(measure.Builtin) {
			t.Errorf("other org's channels %+v", chs)
		}

		// Unit costs: validated, replaced in place, listed by channel then month.
		for _, c := range []measure.UnitCost{
			{OrgID: o.ID, Channel: "pigeon", Pence: 10, Source: "x"},
			{OrgID: o.ID, Channel: measure.Phone, Pence: -1, Source: "x"},
			{OrgID: o.ID, Channel: measure.Phone, Pence: 300},
			{OrgID: o.ID, Channel: measure.Phone, From: 202613, Pence: 300, Source: "x"},
			{OrgID: other.ID, Channel: "kiosk", Pence: 10, Source: "x"},
		} {
			if err := s.SetUnitCost(ctx, c, staff); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("%+v: %v", c, err)
			}
		}
		set := []measure.UnitCost{
			{OrgID: o.ID, Channel: measure.Phone, From: 202604, Pence: 310, Source: "Budget 2026/27"},
			{OrgID: o.ID, Channel: measure.Phone, Pence: 290, Source: "Budget 2025/26"},
			{OrgID: o.ID, Channel: "kiosk", From: 202601, Pence: 40, Source: "Kiosk contract"},
			{OrgID: o.ID, Channel: measure.Phone, From: 202604, Pence: 320, Source: "Budget 2026/27, revised"},
		}
		for _, c := range set {
			if err := s.SetUnitCost(ctx, c, staff); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.UnitCosts(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]measure.UnitCost{set[2], set[1], set[3]}, got); diff != "" {
			t.Errorf("costs (-want +got):\n%s", diff)
		}
		log, _ := s.AuditLog(ctx, o.ID, 20)
		found := false
		for _, e := range log {
			if e.Action == "measure.cost.set" && strings.Contains(e.Detail, "310p (Budget 2026/27) → 320p (Budget 2026/27, revised)") &&
				e.Before == `{"pence":310,"source":"Budget 2026/27"}` && e.After == `{"pence":320,"source":"Budget 2026/27, revised"}` {
				found = true
			}
		}
		if !found {
			t.Errorf("no before and after in the audit log: %+v", log)
		}
		if err := s.DeleteUnitCost(ctx, o.ID, measure.Phone, 202604, staff); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUnitCost(ctx, o.ID, measure.Phone, 202604, staff); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("delete twice: %v", err)
		}
		if got, _ := s.UnitCosts(ctx, o.ID); len(got) != 2 {
			t.Errorf("after delete %+v", got)
		}
		if log, _ := s.AuditLog(ctx, o.ID, 1); len(log) != 1 || log[0].Action != "measure.cost.delete" || log[0].Before == "" || log[0].After != "" {
			t.Errorf("delete not audited: %+v", log)
		}
	})
}

func TestMeasureSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o := mustOrg(t, s, "north")
		other := mustOrg(t, s, "south")
		staff := propStaff(t, s)
		st, err := s.MeasureSettings(ctx, o.ID)
		if err != nil || !cmp.Equal(st, measure.Settings{OrgID: o.ID}) {
			t.Fatalf("unset: %+v %v", st, err)
		}
		if all, err := s.AllMeasureSettings(ctx); err != nil || len(all) != 0 {
			t.Fatalf("all unset: %v %v", all, err)
		}
		baseline := map[string]float64{"16-24": 0.14, "25-34": 0.16, "35-44": 0.15, "45-54": 0.17, "55-64": 0.15, "65-74": 0.12, "75+": 0.11}
		for name, bad := range map[string]measure.Settings{
			"negative population": {OrgID: o.ID, Population: -1},
			"unknown band":        {OrgID: o.ID, Baseline: map[string]float64{"0-15": 1}, BaselineSource: "x"},
			"sum":                 {OrgID: o.ID, Baseline: map[string]float64{"16-24": 0.5}, BaselineSource: "x"},
			"share":               {OrgID: o.ID, Baseline: map[string]float64{"16-24": 1.5, "25-34": -0.5}, BaselineSource: "x"},
			"no source":           {OrgID: o.ID, Baseline: baseline},
		} {
			if err := s.SetMeasureSettings(ctx, bad, staff); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("%s: %v", name, err)
			}
		}
		want := measure.Settings{OrgID: o.ID, Public: true, Population: 250000, Baseline: baseline, BaselineSource: " Census 2021, TS007A "}
		if err := s.SetMeasureSettings(ctx, want, staff); err != nil {
			t.Fatal(err)
		}
		want.BaselineSource = "Census 2021, TS007A"
		if got, err := s.MeasureSettings(ctx, o.ID); err != nil || !cmp.Equal(got, want) {
			t.Errorf("round trip %s %v", cmp.Diff(want, got), err)
		}
		second := measure.Settings{OrgID: other.ID, Population: 1000}
		if err := s.SetMeasureSettings(ctx, second, staff); err != nil {
			t.Fatal(err)
		}
		// Replacing keeps one row and clears what is no longer given.
		want = measure.Settings{OrgID: o.ID, Public: false, Population: 260000}
		if err := s.SetMeasureSettings(ctx, want, staff); err != nil {
			t.Fatal(err)
		}
		all, err := s.AllMeasureSettings(ctx)
		if err != nil || !cmp.Equal(all, map[int64]measure.Settings{o.ID: want, other.ID: second}) {
			t.Errorf("all: %+v %v", all, err)
		}
		log, _ := s.AuditLog(ctx, o.ID, 1)
		if len(log) != 1 || log[0].Action != "measure.settings" || !strings.Contains(log[0].Detail, "public true, population 250000") ||
			!strings.Contains(log[0].Detail, "→ public false, population 260000") || !strings.Contains(log[0].Before, `"population":250000`) ||
			!strings.Contains(log[0].After, `"population":260000`) {
			t.Errorf("audit %+v", log)
		}
	})
}
