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
	"time"

	"github.com/gofiber/fiber/v2"
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
	ln       net.Listener
	redirect *http.Server
	redirLn  net.Listener
	url      string
}

// New opens the listeners the configuration asks for. Nothing is served
// until Run.
func New(cfg *config.Config, app *fiber.App, log *slog.Logger) (*Server, error) {
	s := &Server{app: app, log: log}
	tlsConf, redirect, err := tlsSetup(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr())
	if err != nil {
		return nil, fmt.Errorf("server: listen on %s: %w", cfg.Addr(), err)
	}
	scheme := "http"
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
		scheme = "https"
	}
	s.ln = ln
	s.url = scheme + "://" + displayHost(cfg.Host, ln.Addr())

	if redirect != nil {
		addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.HTTP.RedirectPort))
		rl, err := net.Listen("tcp", addr)
		if err != nil {
			ln.Close()
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
	}
	return s, nil
}

// URL is where the app answers, with the port actually bound.
func (s *Server) URL() string { return s.url }

// Addr is the address of the main listener.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// RedirectAddr is the address of the plain-HTTP redirect listener, nil when
// there is none.
func (s *Server) RedirectAddr() net.Addr {
	if s.redirLn == nil {
		return nil
	}
	return s.redirLn.Addr()
}

// Run serves until ctx ends, then stops taking connections and waits up to
// ShutdownTimeout for in-flight requests to finish.
func (s *Server) Run(ctx context.Context) error {
	errc := make(chan error, 2)
	go func() { errc <- s.app.Listener(s.ln) }()
	if s.redirect != nil {
		go func() {
			if err := s.redirect.Serve(s.redirLn); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("server: redirect listener: %w", err)
			}
		}()
	}
	s.log.Info("listening", "url", s.url)

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	s.log.Info("shutting down: finishing in-flight requests", "timeout", ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	var errs []error
	if serveErr != nil {
		errs = append(errs, fmt.Errorf("server: %w", serveErr))
	}
	if s.redirect != nil {
		errs = append(errs, s.redirect.Shutdown(shutdownCtx))
	}
	if err := s.app.ShutdownWithContext(shutdownCtx); err != nil {
		errs = append(errs, fmt.Errorf("server: shutdown: %w", err))
	}
	return errors.Join(errs...)
}

// tlsSetup returns the TLS configuration of the main listener and the
// handler of the redirect listener, both nil when serving plain HTTP.
func tlsSetup(cfg *config.Config) (*tls.Config, http.Handler, error) {
	switch {
	case cfg.HTTP.AutoTLS:
		m := &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			HostPolicy: autocert.HostWhitelist(cfg.HTTP.Domain),
			Cache:      autocert.DirCache(AutocertDir(cfg)),
		}
		conf := m.TLSConfig()
		conf.MinVersion = tls.VersionTLS12
		return conf, m.HTTPHandler(redirectHandler(cfg)), nil
	case cfg.HTTP.TLSCertPath != "":
		cert, err := tls.LoadX509KeyPair(cfg.HTTP.TLSCertPath, cfg.HTTP.TLSKeyPath)
		if err != nil {
			return nil, nil, fmt.Errorf("server: HTTP.TLSCertPath/HTTP.TLSKeyPath: %w", err)
		}
		conf := &tls.Config{
			MinVersion:   tls.VersionTLS12,
			Certificates: []tls.Certificate{cert},
			NextProtos:   []string{"http/1.1"},
		}
		return conf, redirectHandler(cfg), nil
	}
	return nil, nil, nil
}

// AutocertDir is where certificates from Let's Encrypt are cached: beside
// the database, so one volume keeps both.
func AutocertDir(cfg *config.Config) string {
	return filepath.Join(filepath.Dir(cfg.Database.Path), "autocert")
}

// redirectHandler sends every plain-HTTP request to the same path on HTTPS.
func redirectHandler(cfg *config.Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := cfg.HTTP.Domain
		if host == "" {
			h, _, err := net.SplitHostPort(r.Host)
			if err != nil {
				h = r.Host
			}
			host = h
		}
		if cfg.Port != 443 {
			host = net.JoinHostPort(host, strconv.Itoa(cfg.Port))
		}
		w.Header().Set("Connection", "close")
		http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), http.StatusMovedPermanently)
	})
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
