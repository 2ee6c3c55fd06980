package main

import (
	"crypto/rand"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/saferef/saferef/crypto"
	"github.com/saferef/saferef/protocol"
)

// forwarder is the baseline: a bare gorilla/websocket forwarder speaking the
// same frames as the relay, with no store, no signature check and no
// limits. A Send is parsed (outer envelope only, as the relay does),
// written as Deliver to every connection of the mailbox's organisation
// except the sender's, and answered with SendOK; Acks are read and
// dropped.
type forwarder struct {
	orgOf    map[crypto.DeviceID]crypto.OrgID
	upgrader websocket.Upgrader
	srv      *http.Server
	origin   string

	mu    sync.Mutex
	byOrg map[crypto.OrgID][]*fwdConn
}

// fwdConn is one connection: its reader (serve) and one writer goroutine
// fed by a queue, as in derp.
type fwdConn struct {
	ws   *websocket.Conn
	out  chan []byte
	done chan struct{}
}

func (c *fwdConn) write(b []byte) error {
	select {
	case c.out <- b:
		return nil
	case <-c.done:
		return net.ErrClosed
	}
}

func (c *fwdConn) writeLoop() {
	for {
		select {
		case b := <-c.out:
			c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if c.ws.WriteMessage(websocket.BinaryMessage, b) != nil {
				c.ws.Close()
				return
			}
		case <-c.done:
			return
		}
	}
}

func startForwarder(bs *benchScheme) (*forwarder, error) {
	return listenForwarder(bs.orgOf())
}

// listenForwarder starts a forwarder on a loopback port for the devices
// of orgOf.
func listenForwarder(orgOf map[crypto.DeviceID]crypto.OrgID) (*forwarder, error) {
	f := &forwarder{
		orgOf:    orgOf,
		byOrg:    make(map[crypto.OrgID][]*fwdConn),
		upgrader: websocket.Upgrader{ReadBufferSize: 32 << 10, WriteBufferSize: 32 << 10, WriteBufferPool: &sync.Pool{}},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f.origin = "ws://" + ln.Addr().String()
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/connect", f.serve)
	f.srv = &http.Server{Handler: mux}
	go f.srv.Serve(ln)
	return f, nil
}

func (f *forwarder) close() { f.srv.Close() }

func (f *forwarder) serve(w http.ResponseWriter, r *http.Request) {
	ws, err := f.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	c := &fwdConn{ws: ws, out: make(chan []byte, 1024), done: make(chan struct{})}
	defer close(c.done)
	go c.writeLoop()
	var nonce [32]byte
	rand.Read(nonce[:])
	hello, _ := protocol.Encode(&protocol.ServerHello{Nonce: nonce, Origin: f.origin, Time: time.Now().Unix(), LogKey: "bench"})
	if c.write(hello) != nil {
		return
	}
	ws.SetReadLimit(protocol.MaxFrameSize)
	in := frameReader{ws: ws}
	for {
		b, err := in.next()
		if err != nil {
			break
		}
		typ, body, err := frameType(b)
		if err != nil {
			return
		}
		switch typ {
		case protocol.TypeAuth:
			fr, err := protocol.Decode(b)
			if err != nil {
				return
			}
			dev := fr.(*protocol.Auth).Device
			org := f.orgOf[crypto.DeviceID(dev)]
			f.mu.Lock()
			f.byOrg[org] = append(f.byOrg[org], c)
			f.mu.Unlock()
			ok, _ := protocol.Encode(&protocol.AuthOK{Device: dev, Org: [16]byte(org)})
			drained, _ := protocol.Encode(&protocol.Drained{})
			if c.write(ok) != nil || c.write(drained) != nil {
				return
			}
		case protocol.TypeSend:
			env, id, to, err := frameEnvelope(body)
			if err != nil {
				return
			}
			r, err := field(body, "r")
			if err != nil {
				return
			}
			_, req, _, err := head(r)
			if err != nil {
				return
			}
			d := envelopeFrame(protocol.TypeDeliver, 0, env)
			f.mu.Lock()
			recipients := f.byOrg[crypto.OrgID(to)]
			f.mu.Unlock()
			for _, rc := range recipients {
				if rc != c {
					rc.write(d)
				}
			}
			if c.write(sendOKFrame(req, id)) != nil {
				return
			}
		}
	}
}
