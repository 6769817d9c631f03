package e2e
import ("testing";"time")
func TestTiming(t *testing.T) {
	t0 := time.Now()
	s := startSite(t, siteOptions{})
	t.Logf("site %v", time.Since(t0)); t0 = time.Now()
	ctx := tab(t)
	t.Logf("tab %v", time.Since(t0)); t0 = time.Now()
	ctx2 := tab(t)
	_ = ctx2
	t.Logf("tab2 %v", time.Since(t0)); t0 = time.Now()
	j := &journey{t: t, ctx: ctx, site: s, mode: byMouse, email: "alex.citizen@example.org"}
	j.run()
	t.Logf("journey %v", time.Since(t0)); t0 = time.Now()
	t.Cleanup(func(){ t.Logf("cleanup start") })
}
