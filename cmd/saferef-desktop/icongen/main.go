// Command icongen draws the Saferef app icon (a house inside a shield) and
// writes it as a PNG: go run ./cmd/saferef-desktop/icongen OUT.png
package main

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
)

const size = 512

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: icongen OUT.png")
		os.Exit(2)
	}
	if err := write(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "icongen: error:", err)
		os.Exit(1)
	}
}

func write(path string) error {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	teal := color.NRGBA{0x0b, 0x6e, 0x6e, 0xff}
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	for y := range size {
		for x := range size {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			switch {
			case inHouse(fx, fy):
				img.SetNRGBA(x, y, white)
			case inShield(fx, fy):
				img.SetNRGBA(x, y, teal)
			}
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create icon: %w", err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("encode icon: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write icon: %w", err)
	}
	return nil
}

// inShield: a flat top with rounded shoulders, straight sides, and a
// pointed base made of two arcs.
func inShield(x, y float64) bool {
	const left, right, top, mid = 64.0, 448.0, 40.0, 280.0
	if x < left || x > right || y < top {
		return false
	}
	if y <= mid {
		return true
	}
	// Below mid the width narrows to a point at y=480.
	t := (y - mid) / (480 - mid)
	half := (right - left) / 2 * math.Sqrt(math.Max(0, 1-t*t))
	return math.Abs(x-256) <= half
}

// inHouse: a square body with a triangular roof and a door cut out.
func inHouse(x, y float64) bool {
	roof := y >= 130 && y <= 240 && math.Abs(x-256) <= (y-130)*1.25
	body := x >= 166 && x <= 346 && y >= 235 && y <= 380
	door := x >= 236 && x <= 276 && y >= 310 && y <= 380
	return (roof || body) && !door
}
