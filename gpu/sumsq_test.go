package gpu

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func TestSumSquaresWide(t *testing.T) {
	for _, dev := range devices(t) {
		t.Run(dev.Info().Backend.String(), func(t *testing.T) {
			// Rows [3, -4, 0] and [MinInt32, MaxInt32, 1]: 25 and
			// 2^62 + (2^31-1)^2 + 1, past 2^63 but below 2^64.
			x, err := dev.UploadI32([]int{2, 3}, -7, []int32{3, -4, 0, math.MinInt32, math.MaxInt32, 1})
			if err != nil {
				t.Fatal(err)
			}
			r := dev.Record()
			rows := r.SumSquaresWide(x, true)
			all := r.SumSquaresWide(x, false)
			if err := r.Submit(); err != nil {
				t.Fatal(err)
			}
			big := uint64(1)<<62 + uint64(math.MaxInt32)*uint64(math.MaxInt32) + 1
			got, _ := rows.DownloadI64()
			if want := []int64{25, int64(big)}; !slices.Equal(got, want) || rows.Exp != -14 {
				t.Errorf("per-row sums of squares = %v exp %d, want %v exp -14", got, rows.Exp, want)
			}
			if g, _ := all.DownloadI64(); uint64(g[0]) != big+25 {
				t.Errorf("total = %d, want %d", uint64(g[0]), big+25)
			}
			if w, err := dev.ErrorWord(); err != nil || w != 0 {
				t.Errorf("error word %d (%v) after sums below 2^64", w, err)
			}
			// Five squares of 2^31 reach 5·2^62 > 2^64: flagged.
			y, _ := dev.UploadI32([]int{5}, 0, []int32{math.MinInt32, math.MinInt32, math.MinInt32, math.MinInt32, math.MinInt32})
			r2 := dev.Record()
			r2.SumSquaresWide(y, false)
			if err := r2.Submit(); err != nil {
				t.Fatal(err)
			}
			if w, err := dev.ErrorWord(); w == 0 || !errors.Is(err, ErrOverflow) {
				t.Errorf("error word %d (%v): overflow past 2^64 not flagged", w, err)
			}
			r3 := dev.Record()
			y.Scale = x
			if r3.SumSquaresWide(y, false) != nil || !errors.Is(r3.Err(), ErrShape) {
				t.Errorf("Scale accepted: %v", r3.Err())
			}
		})
	}
}
