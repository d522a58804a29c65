// Package server runs the Fiber app on its listeners: plain HTTP, HTTPS from
// certificate files, or HTTPS with certificates from Let's Encrypt, plus the
// plain-HTTP listener that redirects to HTTPS. It shuts down gracefully.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"pcmt/config"
)

// ShutdownTimeout bounds how long in-flight requests may take to finish once
// a stop is asked for.
const ShutdownTimeout = 30 * time.Second

// Server is the app and the listeners it runs on.
type Server struct {
	app      *fiber.App
	log      *slog.Logger
	tcp      *acceptListener // the main listener's socket
	ln       net.Listener    // tcp, behind TLS when serving HTTPS
	redirect *http.Server
	redirLn  net.Listener
	url      string
	autocert *autocert.Manager // nil unless HTTP.AutoTLS
}

// New opens the listeners the configuration asks for. Nothing is served
// until Run.
func New(cfg *config.Config, app *fiber.App, log *slog.Logger) (*Server, error) {
	s := &Server{app: app, log: log}
	var tlsConf *tls.Config
	switch {
	case cfg.HTTP.AutoTLS:
		s.autocert = newAutocertManager(cfg)
		tlsConf = autocertTLSConfig(s.autocert)
	case cfg.HTTP.TLSCertPath != "":
		conf, err := fileTLSConfig(cfg)
		if err != nil {
			return nil, err
		}
		tlsConf = conf
	}

	tcp, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return nil, fmt.Errorf("server: listen on %s: %w", cfg.Addr(), err)
	}
	s.tcp = newAcceptListener(tcp)
	s.ln = s.tcp
	scheme := "http"
	if tlsConf != nil {
		s.ln = tls.NewListener(s.tcp, tlsConf)
		scheme = "https"
	}
	s.url = scheme + "://" + displayHost(cfg.Host, tcp.Addr())
	if tlsConf == nil {
		return s, nil
	}

	// The redirect names the port actually bound: Port may be 0.
	var redirect http.Handler = redirectHandler(cfg.HTTP.Domain, tcp.Addr().(*net.TCPAddr).Port)
	if s.autocert != nil {
		redirect = s.autocert.HTTPHandler(redirect)
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.HTTP.RedirectPort))
	rl, err := net.Listen("tcp", addr)
	if err != nil {
		tcp.Close()
		return nil, fmt.Errorf("server: listen on %s for the HTTPS redirect: %w", addr, err)
	}
	s.redirLn = rl
	s.redirect = &http.Server{
		Handler:           redirect,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       30 * time.Second,
	}
	return s, nil
}

// URL is where the app answers, with the port actually bound.
func (s *Server) URL() string { return s.url }

// Addr is the address of the main listener.
func (s *Server) Addr() net.Addr { return s.tcp.Addr() }

// RedirectAddr is the address of the plain-HTTP redirect listener, nil when
// there is none.
func (s *Server) RedirectAddr() net.Addr {
	if s.redirLn == nil {
		return nil
	}
	return s.redirLn.Addr()
}

// Run serves until ctx ends, then stops taking connections and waits up to
// ShutdownTimeout for in-flight requests to finish. It returns once every
// listener is closed.
func (s *Server) Run(ctx context.Context) error {
	appDone := make(chan error, 1)
	go func() { appDone <- s.app.Listener(s.ln) }()
	redirectDone := make(chan error, 1)
	if s.redirect != nil {
		go func() { redirectDone <- s.redirect.Serve(s.redirLn) }()
	}
	s.log.Info("listening", "url", s.url)

	var errs []error
	appRunning, redirectRunning := true, s.redirect != nil
	select {
	case <-ctx.Done():
	case err := <-appDone:
		appRunning = false
		errs = append(errs, stoppedServing(err))
	case err := <-redirectDone:
		redirectRunning = false
		errs = append(errs, fmt.Errorf("server: redirect listener: %w", err))
	}

	s.log.Info("shutting down: finishing in-flight requests", "timeout", ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if s.redirect != nil {
		// Shutdown also stops a Serve that has not started yet.
		if err := s.redirect.Shutdown(shutdownCtx); err != nil {
			errs = append(errs, fmt.Errorf("server: redirect listener: shutdown: %w", err))
		}
		if redirectRunning {
			if err := <-redirectDone; !errors.Is(err, http.ErrServerClosed) {
				errs = append(errs, fmt.Errorf("server: redirect listener: %w", err))
			}
		}
	}
	if appRunning {
		// fasthttp forgets a shutdown asked for before it has registered the
		// listener, and would then serve on: wait until it accepts.
		select {
		case <-s.tcp.accepting:
		case err := <-appDone:
			appRunning = false
			errs = append(errs, stoppedServing(err))
		}
	}
	if err := s.app.ShutdownWithContext(shutdownCtx); err != nil {
		errs = append(errs, fmt.Errorf("server: shutdown: %w", err))
	}
	if appRunning {
		select {
		case err := <-appDone:
			if err != nil {
				errs = append(errs, fmt.Errorf("server: %w", err))
			}
		case <-shutdownCtx.Done():
		}
	}
	return errors.Join(errs...)
}

// stoppedServing is the error of the app's listener returning before it was
// asked to.
func stoppedServing(err error) error {
	if err == nil {
		return errors.New("server: stopped serving")
	}
	return fmt.Errorf("server: stopped serving: %w", err)
}

// acceptListener tells when the first Accept is called, that is once the
// server serving it is running.
type acceptListener struct {
	net.Listener
	once      sync.Once
	accepting chan struct{}
}

func newAcceptListener(ln net.Listener) *acceptListener {
	return &acceptListener{Listener: ln, accepting: make(chan struct{})}
}

func (l *acceptListener) Accept() (net.Conn, error) {
	l.once.Do(func() { close(l.accepting) })
	return l.Listener.Accept()
}

// fileTLSConfig serves the certificate from HTTP.TLSCertPath/TLSKeyPath.
func fileTLSConfig(cfg *config.Config) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(cfg.HTTP.TLSCertPath, cfg.HTTP.TLSKeyPath)
	if err != nil {
		return nil, fmt.Errorf("server: HTTP.TLSCertPath/HTTP.TLSKeyPath: %w", err)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"http/1.1"},
	}, nil
}

// newAutocertManager gets certificates for HTTP.Domain, and for no other
// name, from Let's Encrypt.
func newAutocertManager(cfg *config.Config) *autocert.Manager {
	return &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		HostPolicy: autocert.HostWhitelist(cfg.HTTP.Domain),
		Cache:      autocert.DirCache(AutocertDir(cfg)),
	}
}

// autocertTLSConfig serves m's certificates and answers its tls-alpn-01
// challenges. It leaves out the h2 that autocert offers: fasthttp speaks
// HTTP/1.1 only, and a browser that got h2 would fail every request.
func autocertTLSConfig(m *autocert.Manager) *tls.Config {
	conf := m.TLSConfig()
	conf.MinVersion = tls.VersionTLS12
	conf.NextProtos = []string{"http/1.1", acme.ALPNProto}
	return conf
}

// AutocertDir is where certificates from Let's Encrypt are cached: beside
// the database, so one volume keeps both.
func AutocertDir(cfg *config.Config) string {
	return filepath.Join(filepath.Dir(cfg.Database.Path), "autocert")
}

// redirectHandler sends every plain-HTTP request to the same path and query
// on HTTPS at port, on domain or else the host the request named.
func redirectHandler(domain string, port int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := domain
		if host == "" {
			host = stripPort(r.Host)
		}
		if port != 443 {
			host = net.JoinHostPort(host, strconv.Itoa(port))
		} else if strings.Contains(host, ":") {
			host = "[" + host + "]" // an IPv6 address
		}
		w.Header().Set("Connection", "close")
		http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), http.StatusMovedPermanently)
	})
}

// stripPort returns the host of a Host header, without port or IPv6
// brackets.
func stripPort(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]")
}

func displayHost(host string, addr net.Addr) string {
	_, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}
