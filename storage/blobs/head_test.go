package blobs

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// A head holds what it read byte for byte, tells a whole object from the
// start of a larger one, and reads, seeks and reads at offsets as a byte
// slice would, across chunk boundaries.
func TestHeadFill(t *testing.T) {
	for _, tc := range []struct {
		name        string
		size, limit int64
		whole       bool
	}{
		{"empty", 0, 4 * chunkSize, true},
		{"one byte", 1, 4 * chunkSize, true},
		{"a chunk less one", chunkSize - 1, 4 * chunkSize, true},
		{"a chunk", chunkSize, 4 * chunkSize, true},
		{"a chunk and one", chunkSize + 1, 4 * chunkSize, true},
		{"the limit", 4 * chunkSize, 4 * chunkSize, true},
		{"over the limit", 4*chunkSize + 1, 4 * chunkSize, false},
		{"far over", 9 * chunkSize, 4 * chunkSize, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := make([]byte, tc.size)
			_, _ = rand.Read(data)
			// One byte a read at most: fill must not count on full reads.
			src := iotest.OneByteReader(bytes.NewReader(data))
			if tc.size > 3*chunkSize {
				src = iotest.HalfReader(bytes.NewReader(data))
			}
			h := &head{}
			defer h.release()
			whole, err := h.fill(src, tc.limit)
			if err != nil || whole != tc.whole {
				t.Fatalf("fill = %v, %v; want %v, nil", whole, err, tc.whole)
			}
			if tc.whole && h.size != tc.size || !tc.whole && h.size <= tc.limit {
				t.Fatalf("held %d bytes of %d (limit %d)", h.size, tc.size, tc.limit)
			}
			// The head then the rest is the whole input.
			got, err := io.ReadAll(io.MultiReader(h, src))
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("head and rest: %d bytes (err %v), want the %d sent", len(got), err, len(data))
			}
			// As the S3 client reads it on a retry: seek back, read at offsets.
			if _, err := h.Seek(0, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			sr := io.NewSectionReader(h, 0, h.size)
			again, err := io.ReadAll(sr)
			if err != nil || !bytes.Equal(again, data[:h.size]) {
				t.Fatalf("read again from the start: %d bytes (err %v)", len(again), err)
			}
			if h.size > 2 {
				mid := h.size / 2
				p := make([]byte, h.size-mid+1)
				n, err := h.ReadAt(p, mid)
				if n != int(h.size-mid) || !errors.Is(err, io.EOF) || !bytes.Equal(p[:n], data[mid:h.size]) {
					t.Fatalf("ReadAt past the end = %d, %v; want %d, EOF", n, err, h.size-mid)
				}
			}
		})
	}
}

// A read error while filling is returned as it is, so the caller can tell
// a cut-off or oversized upload from a failure of the store.
func TestHeadFillError(t *testing.T) {
	boom := errors.New("cut off")
	h := &head{}
	defer h.release()
	whole, err := h.fill(io.MultiReader(bytes.NewReader(make([]byte, chunkSize+10)), iotest.ErrReader(boom)), 4*chunkSize)
	if whole || !errors.Is(err, boom) {
		t.Fatalf("fill = %v, %v; want false, the reader's error", whole, err)
	}
}
