package relay

import (
	"context"
	"crypto/ed25519"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/saferef/saferef/protocol"
)

// fakeRelay is a scripted relay: it sends a ServerHello naming origin,
// then hands the connection to script.
func fakeRelay(t *testing.T, origin func(url string) string, script func(t *testing.T, ws *websocket.Conn, hello *protocol.ServerHello)) string {
	t.Helper()
	var url string
	up := websocket.Upgrader{}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != ConnectPath {
			http.NotFound(w, r)
			return
		}
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		hello := &protocol.ServerHello{Nonce: [32]byte{1, 2, 3}, Origin: origin(url), Time: time.Now().Unix()}
		write(t, ws, hello)
		script(t, ws, hello)
	}))
	t.Cleanup(hs.Close)
	url = "ws://" + strings.TrimPrefix(hs.URL, "http://")
	return url
}

func write(t *testing.T, ws *websocket.Conn, f protocol.Frame) {
	b, err := protocol.Encode(f)
	if err != nil {
		t.Errorf("encode: %v", err)
		return
	}
	ws.WriteMessage(websocket.BinaryMessage, b)
}

func read(t *testing.T, ws *websocket.Conn) protocol.Frame {
	_, b, err := ws.ReadMessage()
	if err != nil {
		return nil
	}
	f, err := protocol.Decode(b)
	if err != nil {
		t.Errorf("decode: %v", err)
	}
	return f
}

func same(url string) string { return url }

func TestOriginMismatchRefused(t *testing.T) {
	url := fakeRelay(t, func(string) string { return "wss://evil.example.org" }, func(*testing.T, *websocket.Conn, *protocol.ServerHello) {})
	_, err := Dial(context.Background(), url, nil)
	if !errors.Is(err, ErrOriginMismatch) {
		t.Fatalf("err = %v, want ErrOriginMismatch", err)
	}
}

func TestConversation(t *testing.T) {
	ctx := context.Background()
	pub, priv, _ := ed25519.GenerateKey(nil)
	device := [16]byte{9}
	url := fakeRelay(t, same, func(t *testing.T, ws *websocket.Conn, hello *protocol.ServerHello) {
		auth, ok := read(t, ws).(*protocol.Auth)
		if !ok {
			t.Error("first frame is not Auth")
			return
		}
		if !ed25519.Verify(pub, protocol.AuthMessage(hello.Nonce, hello.Origin, auth.Time, auth.Device), auth.Sig) {
			write(t, ws, &protocol.Error{Code: protocol.CodeAuthFailed, Message: "bad signature", Fatal: true})
			return
		}
		write(t, ws, &protocol.Deliver{Envelope: []byte("envelope one")})
		write(t, ws, &protocol.AuthOK{Device: auth.Device, Org: [16]byte{7}})
		write(t, ws, &protocol.Drained{})
		for {
			switch f := read(t, ws).(type) {
			case nil:
				return
			case *protocol.DirectoryGet:
				if f.Since == 0 {
					write(t, ws, &protocol.Directory{ReqID: f.ReqID, Size: 3, Entries: []protocol.DirectoryEntry{{Index: 0, Object: []byte("a")}, {Index: 1, Object: []byte("b")}}})
				} else {
					write(t, ws, &protocol.Directory{ReqID: f.ReqID, Size: 3, Entries: []protocol.DirectoryEntry{{Index: 2, Object: []byte("c")}}})
				}
			case *protocol.Send:
				if string(f.Envelope) == "dup" {
					write(t, ws, &protocol.Error{Code: protocol.CodeDuplicateEnvelope, Message: "already stored", ReqID: f.ReqID})
				} else {
					write(t, ws, &protocol.SendOK{ReqID: f.ReqID, ID: [16]byte{5}})
				}
			case *protocol.Publish:
				write(t, ws, &protocol.PublishOK{ReqID: f.ReqID, Index: 42})
			case *protocol.Ack:
				write(t, ws, &protocol.Deliver{Envelope: []byte("acked")})
			}
		}
	})
	c, err := Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	org, err := c.Authenticate(ctx, device, priv)
	if err != nil || org != ([16]byte{7}) {
		t.Fatalf("authenticate = %x, %v", org, err)
	}
	entries, err := c.Directory(ctx, 0)
	if err != nil || len(entries) != 3 || string(entries[2].Object) != "c" {
		t.Fatalf("directory = %v, %v", entries, err)
	}
	if id, err := c.Send(ctx, []byte("env")); err != nil || id != ([16]byte{5}) {
		t.Fatalf("send = %x, %v", id, err)
	}
	var pe *protocol.Error
	if _, err := c.Send(ctx, []byte("dup")); !errors.As(err, &pe) || pe.Code != protocol.CodeDuplicateEnvelope {
		t.Fatalf("duplicate send: %v", err)
	}
	if i, err := c.Publish(ctx, []byte("obj")); err != nil || i != 42 {
		t.Fatalf("publish = %d, %v", i, err)
	}
	// The delivery sent before AuthOK was queued, then Drained.
	if ev, err := c.Next(ctx); err != nil || string(ev.Envelope) != "envelope one" {
		t.Fatalf("next = %+v, %v", ev, err)
	}
	if ev, err := c.Next(ctx); err != nil || !ev.Drained {
		t.Fatalf("next = %+v, %v", ev, err)
	}
	if err := c.Ack(ctx, [16]byte{1}); err != nil {
		t.Fatal(err)
	}
	if ev, err := c.Next(ctx); err != nil || string(ev.Envelope) != "acked" {
		t.Fatalf("next after ack = %+v, %v", ev, err)
	}
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := c.Next(cctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("next with nothing queued: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Next(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("next after close: %v", err)
	}
	if _, err := c.Send(ctx, []byte("x")); err == nil {
		t.Fatal("send after close succeeded")
	}
}

func TestAuthRefused(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(nil)
	url := fakeRelay(t, same, func(t *testing.T, ws *websocket.Conn, _ *protocol.ServerHello) {
		read(t, ws)
		write(t, ws, &protocol.Error{Code: protocol.CodeAuthFailed, Message: "unknown device", Fatal: true})
	})
	c, err := Dial(context.Background(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Authenticate(context.Background(), [16]byte{1}, priv)
	var pe *protocol.Error
	if !errors.As(err, &pe) || pe.Code != protocol.CodeAuthFailed {
		t.Fatalf("err = %v", err)
	}
}
