package opinion

// AdjustedRandIndex measures how far two labellings of the same items agree,
// corrected for chance: 1 is the same partition (whatever the label names),
// around 0 is no better than chance. Items labelled negative in either
// slice are left out, so "not clustered" (-1) does not count. The slices
// must have the same length.
func AdjustedRandIndex(a, b []int) float64 {
	type cell struct{ x, y int }
	joint := map[cell]int{}
	ra, rb := map[int]int{}, map[int]int{}
	n := 0
	for i := range a {
		if a[i] < 0 || b[i] < 0 {
			continue
		}
		joint[cell{a[i], b[i]}]++
		ra[a[i]]++
		rb[b[i]]++
		n++
	}
	pairs := func(k int) float64 { return float64(k) * float64(k-1) / 2 }
	var index, sa, sb float64
	for _, c := range joint {
		index += pairs(c)
	}
	for _, c := range ra {
		sa += pairs(c)
	}
	for _, c := range rb {
		sb += pairs(c)
	}
	total := pairs(n)
	if total == 0 {
		return 1
	}
	expected := sa * sb / total
	maxIndex := (sa + sb) / 2
	if maxIndex == expected {
		return 1 // both put everything in one cluster (or all apart)
	}
	return (index - expected) / (maxIndex - expected)
}
