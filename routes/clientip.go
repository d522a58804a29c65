package routes

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// proxyList is the set of reverse proxies whose forwarding header is
// believed.
type proxyList struct {
	prefixes []netip.Prefix
}

func parseProxies(list []string) (*proxyList, error) {
	p := &proxyList{}
	for _, s := range list {
		if addr, err := netip.ParseAddr(s); err == nil {
			p.prefixes = append(p.prefixes, netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()))
			continue
		}
		prefix, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("routes: HTTP.TrustedProxies: %q is not an address or CIDR range", s)
		}
		p.prefixes = append(p.prefixes, prefix.Masked())
	}
	return p, nil
}

func (p *proxyList) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, prefix := range p.prefixes {
		if prefix.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP is the address of the client. When the connection comes from a
// trusted proxy, the forwarding header is read from the right, skipping
// trusted proxies, so an address a client wrote into the header itself is
// never taken. All the header's lines make one list, in order: a client
// may send a line of its own before the one its proxy adds.
func (h *Handler) clientIP(c *fiber.Ctx) string {
	remote, ok := netip.AddrFromSlice(c.Context().RemoteIP())
	if !ok {
		return c.Context().RemoteIP().String()
	}
	remote = remote.Unmap()
	header := h.proxyHeader()
	if header == "" || !h.proxies.trusts(remote) {
		return remote.String()
	}
	hops := strings.Split(string(bytes.Join(c.Request().Header.PeekAll(header), []byte(","))), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if host, _, err := net.SplitHostPort(hop); err == nil {
			hop = host
		}
		addr, err := netip.ParseAddr(hop)
		if err != nil {
			break
		}
		if !h.proxies.trusts(addr) {
			return addr.Unmap().String()
		}
		remote = addr.Unmap()
	}
	return remote.String()
}
