package relaytest

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/saferef/saferef/protocol"
	"github.com/saferef/saferef/server"
)

// ProxyConn is one connection through a Proxy, as a hook sees it.
type ProxyConn struct {
	mu     sync.Mutex
	device [16]byte // set once the client sends Auth
}

// Device returns the device the connection authenticated as (zero before
// it sends Auth, or for an admin tool, which never authenticates).
func (pc *ProxyConn) Device() [16]byte {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.device
}

// Hook sees every frame through a Proxy: toClient says which way it is
// going. It returns the frame to pass on (f itself, a changed frame, or
// nil to drop it) and a frame to answer the sender with instead (nil for
// none): this is how a test turns an honest relay into a hostile one that
// withholds, freezes or drops.
type Hook func(pc *ProxyConn, toClient bool, f protocol.Frame) (forward, reply protocol.Frame)

// Proxy is a websocket handler that sits in front of a real relay at
// upstream (its ws:// URL) and passes every frame through Hook.
type Proxy struct {
	t        testing.TB
	upstream string
	hook     Hook
	upgrader websocket.Upgrader
}

// NewProxy returns a proxy in front of the relay at upstream.
func NewProxy(t testing.TB, upstream string, hook Hook) *Proxy {
	return &Proxy{t: t, upstream: upstream, hook: hook,
		upgrader: websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}}
}

// ServeHTTP relays one websocket connection frame by frame.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, server.ConnectPath) {
		http.NotFound(w, r)
		return
	}
	down, err := p.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer down.Close()
	up, _, err := websocket.DefaultDialer.Dial(p.upstream+server.ConnectPath, nil)
	if err != nil {
		return
	}
	defer up.Close()
	pc := &ProxyConn{}
	var downMu, upMu sync.Mutex
	write := func(c *websocket.Conn, mu *sync.Mutex, f protocol.Frame) error {
		b, err := protocol.Encode(f)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		return c.WriteMessage(websocket.BinaryMessage, b)
	}
	pump := func(from, to *websocket.Conn, toMu, fromMu *sync.Mutex, toClient bool) {
		defer from.Close()
		defer to.Close()
		for {
			_, b, err := from.ReadMessage()
			if err != nil {
				return
			}
			f, err := protocol.Decode(b)
			if err != nil {
				// Not for the hook: pass it on as it is.
				toMu.Lock()
				err = to.WriteMessage(websocket.BinaryMessage, b)
				toMu.Unlock()
				if err != nil {
					return
				}
				continue
			}
			if a, ok := f.(*protocol.Auth); ok && !toClient {
				pc.mu.Lock()
				pc.device = a.Device
				pc.mu.Unlock()
			}
			fwd, reply := p.hook(pc, toClient, f)
			if fwd != nil {
				if err := write(to, toMu, fwd); err != nil {
					return
				}
			}
			if reply != nil {
				if err := write(from, fromMu, reply); err != nil {
					return
				}
			}
		}
	}
	done := make(chan struct{})
	go func() { pump(up, down, &downMu, &upMu, true); close(done) }()
	pump(down, up, &upMu, &downMu, false)
	<-done
}
