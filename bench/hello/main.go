// Command hello is the baseline of bench/run.sh: a bare Fiber app, of the
// same Fiber version as pcmt, that answers GET / with "hello" on 127.0.0.1.
// The landing page is measured against it.
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
	port := flag.Int("port", 3100, "port to listen on, on 127.0.0.1")
	flag.Parse()

	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/", func(c *fiber.Ctx) error {
		return c.SendString("hello")
	})
	if err := app.Listen(net.JoinHostPort("127.0.0.1", strconv.Itoa(*port))); err != nil {
		fmt.Fprintln(os.Stderr, "hello:", err)
		os.Exit(1)
	}
}
