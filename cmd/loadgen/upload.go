package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"runtime"
	"runtime/debug"
	"time"
)

// multipartBody frames file as the portal's upload form does (a
// question_id part, then the file part) around a reader of its bytes, with
// the exact length known up front: nothing of the file is held in memory.
func multipartBody(qid string, f pdf) (body func() io.Reader, contentType string, length int64) {
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	_ = w.WriteField("question_id", qid)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, f.name))
	h.Set("Content-Type", "application/pdf")
	_, _ = w.CreatePart(h)
	prefix := bytes.Clone(head.Bytes())
	head.Reset()
	_ = w.Close()
	suffix := bytes.Clone(head.Bytes())
	body = func() io.Reader {
		return io.MultiReader(bytes.NewReader(prefix), f.reader(), bytes.NewReader(suffix))
	}
	return body, w.FormDataContentType(), int64(len(prefix)) + f.size + int64(len(suffix))
}

// uploadRequest is one POST of f to the portal API.
func uploadRequest(ctx context.Context, url, qid string, f pdf) (*http.Request, error) {
	body, ctype, n := multipartBody(qid, f)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, body())
	if err != nil {
		return nil, err
	}
	req.ContentLength = n
	req.Header.Set("Content-Type", ctype)
	return req, nil
}

// sha256Of hashes what f.reader gives.
func sha256Of(f pdf) string {
	h := sha256.New()
	_, _ = io.Copy(h, f.reader())
	return hex.EncodeToString(h.Sum(nil))
}

// bigUpload is the result of the -upload-gib run.
type bigUpload struct {
	Bytes        int64   `json:"bytes"`
	Seconds      float64 `json:"seconds"`
	MiBPerSecond float64 `json:"mib_per_second"`
	RSSBeforeMiB float64 `json:"rss_before_mib"`
	RSSPeakMiB   float64 `json:"rss_peak_mib"`
	GrowthMiB    float64 `json:"rss_growth_mib"`
	TargetMiB    float64 `json:"target_growth_mib"`
	SHA256Match  bool    `json:"sha256_match"`
}

// runBigUpload streams one file of size bytes through the portal API and
// reports how much the process's RSS grew meanwhile. The generator, the
// server and the embedded FerretDB share this process, so the growth is
// an upper bound on the server's; the bytes are generated as they are
// sent and never held.
func runBigUpload(ctx context.Context, s *stack, hc *http.Client, l link, qid string, size int64) (bigUpload, error) {
	f := newPDF(0, 0, size)
	want := sha256Of(f)
	runtime.GC()
	debug.FreeOSMemory()
	before, err := procStatus("VmRSS")
	if err != nil {
		return bigUpload{}, err
	}
	rss := startRSS(10 * time.Millisecond)
	req, err := uploadRequest(ctx, s.url+"/api/v1/portal/"+l.Token+"/evidence", qid, f)
	if err != nil {
		return bigUpload{}, err
	}
	req.Header.Set("X-Forwarded-For", "10.99.0.1")
	start := time.Now()
	resp, err := hc.Do(req)
	took := time.Since(start)
	peak := rss.Stop()
	if err != nil {
		return bigUpload{}, fmt.Errorf("uploading %d bytes: %w", size, err)
	}
	defer resp.Body.Close()
	var ev struct {
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ev); err != nil || resp.StatusCode != http.StatusCreated {
		return bigUpload{}, fmt.Errorf("uploading %d bytes: %s (%v)", size, resp.Status, err)
	}
	return bigUpload{
		Bytes: ev.Size, Seconds: took.Seconds(), MiBPerSecond: float64(size) / (1 << 20) / took.Seconds(),
		RSSBeforeMiB: mib(before), RSSPeakMiB: mib(peak), GrowthMiB: mib(peak - before), TargetMiB: 64,
		SHA256Match: ev.SHA256 == want && ev.Size == size,
	}, nil
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }
