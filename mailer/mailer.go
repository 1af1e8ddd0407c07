// Package mailer sends a digest by mail: one message with a plain-text and
// an HTML part, through an SMTP server (STARTTLS, TLS, or a plain local
// relay), with github.com/wneessen/go-mail.
package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
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
		return fmt.Errorf("mail through %s:%d: %v", s.Host, port, redact(err, s.Password))
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("mail through %s:%d: %v (check [mail] host, port and security, and that the server is up)", s.Host, port, redact(err, s.Password))
	}
	return nil
}

// redact removes the password from a message, should a server echo it.
func redact(err error, password string) string {
	msg := err.Error()
	if len(password) >= 4 {
		msg = strings.ReplaceAll(msg, password, "[redacted]")
	}
	return msg
}
