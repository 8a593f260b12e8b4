// Package ftsimnode writes an ftsim node in Go, in the shape of Maelstrom's Go library.
//
// A node reads JSON messages on stdin and writes them on stdout, as in Jepsen's Maelstrom.
// Under ftsim it also speaks a small extension that makes every run reproducible: each input
// carries the virtual time, each step ends with {"ftsim": "done"}, and timers, randomness and
// durable storage come from ftsim. This package speaks it for you:
//
//	ftsimnode.Run(func(n *ftsimnode.Node) {
//		n.Handle("echo", func(msg ftsimnode.Message) error {
//			var body map[string]any
//			if err := json.Unmarshal(msg.Body, &body); err != nil {
//				return err
//			}
//			body["type"] = "echo_ok"
//			return n.Reply(msg, body)
//		})
//	})
//
// The setup function runs at every init: at the start, at a restart after a crash
// (n.Recovered(), with n.Storage() as it survived) and when ftsim reuses the program for
// another seed. Keep the node's state in it (variables its handlers close over), never in
// package variables. Determinism asks: no goroutines, no time.Now, no randomness but n.Rand().
package ftsimnode

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"os"
	"time"
)

// Message is a Maelstrom message; Body is its JSON body.
type Message struct {
	Src  string          `json:"src"`
	Dest string          `json:"dest"`
	Body json.RawMessage `json:"body"`
}

// HandlerFunc handles a message; returning an *RPCError answers the request with it.
type HandlerFunc func(msg Message) error

// RPCError is a Maelstrom error reply (code 10: not supported, 20: key does not exist…).
type RPCError struct {
	Code int
	Text string
}

func (e *RPCError) Error() string { return fmt.Sprintf("error %d: %s", e.Code, e.Text) }

// Node is one node: its handlers, timers, randomness and storage, reset at every init.
type Node struct {
	setup     func(*Node)
	out       *bufio.Writer
	id        string
	nodeIDs   []string
	nowNs     uint64
	recovered bool
	storage   map[string]json.RawMessage
	params    map[string]json.RawMessage
	rng       *rand.Rand
	handlers  map[string]HandlerFunc
	notices   map[string]func(string)
	callbacks map[uint64]HandlerFunc
	timers    map[uint64]func()
	nextMsgID uint64
	nextTimer uint64
}

// Run reads inputs from stdin until it closes, one step per line, calling setup at every init.
func Run(setup func(*Node)) {
	n := New(setup, os.Stdout)
	if err := n.Serve(os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// New is a node writing to out; Serve or Step drive it.
func New(setup func(*Node), out io.Writer) *Node {
	n := &Node{setup: setup, out: bufio.NewWriter(out)}
	n.reset()
	return n
}

// ID is this node's name ("n0").
func (n *Node) ID() string { return n.id }

// NodeIDs are the names of every node.
func (n *Node) NodeIDs() []string { return n.nodeIDs }

// Now is the virtual time since the run began.
func (n *Node) Now() time.Duration { return time.Duration(n.nowNs) }

// Recovered says whether the node restarts after a crash.
func (n *Node) Recovered() bool { return n.recovered }

// Storage is the durable storage as it survived (read it; write with Write).
func (n *Node) Storage() map[string]json.RawMessage { return n.storage }

// Params are the scenario's [params].
func (n *Node) Params() map[string]json.RawMessage { return n.params }

// Rand is the node's randomness, seeded by ftsim.
func (n *Node) Rand() *rand.Rand { return n.rng }

// Handle calls h for messages of this body type.
func (n *Node) Handle(typ string, h HandlerFunc) { n.handlers[typ] = h }

// OnSuspect calls f when the failure detector starts suspecting a node.
func (n *Node) OnSuspect(f func(node string)) { n.notices["suspect"] = f }

// OnRestore calls f when the failure detector trusts a node again.
func (n *Node) OnRestore(f func(node string)) { n.notices["restore"] = f }

// Send sends body (anything that marshals to a JSON object with a "type") to dest.
func (n *Node) Send(dest string, body any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return n.emit(Message{Src: n.id, Dest: dest, Body: raw})
}

// Reply answers request with body, setting in_reply_to.
func (n *Node) Reply(request Message, body any) error {
	var req struct {
		MsgID *uint64 `json:"msg_id"`
	}
	if err := json.Unmarshal(request.Body, &req); err != nil {
		return err
	}
	fields, err := object(body)
	if err != nil {
		return err
	}
	fields["in_reply_to"] = req.MsgID
	return n.Send(request.Src, fields)
}

// RPC sends body with a fresh msg_id; h runs when the reply comes.
func (n *Node) RPC(dest string, body any, h HandlerFunc) error {
	fields, err := object(body)
	if err != nil {
		return err
	}
	n.nextMsgID++
	fields["msg_id"] = n.nextMsgID
	n.callbacks[n.nextMsgID] = h
	return n.Send(dest, fields)
}

// SetTimer runs f after d of virtual time and returns the timer's id.
func (n *Node) SetTimer(d time.Duration, f func()) uint64 {
	n.nextTimer++
	n.timers[n.nextTimer] = f
	if d < 0 {
		d = 0
	}
	n.request(map[string]any{"ftsim": "set_timer", "timer": n.nextTimer, "delay_ns": uint64(d)})
	return n.nextTimer
}

// Every runs f every period of virtual time, from now on.
func (n *Node) Every(period time.Duration, f func()) uint64 {
	var tick func()
	tick = func() {
		f()
		n.SetTimer(period, tick)
	}
	return n.SetTimer(period, tick)
}

// CancelTimer cancels a timer (nothing happens if it fired already).
func (n *Node) CancelTimer(id uint64) {
	if _, ok := n.timers[id]; ok {
		delete(n.timers, id)
		n.request(map[string]any{"ftsim": "cancel_timer", "timer": id})
	}
}

// Observe tells ftsim's properties what the node did: ("decide", 3).
func (n *Node) Observe(kind string, value any) {
	n.request(map[string]any{"ftsim": "observe", "kind": kind, "value": value})
}

// Write writes durable storage (nil deletes): it survives a crash.
func (n *Node) Write(key string, value any) error {
	if value == nil {
		delete(n.storage, key)
	} else {
		raw, err := json.Marshal(value)
		if err != nil {
			return err
		}
		n.storage[key] = raw
	}
	n.request(map[string]any{"ftsim": "write", "key": key, "value": value})
	return nil
}

// Sync makes the writes so far durable before what the node sends next.
func (n *Node) Sync() { n.request(map[string]any{"ftsim": "sync"}) }

// Serve reads inputs until in closes, one step per line.
func (n *Node) Serve(in io.Reader) error {
	scanner := bufio.NewScanner(in)
	scanner.Buffer(make([]byte, 64<<10), 64<<20)
	for scanner.Scan() {
		if len(scanner.Bytes()) == 0 {
			continue
		}
		if err := n.Step(scanner.Bytes()); err != nil {
			return err
		}
		n.out.WriteString("{\"ftsim\":\"done\"}\n")
		if err := n.out.Flush(); err != nil {
			return err
		}
	}
	return scanner.Err()
}

type input struct {
	Ftsim string          `json:"ftsim"`
	Timer uint64          `json:"timer"`
	Node  string          `json:"node"`
	NowNs *uint64         `json:"now_ns"`
	Src   string          `json:"src"`
	Dest  string          `json:"dest"`
	Body  json.RawMessage `json:"body"`
}

// Step handles one input line (a message, a timer or a notice).
func (n *Node) Step(line []byte) error {
	var in input
	if err := json.Unmarshal(line, &in); err != nil {
		return fmt.Errorf("ftsimnode: an input that is not JSON: %w", err)
	}
	if in.NowNs != nil {
		n.nowNs = *in.NowNs
	}
	switch in.Ftsim {
	case "timer":
		if f, ok := n.timers[in.Timer]; ok {
			delete(n.timers, in.Timer)
			f()
		}
		return nil
	case "suspect", "restore":
		if f, ok := n.notices[in.Ftsim]; ok {
			f(in.Node)
		}
		return nil
	}
	msg := Message{Src: in.Src, Dest: in.Dest, Body: in.Body}
	var head struct {
		Type      string  `json:"type"`
		InReplyTo *uint64 `json:"in_reply_to"`
	}
	if err := json.Unmarshal(in.Body, &head); err != nil {
		return fmt.Errorf("ftsimnode: a message whose body is not an object: %w", err)
	}
	if head.Type == "init" {
		return n.init(msg)
	}
	if head.InReplyTo != nil {
		if h, ok := n.callbacks[*head.InReplyTo]; ok {
			delete(n.callbacks, *head.InReplyTo)
			return h(msg)
		}
	}
	h, ok := n.handlers[head.Type]
	var err error
	if ok {
		err = h(msg)
	} else {
		err = &RPCError{Code: 10, Text: fmt.Sprintf("unsupported message type %q", head.Type)}
	}
	var request struct {
		MsgID *uint64 `json:"msg_id"`
	}
	json.Unmarshal(in.Body, &request)
	if rpc, isRPC := err.(*RPCError); isRPC {
		if request.MsgID == nil {
			return nil // not a request: nobody waits for the error (as in Maelstrom)
		}
		return n.Reply(msg, map[string]any{"type": "error", "code": rpc.Code, "text": rpc.Text})
	}
	return err
}

func (n *Node) init(msg Message) error {
	var body struct {
		NodeID  string   `json:"node_id"`
		NodeIDs []string `json:"node_ids"`
		Ftsim   *struct {
			Seed      int64                      `json:"seed"`
			Recovered bool                       `json:"recovered"`
			Storage   map[string]json.RawMessage `json:"storage"`
			Params    map[string]json.RawMessage `json:"params"`
		} `json:"ftsim"`
	}
	if err := json.Unmarshal(msg.Body, &body); err != nil {
		return err
	}
	if body.Ftsim == nil {
		return fmt.Errorf("ftsimnode: init without ftsim's extension: run this node under ftsim")
	}
	now := n.nowNs
	n.reset()
	n.nowNs = now
	n.id = body.NodeID
	n.nodeIDs = body.NodeIDs
	n.recovered = body.Ftsim.Recovered
	for k, v := range body.Ftsim.Storage {
		n.storage[k] = v
	}
	for k, v := range body.Ftsim.Params {
		n.params[k] = v
	}
	n.rng = rand.New(rand.NewSource(body.Ftsim.Seed))
	if n.recovered {
		if err := n.newIncarnation(); err != nil {
			return err
		}
	}
	n.setup(n)
	return n.Reply(msg, map[string]any{"type": "init_ok"})
}

// Incarnation is the storage key that counts a node's lives (restarts after a crash).
const Incarnation = "ftsim_node.incarnation"

// msgIDsPerLife is how many rpc ids one life has: life k uses k * msgIDsPerLife onwards.
const msgIDsPerLife = 1 << 32

// newIncarnation starts rpc ids past every id an earlier life used, so that a late reply to
// a request sent before the crash never reaches a callback of this life. The count of lives
// is kept in storage (synced), under Incarnation.
func (n *Node) newIncarnation() error {
	var lives uint64
	if raw, ok := n.storage[Incarnation]; ok {
		if err := json.Unmarshal(raw, &lives); err != nil {
			return fmt.Errorf("ftsimnode: storage %q is not a count: %v", Incarnation, err)
		}
	}
	lives++
	if err := n.Write(Incarnation, lives); err != nil {
		return err
	}
	n.Sync()
	n.nextMsgID = lives * msgIDsPerLife
	return nil
}

func (n *Node) emit(msg Message) error {
	raw, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	n.out.Write(raw)
	n.out.WriteByte('\n')
	return nil
}

func (n *Node) request(fields map[string]any) {
	raw, err := json.Marshal(fields)
	if err != nil {
		panic(err)
	}
	n.out.Write(raw)
	n.out.WriteByte('\n')
}

func (n *Node) reset() {
	n.id = ""
	n.nodeIDs = nil
	n.nowNs = 0
	n.recovered = false
	n.storage = map[string]json.RawMessage{}
	n.params = map[string]json.RawMessage{}
	n.rng = rand.New(rand.NewSource(0))
	n.handlers = map[string]HandlerFunc{}
	n.notices = map[string]func(string){}
	n.callbacks = map[uint64]HandlerFunc{}
	n.timers = map[uint64]func(){}
	n.nextMsgID = 0
	n.nextTimer = 0
}

// object is body as a JSON object's fields.
func object(body any) (map[string]any, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	var fields map[string]any
	decoder := json.NewDecoder(bytes.NewReader(raw))
	decoder.UseNumber() // integers above 2^53 stay exact
	if err := decoder.Decode(&fields); err != nil {
		return nil, fmt.Errorf("ftsimnode: a body that is not a JSON object: %w", err)
	}
	return fields, nil
}
