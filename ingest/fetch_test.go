package ingest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

func TestFetch(t *testing.T) {
	feed, err := os.ReadFile("testdata/feed.atom.xml")
	if err != nil {
		t.Fatal(err)
	}
	var gotUA string
	mux := http.NewServeMux()
	mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		gotUA = r.Header.Get("User-Agent")
		w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
		w.Write(feed)
	})
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/busy", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 2000)))
	})
	mux.HandleFunc("/big-streamed", func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i < 20; i++ {
			w.Write([]byte(strings.Repeat("x", 100)))
			w.(http.Flusher).Flush() // no Content-Length
		}
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	f := &Fetcher{Client: srv.Client(), MaxBytes: 1000}
	got, err := f.Fetch(context.Background(), srv.URL+"/feed?x=1")
	if err == nil {
		t.Errorf("a %d-byte feed over a 1000-byte cap was fetched", len(feed))
	}
	f.MaxBytes = 0 // the default cap
	got, err = f.Fetch(context.Background(), srv.URL+"/feed")
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Data) != string(feed) || !strings.HasPrefix(got.ContentType, "application/atom+xml") || !strings.HasPrefix(gotUA, "papersift") {
		t.Errorf("got %d bytes, type %q, user agent %q", len(got.Data), got.ContentType, gotUA)
	}

	tests := []struct {
		path    string
		max     int64
		timeout time.Duration
		status  int
		msg     string
		is      error
	}{
		{path: "/missing", status: 404, msg: "the server answered 404 Not Found"},
		{path: "/busy", status: 429, msg: "429 Too Many Requests (retry after 120)"},
		{path: "/big", max: 1000, status: 200, msg: "2,000 bytes announced, over the 1,000 bytes cap", is: ErrTooLarge},
		{path: "/big-streamed", max: 1000, status: 200, msg: "more than the 1,000 bytes cap", is: ErrTooLarge},
		{path: "/slow", timeout: 50 * time.Millisecond, msg: "no complete answer in time", is: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			f := &Fetcher{Client: srv.Client(), MaxBytes: tt.max}
			_, err := f.Fetch(ctx, srv.URL+tt.path)
			var fe *FetchError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *FetchError", err)
			}
			if fe.Status != tt.status || !strings.Contains(err.Error(), tt.msg) || !strings.HasPrefix(err.Error(), srv.URL+tt.path+": ") {
				t.Errorf("error %q status %d; want status %d, the URL and %q", err, fe.Status, tt.status, tt.msg)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
	for _, bad := range []string{"ftp://example.org/x", "https://", "file:///etc/passwd"} {
		if _, err := f.Fetch(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "not an http(s) URL") {
			t.Errorf("Fetch(%q) = %v", bad, err)
		}
	}
}
