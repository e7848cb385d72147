package live

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// Hub fans frames out to everyone subscribed to a topic (a chat, or an
// office's live queue). It is an interface so that a hub that reaches the
// other nodes of a cluster can replace the in-memory one without touching
// the handlers. Frames are only a nudge: every message is stored before it
// is published, and a subscriber that misses frames catches up from the
// store, so a hub may drop a slow subscriber.
type Hub interface {
	// Subscribe starts receiving the frames published to topic from now on.
	// wake, when not nil, is called after each frame is queued for the
	// subscriber and when the subscriber is dropped, so that a connection
	// needs no goroutine waiting on the channels while it is idle; it must
	// not block.
	Subscribe(topic string, wake func()) *Subscription
	// SubscribeBuffered is Subscribe with room for buffer frames and no
	// wake, for a node's one reader of a topic that it hands on to many
	// connections (a group call's signalling), where a burst of frames
	// must not cost the whole topic.
	SubscribeBuffered(topic string, buffer int) *Subscription
	// Publish sends f to every subscriber of topic without waiting for any.
	Publish(topic string, f Frame)
}

// SubscriberBuffer is how many frames wait for a subscriber before the hub
// gives up on it. It is small because every idle connection holds one and a
// dropped subscriber loses nothing: frames are only nudges, and its browser
// reconnects and catches up from the store.
const SubscriberBuffer = 8

// Subscription is one subscriber's share of a topic.
type Subscription struct {
	// C delivers the frames.
	C <-chan Frame
	// Dropped is closed when the hub gave up on a subscriber too slow to
	// keep up; its connection should close so that the browser reconnects
	// and catches up from the store.
	Dropped <-chan struct{}

	c       chan Frame
	dropped chan struct{}
	once    sync.Once
	cancel  func()
	wake    func()
}

// Close ends the subscription.
func (s *Subscription) Close() { s.cancel() }

func (s *Subscription) drop() { s.once.Do(func() { close(s.dropped) }) }

// LocalHub is a Hub within one process.
type LocalHub struct {
	mu     sync.Mutex
	topics map[string]map[*Subscription]struct{}
}

// NewLocalHub returns an empty in-memory hub.
func NewLocalHub() *LocalHub {
	return &LocalHub{topics: map[string]map[*Subscription]struct{}{}}
}

// Subscribe implements Hub.
func (h *LocalHub) Subscribe(topic string, wake func()) *Subscription {
	return h.subscribe(topic, wake, SubscriberBuffer)
}

// SubscribeBuffered implements Hub.
func (h *LocalHub) SubscribeBuffered(topic string, buffer int) *Subscription {
	return h.subscribe(topic, nil, buffer)
}

func (h *LocalHub) subscribe(topic string, wake func(), buffer int) *Subscription {
	c := make(chan Frame, buffer)
	s := &Subscription{C: c, c: c, dropped: make(chan struct{}), wake: wake}
	s.Dropped = s.dropped
	s.cancel = func() { h.remove(topic, s) }
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.topics[topic] == nil {
		h.topics[topic] = map[*Subscription]struct{}{}
	}
	h.topics[topic][s] = struct{}{}
	return s
}

func (h *LocalHub) remove(topic string, s *Subscription) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.topics[topic], s)
	if len(h.topics[topic]) == 0 {
		delete(h.topics, topic)
	}
}

// Publish implements Hub. A subscriber whose buffer is full is dropped.
func (h *LocalHub) Publish(topic string, f Frame) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.topics[topic] {
		select {
		case s.c <- f:
		default:
			delete(h.topics[topic], s)
			s.drop()
		}
		if s.wake != nil {
			s.wake()
		}
	}
}

// Deliver is Publish for frames that come in bursts, as those of other nodes
// do: a subscriber whose buffer is full is given up to patience to make room
// before it is dropped, so that a burst (a call's candidates, read from the
// database at once) does not cost a connection that keeps up with one frame
// at a time. It waits, so only a node's one reader of other nodes' frames
// calls it.
func (h *LocalHub) Deliver(topic string, f Frame, patience time.Duration) {
	h.mu.Lock()
	subs := make([]*Subscription, 0, len(h.topics[topic]))
	for s := range h.topics[topic] {
		subs = append(subs, s)
	}
	h.mu.Unlock()
	for _, s := range subs {
		select {
		case s.c <- f:
		default:
			if s.wake != nil {
				s.wake()
			}
			t := time.NewTimer(patience)
			select {
			case s.c <- f:
			case <-t.C:
				h.remove(topic, s)
				s.drop()
			}
			t.Stop()
		}
		if s.wake != nil {
			s.wake()
		}
	}
}

// Topics lists the topics that have subscribers now and start with prefix.
func (h *LocalHub) Topics(prefix string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for t := range h.topics {
		if strings.HasPrefix(t, prefix) {
			out = append(out, t)
		}
	}
	return out
}

// ChatTopic and QueueTopic name the hub's topics.
func ChatTopic(chatID string) string { return "chat:" + chatID }

// QueueTopic is the topic of an office's live queue.
func QueueTopic(officeID int64) string { return "queue:" + strconv.FormatInt(officeID, 10) }
