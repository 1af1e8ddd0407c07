package mailer

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/papersift/papersift/internal/smtptest"
)

func TestSendMultipart(t *testing.T) {
	srv, err := smtptest.Start("reader@example.org", "s3cret-password")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	s := Server{Host: srv.Host, Port: srv.Port, Security: StartTLS, User: srv.User, Password: srv.Password, TLSConfig: srv.Client, Timeout: 5 * time.Second}
	m := Message{From: "papersift <reader@example.org>", To: []string{"reader@example.org"}, Subject: "papersift: 2026-08-21",
		Text: "# 2026-08-21\n\n1. A paper\n", HTML: "<h1>2026-08-21</h1><ol><li>A paper</li></ol>", Date: time.Date(2026, 8, 21, 7, 0, 0, 0, time.UTC)}
	if err := Send(context.Background(), s, m); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].User != "reader@example.org" || got[0].To[0] != "reader@example.org" {
		t.Fatalf("received %+v", got)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(got[0].Data)))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Subject") != m.Subject {
		t.Errorf("subject %q", msg.Header.Get("Subject"))
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q (%v)", msg.Header.Get("Content-Type"), err)
	}
	parts := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts[ct] = string(b) // multipart.Reader decodes quoted-printable
	}
	if !strings.Contains(parts["text/plain"], "1. A paper") || !strings.Contains(parts["text/html"], "<li>A paper</li>") {
		t.Errorf("parts %q", parts)
	}
	if strings.Contains(string(got[0].Data), "s3cret-password") {
		t.Errorf("the password is in the message")
	}
}

func TestSendFailures(t *testing.T) {
	srv, err := smtptest.Start("reader@example.org", "right")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	m := Message{From: "a@example.org", To: []string{"b@example.org"}, Subject: "s", Text: "t"}
	ctx := context.Background()
	// a wrong password: refused, and the error does not show it
	err = Send(ctx, Server{Host: srv.Host, Port: srv.Port, User: srv.User, Password: "wrong-password-123", TLSConfig: srv.Client, Timeout: 5 * time.Second}, m)
	if err == nil || strings.Contains(err.Error(), "wrong-password-123") || !strings.Contains(err.Error(), srv.Host) {
		t.Errorf("a wrong password: %v", err)
	}
	// nothing listening
	err = Send(ctx, Server{Host: "127.0.0.1", Port: 1, Timeout: 2 * time.Second}, m)
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("an unreachable server: %v", err)
	}
	// a certificate it does not trust: STARTTLS is required, never skipped
	err = Send(ctx, Server{Host: srv.Host, Port: srv.Port, User: srv.User, Password: srv.Password, Timeout: 5 * time.Second}, m)
	if err == nil {
		t.Errorf("an untrusted certificate was accepted")
	}
	for _, c := range []struct {
		s Server
		m Message
	}{
		{Server{}, m}, {Server{Host: "h"}, Message{To: []string{"x"}}}, {Server{Host: "h"}, Message{From: "x"}},
		{Server{Host: "h", Security: "ssl3"}, m}, {Server{Host: "h", User: "u"}, m},
	} {
		if err := Send(ctx, c.s, c.m); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v %+v: %v, want ErrConfig", c.s, c.m, err)
		}
	}
}
