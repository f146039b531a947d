package blobs

import (
	"errors"
	"io"
	"sync"
)

// smallObject is the size up to which an upload of unknown length is held
// in memory and sent as one PUT. Sent as it streams, an object of unknown
// length goes up in parts: three requests (start, part, complete) and the
// S3 server's assembly of the parts, for what is mostly a PDF of a few
// hundred KiB, and the S3 client holds a buffer of partSize for it anyway.
const smallObject = partSize

// chunkSize is the unit the head of an upload is held in, so that a small
// file holds little more than its size, and chunks go back to a pool.
const chunkSize = 256 << 10

var chunkPool = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

// head is the first bytes of an upload, in pooled chunks. It reads and
// seeks as one byte slice would, so the S3 client can send it again on a
// retry.
type head struct {
	chunks []*[]byte
	size   int64
	off    int64
}

// fill reads r until it ends or more than limit bytes came. It reports
// whether r ended, that is whether the head is the whole object.
func (h *head) fill(r io.Reader, limit int64) (bool, error) {
	for h.size <= limit {
		if h.size == int64(len(h.chunks))*chunkSize {
			h.chunks = append(h.chunks, chunkPool.Get().(*[]byte))
		}
		c := *h.chunks[len(h.chunks)-1]
		n, err := r.Read(c[h.size%chunkSize:])
		h.size += int64(n)
		if errors.Is(err, io.EOF) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
	}
	return false, nil
}

// release gives the chunks back; the head is empty afterwards.
func (h *head) release() {
	for _, c := range h.chunks {
		chunkPool.Put(c)
	}
	*h = head{}
}

func (h *head) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("blobs: negative offset")
	}
	n := 0
	for n < len(p) && off < h.size {
		c := *h.chunks[off/chunkSize]
		end := min(int64(chunkSize), h.size-off/chunkSize*chunkSize)
		m := copy(p[n:], c[off%chunkSize:end])
		n += m
		off += int64(m)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (h *head) Read(p []byte) (int, error) {
	if h.off >= h.size {
		return 0, io.EOF
	}
	n, err := h.ReadAt(p, h.off)
	h.off += int64(n)
	if errors.Is(err, io.EOF) && n > 0 {
		err = nil
	}
	return n, err
}

func (h *head) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += h.off
	case io.SeekEnd:
		offset += h.size
	}
	if offset < 0 {
		return 0, errors.New("blobs: seek before the start")
	}
	h.off = offset
	return offset, nil
}
