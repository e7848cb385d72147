package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"time"

	"confidant/counselling/live/pgbus"
	"confidant/counselling/vault"
	"confidant/counselling/web"
	"confidant/store"
)

// node is what a serve process shares with the other nodes of its office
// when the office is on PostgreSQL: the bus that carries live events between
// them, and the live state and guessing counts kept in the database. On
// SQLite there is one node, and all of it stays in memory (nil).
type node struct {
	name   string
	bus    *pgbus.Bus
	shared *store.LiveState
	db     *store.DB
}

// joinCluster starts this process's part in an office of several nodes, and
// runs it until ctx ends. It returns nil on SQLite.
func joinCluster(ctx context.Context, database string, db *store.DB, keys *vault.Keyring, logger *slog.Logger) (*node, error) {
	if !db.Postgres() {
		return nil, nil
	}
	n := &node{name: nodeName(), db: db}
	bus, err := pgbus.Open(ctx, database, n.name, keys, logger)
	if err != nil {
		return nil, err
	}
	n.bus = bus
	n.shared = db.LiveState(n.name)
	if err := n.shared.Beat(ctx); err != nil {
		bus.Close()
		return nil, err
	}
	go bus.Run(ctx)
	go func() {
		t := time.NewTicker(store.NodeBeat)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := n.shared.Beat(ctx); err != nil && ctx.Err() == nil {
					logger.Error("node beat", "error", err.Error())
				}
			}
		}
	}()
	return n, nil
}

// nodeName names this process among the office's nodes: the machine's host
// name, so that an operator told which nodes still run knows where to look,
// and a random part, which keeps two processes on one machine (or a
// restarted one) apart.
func nodeName() string {
	var raw [4]byte
	rand.Read(raw[:])
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "node"
	}
	// Short enough that the name of the node's listening connection fits
	// PostgreSQL's 63 characters for an application name.
	if len(host) > 32 {
		host = host[:32]
	}
	return host + "-" + hex.EncodeToString(raw[:])
}

// configure has the web layer use what the nodes share.
func (n *node) configure(c *web.Config) {
	if n == nil {
		return
	}
	c.LiveHub = n.bus
	c.LiveShared = n.shared
	c.Guesses = n.db
}

// close closes the bus's connections once the server has stopped.
func (n *node) close() {
	if n != nil {
		n.bus.Close()
	}
}
