// Command hello is the baseline of the load benchmarks: a bare Fiber app, of
// the same Fiber version as pcmt, on 127.0.0.1. It answers GET / with
// "hello" (bench/run.sh measures the landing page against it) and, with
// -body FILE, GET /range/* with that file's bytes as text/plain: the ceiling
// of the HTTP stack for a /range answer of that size (bench/range.sh).
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
}

func run() error {
	port := flag.Int("port", 3100, "port to listen on, on 127.0.0.1")
	bodyFile := flag.String("body", "", "answer GET /range/* with this file's content")
	flag.Parse()
	var body []byte
	if *bodyFile != "" {
		var err error
		if body, err = os.ReadFile(*bodyFile); err != nil {
			return err
		}
	}

	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error {
		return c.SendString("hello")
	})
	app.Get("/range/:prefix", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, "text/plain")
		return c.Send(body)
	})
	return app.Listen(net.JoinHostPort("127.0.0.1", strconv.Itoa(*port)))
}
