package main

import (
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := client().Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestMetricsOnTheirOwnAddress: the metrics are served on --metrics-addr and
// count the office's requests there, while the office's public address knows
// no /metrics at all.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := free.Addr().String()
	free.Close()
	r := start(t, filepath.Join(t.TempDir(), "data"), "--metrics-addr", addr)

	if status, _ := get(t, r.url+"/healthz"); status != http.StatusOK {
		t.Fatalf("healthz: %d", status)
	}
	if status, body := get(t, r.url+"/metrics"); status != http.StatusNotFound || strings.Contains(body, "confidant_") {
		t.Fatalf("the public address answers /metrics: %d", status)
	}
	status, body := get(t, "http://"+addr+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("metrics address: %d", status)
	}
	for _, want := range []string{
		`confidant_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`confidant_http_requests_total{method="GET",route="-",status="404"} 1`,
		`confidant_mail_queue_threads 0`,
		`confidant_outbox_backlog{channel="push"} 0`,
		`confidant_live_connections 0`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	if status, _ := get(t, "http://"+addr+"/healthz"); status != http.StatusNotFound {
		t.Errorf("the metrics address serves the office: %d", status)
	}
}
