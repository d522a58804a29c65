package routes

import (
	"fmt"
	"strconv"
	"strings"

	"rsc.io/qr"

	"pcmt/views"
)

// qrQuietZone is the blank border scanners need around a QR code, in modules.
const qrQuietZone = 4

// qrCode encodes text as a QR code drawn with one SVG path: each run of dark
// modules in a row is one rectangle. Medium error correction keeps an
// otpauth URI at a size phones read easily from a screen.
func qrCode(text string) (views.QRCode, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return views.QRCode{}, fmt.Errorf("qr code: %w", err)
	}
	var b strings.Builder
	for y := range code.Size {
		for x := 0; x < code.Size; {
			if !code.Black(x, y) {
				x++
				continue
			}
			start := x
			for x < code.Size && code.Black(x, y) {
				x++
			}
			w := strconv.Itoa(x - start)
			b.WriteString("M" + strconv.Itoa(start+qrQuietZone) + " " + strconv.Itoa(y+qrQuietZone) + "h" + w + "v1h-" + w + "z")
		}
	}
	return views.QRCode{Size: code.Size + 2*qrQuietZone, Path: b.String()}, nil
}
