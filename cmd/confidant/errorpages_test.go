package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rawExchange writes request to the office byte for byte and reads the answer.
func rawExchange(t *testing.T, base, request string) (*http.Response, string, time.Duration) {
	t.Helper()
	host := strings.TrimPrefix(base, "http://")
	conn, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	io.WriteString(conn, strings.ReplaceAll(request, "HOST", host))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body), time.Since(start)
}

// The running office answers oversized cookies and bodies that declare more
// than they may with its own page in the reader's language, and at once.
func TestServerLimitsAnswerWithTheOfficesPages(t *testing.T) {
	office := start(t, filepath.Join(t.TempDir(), "data"))
	resp, body, _ := rawExchange(t, office.url, "GET / HTTP/1.1\r\nHost: HOST\r\nAccept-Language: de\r\nCookie: other="+
		strings.Repeat("x", 40<<10)+"\r\nConnection: close\r\n\r\n")
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || !strings.Contains(body, `<html lang="de">`) || !strings.Contains(body, "Zu viele Cookies") {
		t.Errorf("a 40 KiB cookie: %d %q, want the office's German page", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, body, took := rawExchange(t, office.url, fmt.Sprintf("POST /register HTTP/1.1\r\nHost: HOST\r\nOrigin: %s\r\nAccept-Language: da\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 99000000000\r\n\r\nnickname=a", office.url))
	if took > 3*time.Second {
		t.Errorf("a declared 99 GB body was held for %s", took)
	}
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, `<html lang="da">`) || !strings.Contains(body, "for langt") {
		t.Errorf("a declared 99 GB body: %d, want the office's Danish page", resp.StatusCode)
	}
}
