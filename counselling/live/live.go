// Package live carries live chats between browsers: the frames of the chat
// protocol, the hub that fans a chat's frames out to everyone connected to it,
// and who of the staff is available for live chat. What a chat is, who may read
// and write in it, and how its messages are stored is the domain's and the
// store's; this package only moves frames and keeps presence in memory.
package live

import (
	"encoding/json"
	"time"
)

// Frame types. Every WebSocket message is one JSON frame with a type, so that
// later kinds (call signalling) are new types on the same connection.
const (
	// From the browser.
	TypeHello  = "hello"  // Last: the last seq the browser saw; sent first on every (re)connect
	TypeSend   = "send"   // ID, Body: a new message, numbered by the browser
	TypeTyping = "typing" // the sender is typing; never stored
	TypeEnd    = "end"    // end the chat

	// From the server.
	TypeMessage = "msg"   // Seq, ID, Body, From, Author, At: a stored message
	TypeAck     = "ack"   // ID, Seq: the browser's message is stored
	TypeState   = "state" // Status, Place: the chat waits (at Place), runs or ended
	TypeError   = "error" // Body: what went wrong, in the reader's language
	TypeQueue   = "queue" // the live queue changed (to staff on the queue page)
	TypeGone    = "gone"  // the counsellor's page is gone; the chat goes back to the queue
)

// Frame is one message of the chat protocol, either way.
type Frame struct {
	Type   string `json:"type"`
	ID     string `json:"id,omitempty"`   // the browser's number of a message
	Seq    int64  `json:"seq,omitempty"`  // the chat's number of a stored message
	Last   int64  `json:"last,omitempty"` // hello: the last seq seen
	Body   string `json:"body,omitempty"`
	From   string `json:"from,omitempty"` // "seeker" or "counsellor"
	Author string `json:"author,omitempty"`
	At     string `json:"at,omitempty"` // RFC 3339
	Status string `json:"status,omitempty"`
	Place  int    `json:"place,omitempty"`
	// Call carries call signalling (see signal.go).
	Call *Call `json:"call,omitempty"`
	// Sender tells a typing indicator's own connection from the others'; it
	// is the sending connection's id and never leaves the server.
	Sender uint64 `json:"-"`
}

// Sides of a chat, as frames name them.
const (
	FromSeeker     = "seeker"
	FromCounsellor = "counsellor"
)

// Decode reads a frame a browser sent. Unknown fields are ignored; an unknown
// type is the caller's to refuse.
func Decode(data []byte) (Frame, error) {
	var f Frame
	err := json.Unmarshal(data, &f)
	return f, err
}

// Time formats a time for a frame.
func Time(t time.Time) string { return t.UTC().Format(time.RFC3339) }
