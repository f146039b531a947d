package scoring

// aggregate builds the control list and the theme, domain, supplier and
// overall scores. Each aggregate is Σ(W_c × S_c) / ΣW_c over the controls in
// scope, where W_c is the sum of the control's question weights; since
// W_c × S_c is the control's Σ w_q × s_q, the whole-number sums carry over
// without dividing, and rounding is applied to the result only.
func (s *Scorer) aggregate(st *state, out *Score) {
	listed, qids, notAssessed := 0, 0, 0
	for c := range s.controls {
		switch {
		case st.w[c] == 0:
		case st.assessed[c]:
			listed++
			qids += int(st.nq[c])
		default:
			notAssessed++
		}
	}
	out.Controls = make([]ControlScore, 0, listed)
	if notAssessed > 0 {
		out.NotAssessed = make([]string, 0, notAssessed)
	}
	ids := make([]string, 0, qids)

	nt := len(s.cat.themes)
	var sw, sws, ow, ows int
	supplierSeen := false
	for c := range s.controls {
		w := st.w[c]
		if w == 0 {
			continue
		}
		tc := &s.controls[c]
		ws, seen := st.ws[c], st.assessed[c]
		if seen {
			start := len(ids)
			for _, qi := range tc.questions {
				if out.Questions[qi].Score != nil {
					ids = append(ids, s.qs[qi].id)
				}
			}
			t := meanTenths(ws, w)
			st.tenths[len(st.listed)] = t
			st.listed = append(st.listed, int32(c))
			out.Controls = append(out.Controls, ControlScore{
				ID: tc.cat.id, Title: tc.cat.title, Theme: tc.cat.theme,
				Score:     fromTenths(t),
				Questions: ids[start:len(ids):len(ids)],
				Weight:    w,
			})
		} else {
			out.NotAssessed = append(out.NotAssessed, tc.cat.id)
		}
		st.add(tc.cat.themeIdx, w, ws, seen)
		for _, d := range tc.cat.domains {
			st.add(nt+d, w, ws, seen)
		}
		if tc.cat.supplier {
			sw, sws = sw+w, sws+ws
			supplierSeen = supplierSeen || seen
		}
		ow, ows = ow+w, ows+ws
	}

	out.Themes = st.scores(s.cat.themes, 0)
	out.Domains2013 = st.scores(s.cat.domains, nt)
	if supplierSeen {
		v := fromTenths(meanTenths(sws, sw))
		out.SupplierControls = &v
	}
	if ow > 0 {
		out.Overall = fromTenths(meanTenths(ows, ow))
	}
}

func (st *state) add(i int, w, ws int, seen bool) {
	st.agg[2*i] += w
	st.agg[2*i+1] += ws
	st.aggSeen[i] = st.aggSeen[i] || seen
}

// scores lists the aggregates from offset on that have an assessed control,
// leaving out those with none rather than reporting 0.
func (st *state) scores(keys []string, offset int) Scores {
	n := 0
	for i := range keys {
		if st.aggSeen[offset+i] {
			n++
		}
	}
	out := make(Scores, 0, n)
	for i, k := range keys {
		if j := offset + i; st.aggSeen[j] {
			out = append(out, NamedScore{Key: k, Score: fromTenths(meanTenths(st.agg[2*j+1], st.agg[2*j]))})
		}
	}
	return out
}

// meanTenths is ws / w in tenths, rounded half up. Scores and weights are
// whole numbers, so computing in integers makes every result exact and
// checkable by hand to the decimal, free of binary floating-point ties.
// Rounding happens once, here, at output; aggregates use the exact sums.
func meanTenths(ws, w int) int { return (20*ws + w) / (2 * w) }

func fromTenths(t int) float64 { return float64(t) / 10 }

// ratio is the share n / d rounded half up to 0.001 (0.1 percentage
// point); with nothing asked the share is complete (1), not missing.
func ratio(n, d int) float64 {
	if d == 0 {
		return 1
	}
	return float64((2000*n+d)/(2*d)) / 1000
}
