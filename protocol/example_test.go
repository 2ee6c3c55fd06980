package protocol_test

import (
	"errors"
	"fmt"

	"github.com/saferef/saferef/protocol"
)

func Example() {
	b, err := protocol.Encode(&protocol.SendOK{ReqID: 7, ID: [16]byte{0x30, 0x31}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%x\n", b)

	f, err := protocol.Decode(b)
	if err != nil {
		fmt.Println(err)
		return
	}
	switch f := f.(type) {
	case *protocol.SendOK:
		fmt.Printf("stored envelope %x for request %d\n", f.ID[:2], f.ReqID)
	}

	_, err = protocol.Decode([]byte{0xa3, 0x61, 0x62, 0xa0, 0x61, 0x74, 0x14, 0x61, 0x76, 0x02})
	fmt.Println(errors.Is(err, protocol.ErrVersion), protocol.CodeFor(err))
	// Output:
	// a36162a26172076269645030310000000000000000000000000000617411617601
	// stored envelope 3031 for request 7
	// true unsupported-version
}
