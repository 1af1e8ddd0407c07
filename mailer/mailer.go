// Package mailer sends a digest by mail: one message with a plain-text and
// an HTML part, through an SMTP server (STARTTLS, TLS, or a plain local
// relay), with github.com/wneessen/go-mail.
package mailer

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Security is how the connection to the server is protected.
const (
	StartTLS = "starttls" // upgrade a plain connection (port 587); required, never skipped
	TLS      = "tls"      // TLS from the start (port 465)
	None     = "none"     // a plain connection: only for a relay on this machine
)

// Server is an SMTP server and the account papersift sends as.
type Server struct {
	Host     string
	Port     int    // default: 587 for starttls, 465 for tls, 25 for none
	Security string // StartTLS (default), TLS or None
	User     string // empty: no authentication
	Password string // never printed or logged; sent to Host only
	Timeout  time.Duration
	// TLSConfig, when set, is used for TLS (tests trust their own server's
	// certificate with it).
	TLSConfig *tls.Config
}

// Message is what is sent.
type Message struct {
	From    string
	To      []string
	Subject string
	Text    string // the plain-text part
	HTML    string // the HTML part
	Date    time.Time
}

// ErrConfig is a server or message that cannot be used as configured.
var ErrConfig = errors.New("mail is not configured")

// Check fails a server or message that cannot work, saying what to set.
func Check(s Server, m Message) error {
	switch {
	case strings.TrimSpace(s.Host) == "":
		return fmt.Errorf("%w: no SMTP host: set [mail] host in the configuration file", ErrConfig)
	case m.From == "":
		return fmt.Errorf("%w: no sender: set [mail] from in the configuration file", ErrConfig)
	case len(m.To) == 0:
		return fmt.Errorf("%w: no recipient: set [mail] to in the configuration file", ErrConfig)
	case s.Port < 0 || s.Port > 65535:
		return fmt.Errorf("%w: [mail] port %d is not a port", ErrConfig, s.Port)
	}
	switch s.Security {
	case "", StartTLS, TLS, None:
	default:
		return fmt.Errorf("%w: [mail] security %q: use starttls, tls or none", ErrConfig, s.Security)
	}
	if s.User != "" && s.Password == "" {
		return fmt.Errorf("%w: [mail] user is set but no password: set PAPERSIFT_SMTP_PASSWORD", ErrConfig)
	}
	// the addresses too, before the work whose result is to be mailed
	if _, err := mail.ParseAddress(m.From); err != nil {
		return fmt.Errorf("%w: [mail] from %q is not one address (like \"papersift <me@example.org>\"): %v", ErrConfig, m.From, err)
	}
	for _, to := range m.To {
		if _, err := mail.ParseAddress(to); err != nil {
			return fmt.Errorf("%w: [mail] to %q is not one address (give each recipient apart: to = [\"a@example.org\", \"b@example.org\"]): %v", ErrConfig, to, err)
		}
	}
	return nil
}

// Reach checks that the server accepts connections, before the work whose
// result is to be mailed: a wrong host or port fails at once.
func Reach(ctx context.Context, s Server) error {
	port := s.Port
	if port == 0 {
		port = map[string]int{TLS: 465, None: 25}[s.Security]
		if port == 0 {
			port = 587
		}
	}
	d := net.Dialer{Timeout: 10 * time.Second}
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(s.Host, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("mail through %s:%d: %v (check [mail] host and port, and that the server is up)", s.Host, port, err)
	}
	return c.Close()
}

// Send sends m through s. Errors name the server, never the password.
func Send(ctx context.Context, s Server, m Message) error {
	if err := Check(s, m); err != nil {
		return err
	}
	msg := gomail.NewMsg()
	if err := msg.From(m.From); err != nil {
		return fmt.Errorf("%w: sender %q: %v", ErrConfig, m.From, err)
	}
	if err := msg.To(m.To...); err != nil {
		return fmt.Errorf("%w: recipients %q: %v", ErrConfig, strings.Join(m.To, ", "), err)
	}
	msg.Subject(m.Subject)
	if !m.Date.IsZero() {
		msg.SetDateWithValue(m.Date)
	} else {
		msg.SetDate()
	}
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	opts := []gomail.Option{}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts = append(opts, gomail.WithTimeout(timeout))
	port := s.Port
	switch s.Security {
	case TLS:
		opts = append(opts, gomail.WithSSL())
		if port == 0 {
			port = 465
		}
	case None:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
		if port == 0 {
			port = 25
		}
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		if port == 0 {
			port = 587
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if s.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(s.TLSConfig))
	}
	if s.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.User), gomail.WithPassword(s.Password))
	}
	c, err := gomail.NewClient(s.Host, opts...)
	if err != nil {
		return fmt.Errorf("mail through %s:%d: %v", s.Host, port, redact(err, s.User, s.Password))
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg := redact(err, s.User, s.Password)
		hint := "check [mail] host, port and security, and that the server is up"
		if authFailed(msg) {
			hint = "check [mail] user and the password (PAPERSIFT_SMTP_PASSWORD)"
		}
		return fmt.Errorf("mail through %s:%d: %v (%s)", s.Host, port, msg, hint)
	}
	return nil
}

// redact removes the password from a message, should a server echo it:
// the password whole (however short), every part of it of 8 bytes or more,
// and the base64 forms AUTH PLAIN and LOGIN send it in.
func redact(err error, user, password string) string {
	msg := err.Error()
	if password == "" {
		return msg
	}
	var forms []string
	for _, f := range []string{"\x00" + user + "\x00" + password, user + "\x00" + password, password} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
			forms = append(forms, enc.EncodeToString([]byte(f)))
		}
	}
	forms = append(forms, password)
	for _, f := range forms {
		msg = strings.ReplaceAll(msg, f, redacted)
	}
	// parts of it: every run of msg made of 8-byte pieces of the password
	const part = 8
	if len(password) > part {
		hide := make([]bool, len(msg))
		for i := 0; i+part <= len(msg); i++ {
			if strings.Contains(password, msg[i:i+part]) {
				for j := i; j < i+part; j++ {
					hide[j] = true
				}
			}
		}
		var b strings.Builder
		for i := 0; i < len(msg); i++ {
			if !hide[i] {
				b.WriteByte(msg[i])
				continue
			}
			b.WriteString(redacted)
			for i+1 < len(msg) && hide[i+1] {
				i++
			}
		}
		msg = b.String()
	}
	return msg
}

const redacted = "[redacted]"

// authFailed reports whether an SMTP error is a refused login (535, 534,
// 530 with authentication).
func authFailed(msg string) bool {
	// (not "auth" alone: "certificate signed by unknown authority")
	return strings.Contains(msg, "535") || strings.Contains(msg, "534") || strings.Contains(strings.ToLower(msg), "authentication")
}
