package mailer

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// A server that echoes the login, whole, in part or encoded, never gets the
// password into a message.
func TestRedactEchoedPassword(t *testing.T) {
	user, pw := "me@example.org", "hunter2-smtp-PASSWORD"
	plain := base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pw))
	login := base64.StdEncoding.EncodeToString([]byte(pw))
	for _, echo := range []string{
		"535 auth failed for " + pw,
		"535 " + plain + " and partial hunter2-smtp, and -PASSWOR",
		"334 " + login,
		"535 the end: " + pw[3:],
	} {
		got := redact(errors.New(echo), user, pw)
		for _, leak := range []string{pw, plain, login, "hunter2-smtp", "smtp-PASSWOR"} {
			if strings.Contains(got, leak) {
				t.Errorf("%q -> %q: %q remains", echo, got, leak)
			}
		}
		if !strings.Contains(got, "[redacted]") {
			t.Errorf("%q -> %q: nothing redacted", echo, got)
		}
	}
	// a short password, whole
	if got := redact(errors.New("535 no: ab1"), "u", "ab1"); strings.Contains(got, "ab1") {
		t.Errorf("short password: %q", got)
	}
	// nothing else is touched
	if got := redact(errors.New("421 try later"), user, pw); got != "421 try later" {
		t.Errorf("got %q", got)
	}
}

// Check refuses what is not one address, before any work.
func TestCheckAddresses(t *testing.T) {
	s := Server{Host: "smtp.example.org"}
	for _, m := range []Message{
		{From: "me@example.org", To: []string{"a@x.org, b@y.org"}},
		{From: "me@example.org", To: []string{""}},
		{From: "me@example.org\r\nBcc: x@y.org", To: []string{"a@x.org"}},
		{From: "not an address", To: []string{"a@x.org"}},
	} {
		if err := Check(s, m); !errors.Is(err, ErrConfig) {
			t.Errorf("%+v: %v, want ErrConfig", m, err)
		}
	}
	if err := Check(s, Message{From: "papersift <me@example.org>", To: []string{"a@x.org", "B <b@y.org>"}}); err != nil {
		t.Errorf("good addresses: %v", err)
	}
}
