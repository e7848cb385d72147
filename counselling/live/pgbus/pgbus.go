// Package pgbus carries live frames between the nodes of an office that share
// one PostgreSQL: a live.Hub whose frames reach the subscribers of every node.
//
// A frame is delivered to the publishing node's own subscribers at once, and
// written, sealed under master.key, to the table live_events, whose number
// (seq) a NOTIFY on the channel confidant_live carries to the other nodes.
// The notification holds that number and nothing else: never a topic, a
// text or a call's description. Each node keeps one connection of its own
// that LISTENs; on a notification, and every few seconds in any case, it
// reads the events after the last it has seen, by number, and delivers those
// of other nodes to its subscribers. When the connection is lost it connects
// again and reads on from where it was, so a frame published meanwhile still
// arrives; and as frames are only nudges (every chat message is stored before
// it is published), each chat's pages on the node are nudged to catch up from
// the store after a reconnect as well.
package pgbus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"confidant/counselling/live"
	"confidant/counselling/vault"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Channel is the channel of the notifications.
const Channel = "confidant_live"

// Timings. Keep is how long events stay in the table: a node that was
// disconnected for longer catches up from the store instead. Poll is how
// often a node reads the table without a notification, and GapPatience how
// long it waits for an event whose number it skipped (a publishing
// transaction not yet committed) before it gives up on it (one rolled back).
const (
	Keep        = 2 * time.Minute
	Poll        = 2 * time.Second
	GapPatience = 10 * time.Second
	pruneEvery  = 30 * time.Second
	// patience is how long a burst of events waits for a subscriber to
	// make room before the subscriber is dropped (live.LocalHub.Deliver).
	patience = 250 * time.Millisecond
	batch    = 500
)

// Sealer seals and opens the events' frames under the office's master key
// (vault.Keyring).
type Sealer interface {
	SealSystem(plaintext []byte, loc vault.Location) ([]byte, error)
	OpenSystem(ciphertext []byte, loc vault.Location) ([]byte, error)
}

// Bus is a live.Hub across the nodes on one PostgreSQL.
type Bus struct {
	local *live.LocalHub
	pool  *pgxpool.Pool
	dsn   string
	node  string
	seal  Sealer
	log   *slog.Logger

	mu       sync.Mutex
	low      int64          // every event up to low was seen or given up
	seen     map[int64]bool // events above low already seen
	gapSince time.Time      // when the gap after gapAt was first seen
	gapAt    int64
	pruned   time.Time

	// Reconnects counts how often the listening connection was made
	// again, for tests and the log.
	reconnects int
}

// event is what live_events holds, sealed, for one published frame.
type event struct {
	Topic string     `json:"t"`
	Frame live.Frame `json:"f"`
}

// Open connects to the database at dsn as the node named node. Events
// published before Open are not delivered: a node starts from now. Run must
// be called for frames of other nodes to arrive.
func Open(ctx context.Context, dsn, node string, sealer Sealer, log *slog.Logger) (*Bus, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The parser's message would quote the URL, password and all.
		return nil, errors.New("live bus: the database URL is not a valid postgres:// URL")
	}
	cfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("live bus: %w", err)
	}
	b := &Bus{local: live.NewLocalHub(), pool: pool, dsn: dsn, node: node, seal: sealer, log: log, seen: map[int64]bool{}}
	if err := pool.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM live_events`).Scan(&b.low); err != nil {
		pool.Close()
		return nil, fmt.Errorf("live bus: read the last event: %w", err)
	}
	return b, nil
}

// Close closes the bus's connections; Run ends with its context.
func (b *Bus) Close() { b.pool.Close() }

// Subscribe implements live.Hub.
func (b *Bus) Subscribe(topic string, wake func()) *live.Subscription {
	return b.local.Subscribe(topic, wake)
}

// SubscribeBuffered implements live.Hub.
func (b *Bus) SubscribeBuffered(topic string, buffer int) *live.Subscription {
	return b.local.SubscribeBuffered(topic, buffer)
}

// publishTimeout bounds the writing of one event.
const publishTimeout = 5 * time.Second

// Publish implements live.Hub: the node's own subscribers get f at once,
// the other nodes' once the event is committed.
func (b *Bus) Publish(topic string, f live.Frame) {
	b.local.Publish(topic, f)
	ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
	defer cancel()
	if err := b.append(ctx, topic, f); err != nil {
		b.log.Error("live bus: publish", "error", err.Error())
	}
}

func location(id string) vault.Location {
	return vault.Location{Table: "live_events", Column: "payload", Row: id}
}

func (b *Bus) append(ctx context.Context, topic string, f live.Frame) error {
	var raw [16]byte
	rand.Read(raw[:])
	id := hex.EncodeToString(raw[:])
	plain, err := json.Marshal(event{Topic: topic, Frame: f})
	if err != nil {
		return err
	}
	sealed, err := b.seal.SealSystem(plain, location(id))
	if err != nil {
		return err
	}
	tx, err := b.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	// An event is a nudge: the chat message it announces is committed
	// durably in its own transaction. Losing the last few events with the
	// database server is harmless, and not waiting for the disk keeps
	// typing and signalling quick.
	if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
		return err
	}
	var seq int64
	if err := tx.QueryRow(ctx, `INSERT INTO live_events (id, node, payload, created_at) VALUES ($1, $2, $3, $4) RETURNING seq`,
		id, b.node, sealed, time.Now().Unix()).Scan(&seq); err != nil {
		return err
	}
	// The notification carries the event's number only; it is sent when
	// the transaction commits.
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, Channel, strconv.FormatInt(seq, 10)); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Run listens for the other nodes' events until ctx ends, connecting again
// whenever the connection is lost.
func (b *Bus) Run(ctx context.Context) {
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		start := time.Now()
		err := b.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		b.log.Warn("live bus: the listening connection was lost; connecting again", "error", err.Error())
		if time.Since(start) > time.Minute {
			wait = 100 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// listenerName names a node's listening connection in PostgreSQL's list of
// sessions, for the operator (and tests) to tell it from the pools'.
func listenerName(node string) string { return "confidant-live-" + node }

// listen is the life of one listening connection.
func (b *Bus) listen(ctx context.Context) error {
	cfg, err := pgx.ParseConfig(b.dsn)
	if err != nil {
		return errors.New("the database URL is not a valid postgres:// URL")
	}
	cfg.RuntimeParams["application_name"] = listenerName(b.node)
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	b.mu.Lock()
	b.reconnects++
	again := b.reconnects > 1
	b.mu.Unlock()
	// What was published while nobody listened is read now.
	if err := b.catchUp(ctx, conn); err != nil {
		return err
	}
	if again {
		// Events older than Keep are gone from the table; every chat's
		// pages here catch up from the store, where nothing is lost.
		for _, topic := range b.local.Topics(live.ChatTopic("")) {
			b.local.Publish(topic, live.Frame{Type: live.TypeState})
		}
	}
	for {
		wctx, cancel := context.WithTimeout(ctx, Poll)
		_, err := conn.WaitForNotification(wctx)
		cancel()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && !errors.Is(err, context.DeadlineExceeded) && !pgconnTimeout(err) {
			return err
		}
		if conn.IsClosed() {
			return errors.New("connection closed")
		}
		if err := b.catchUp(ctx, conn); err != nil {
			return err
		}
		b.prune(ctx, conn)
	}
}

// pgconnTimeout reports whether err is the timeout of a wait, which leaves
// the connection usable.
func pgconnTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// catchUp delivers the events after the last one seen, in order, skipping
// this node's own.
func (b *Bus) catchUp(ctx context.Context, conn *pgx.Conn) error {
	for {
		b.mu.Lock()
		low := b.low
		b.mu.Unlock()
		rows, err := conn.Query(ctx, `SELECT seq, id, node, payload FROM live_events WHERE seq > $1 ORDER BY seq LIMIT $2`, low, batch)
		if err != nil {
			return err
		}
		type row struct {
			seq     int64
			id      string
			node    string
			payload []byte
		}
		var got []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.seq, &r.id, &r.node, &r.payload); err != nil {
				rows.Close()
				return err
			}
			got = append(got, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range got {
			b.mu.Lock()
			fresh := r.seq > b.low && !b.seen[r.seq]
			if fresh {
				b.seen[r.seq] = true
			}
			b.mu.Unlock()
			if fresh && r.node != b.node {
				b.deliver(r.id, r.payload)
			}
		}
		b.advance(time.Now())
		if len(got) < batch {
			return nil
		}
	}
}

// advance moves low past every event seen in a row. An event number that was
// skipped (its transaction still open, or rolled back) holds low back for
// GapPatience, so that an event committed late is still delivered.
func (b *Bus) advance(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		for b.seen[b.low+1] {
			delete(b.seen, b.low+1)
			b.low++
		}
		if len(b.seen) == 0 {
			b.gapSince = time.Time{}
			return
		}
		if b.gapSince.IsZero() || b.gapAt != b.low {
			b.gapSince, b.gapAt = now, b.low
			return
		}
		if now.Sub(b.gapSince) < GapPatience {
			return
		}
		// Given up: the number was never committed.
		b.low++
		b.gapSince = time.Time{}
	}
}

func (b *Bus) deliver(id string, payload []byte) {
	plain, err := b.seal.OpenSystem(payload, location(id))
	if err != nil {
		b.log.Error("live bus: an event does not open", "error", err.Error())
		return
	}
	var e event
	if err := json.Unmarshal(plain, &e); err != nil {
		b.log.Error("live bus: an event cannot be read", "error", err.Error())
		return
	}
	// Frames from another node carry no sender: a connection of this node
	// never sent them.
	e.Frame.Sender = 0
	b.local.Deliver(e.Topic, e.Frame, patience)
}

// prune deletes events older than Keep, now and then.
func (b *Bus) prune(ctx context.Context, conn *pgx.Conn) {
	now := time.Now()
	b.mu.Lock()
	due := now.Sub(b.pruned) >= pruneEvery
	if due {
		b.pruned = now
	}
	b.mu.Unlock()
	if !due {
		return
	}
	if _, err := conn.Exec(ctx, `DELETE FROM live_events WHERE created_at < $1`, now.Add(-Keep).Unix()); err != nil {
		b.log.Error("live bus: prune", "error", err.Error())
	}
}
