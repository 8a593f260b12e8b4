package ftsimnode

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func initLine(seed int64, recovered bool, storage string) string {
	return `{"src":"ftsim","dest":"n0","now_ns":0,"body":{"type":"init","msg_id":0,"node_id":"n0",` +
		`"node_ids":["n0","n1"],"ftsim":{"seed":` + itoa(seed) + `,"recovered":` + btoa(recovered) +
		`,"storage":` + storage + `,"params":{"rounds":2}}}}`
}

func itoa(i int64) string { b, _ := json.Marshal(i); return string(b) }
func btoa(b bool) string  { r, _ := json.Marshal(b); return string(r) }

// run drives a node with inputs and returns what it printed per step (without "done").
func run(t *testing.T, setup func(*Node), inputs ...string) [][]map[string]any {
	t.Helper()
	var out bytes.Buffer
	n := New(setup, &out)
	if err := n.Serve(strings.NewReader(strings.Join(inputs, "\n") + "\n")); err != nil {
		t.Fatal(err)
	}
	var steps [][]map[string]any
	var step []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("not JSON: %s", line)
		}
		if obj["ftsim"] == "done" {
			steps = append(steps, step)
			step = nil
		} else {
			step = append(step, obj)
		}
	}
	return steps
}

func TestInitIsAnsweredAndUnknownTypesGetError10(t *testing.T) {
	setup := func(n *Node) {
		n.Handle("echo", func(msg Message) error {
			var body map[string]any
			json.Unmarshal(msg.Body, &body)
			body["type"] = "echo_ok"
			return n.Reply(msg, body)
		})
	}
	steps := run(t, setup, initLine(1, false, "{}"),
		`{"src":"c1","dest":"n0","body":{"type":"echo","echo":"hi","msg_id":4}}`,
		`{"src":"c1","dest":"n0","body":{"type":"odd","msg_id":5}}`,
		`{"src":"n1","dest":"n0","body":{"type":"odd_ok","in_reply_to":9}}`)
	if body := steps[0][0]["body"].(map[string]any); body["type"] != "init_ok" || body["in_reply_to"] != 0.0 {
		t.Fatalf("init: %v", steps[0])
	}
	if body := steps[1][0]["body"].(map[string]any); body["echo"] != "hi" || body["in_reply_to"] != 4.0 {
		t.Fatalf("echo: %v", steps[1])
	}
	if body := steps[2][0]["body"].(map[string]any); body["code"] != 10.0 {
		t.Fatalf("odd: %v", steps[2])
	}
	if len(steps[3]) != 0 {
		t.Fatalf("an error answered a message that is not a request: %v", steps[3])
	}
}

func TestTimersAreRequestsAndFireAsInputs(t *testing.T) {
	var seen []time.Duration
	var node *Node
	setup := func(n *Node) {
		node = n
		n.SetTimer(5*time.Millisecond, func() { seen = append(seen, node.Now()) })
		n.CancelTimer(n.SetTimer(time.Second, func() { t.Fatal("cancelled timer fired") }))
	}
	steps := run(t, setup, initLine(1, false, "{}"),
		`{"ftsim":"timer","timer":1,"now_ns":5000000}`, `{"ftsim":"timer","timer":2,"now_ns":9}`)
	if steps[0][0]["ftsim"] != "set_timer" || steps[0][0]["delay_ns"] != 5e6 || steps[0][2]["ftsim"] != "cancel_timer" {
		t.Fatalf("requests: %v", steps[0])
	}
	if len(seen) != 1 || seen[0] != 5*time.Millisecond {
		t.Fatalf("fired: %v", seen)
	}
}

func TestRPCCallbacksTakeTheReply(t *testing.T) {
	var replies []Message
	setup := func(n *Node) {
		n.RPC("n1", map[string]any{"type": "ping"}, func(m Message) error {
			replies = append(replies, m)
			return nil
		})
	}
	steps := run(t, setup, initLine(1, false, "{}"),
		`{"src":"n1","dest":"n0","body":{"type":"pong","in_reply_to":1}}`)
	if body := steps[0][0]["body"].(map[string]any); body["msg_id"] != 1.0 {
		t.Fatalf("rpc: %v", steps[0])
	}
	if len(replies) != 1 || replies[0].Src != "n1" {
		t.Fatalf("replies: %v", replies)
	}
}

func TestAfterACrashRPCIDsStartPastThoseOfEarlierLives(t *testing.T) {
	var replies []Message
	setup := func(n *Node) {
		n.RPC("n1", map[string]any{"type": "ping"}, func(m Message) error {
			replies = append(replies, m)
			return nil
		})
	}
	steps := run(t, setup, initLine(1, true, `{"ftsim_node.incarnation":1}`),
		`{"src":"n1","dest":"n0","body":{"type":"pong","in_reply_to":1}}`)
	if steps[0][0]["key"] != Incarnation || steps[0][0]["value"] != 2.0 || steps[0][1]["ftsim"] != "sync" {
		t.Fatalf("incarnation: %v", steps[0])
	}
	if body := steps[0][2]["body"].(map[string]any); body["msg_id"] != float64(2<<32+1) {
		t.Fatalf("rpc: %v", steps[0])
	}
	if len(replies) != 0 {
		t.Fatalf("the reply to the earlier life's request 1 reached this life: %v", replies)
	}
}

func TestRandomnessStorageAndParamsComeFromInit(t *testing.T) {
	var draws []int64
	var seen []string
	setup := func(n *Node) {
		draws = append(draws, n.Rand().Int63())
		seen = append(seen, string(n.Storage()["term"])+" "+string(n.Params()["rounds"])+" "+btoa(n.Recovered()))
		n.Write("term", 3)
		n.Sync()
		n.Observe("decide", 1)
	}
	steps := run(t, setup, initLine(3, false, "{}"), initLine(3, true, `{"term":2}`), initLine(4, false, "{}"))
	if draws[0] != draws[1] || draws[0] == draws[2] {
		t.Fatalf("draws: %v", draws)
	}
	if seen[1] != "2 2 true" {
		t.Fatalf("seen: %v", seen)
	}
	if steps[0][0]["ftsim"] != "write" || steps[0][1]["ftsim"] != "sync" || steps[0][2]["kind"] != "decide" {
		t.Fatalf("requests: %v", steps[0])
	}
}

func TestInitWithoutTheExtensionIsRefused(t *testing.T) {
	n := New(func(*Node) {}, &bytes.Buffer{})
	err := n.Step([]byte(`{"src":"c0","dest":"n0","body":{"type":"init","msg_id":0,"node_id":"n0","node_ids":["n0"]}}`))
	if err == nil || !strings.Contains(err.Error(), "extension") {
		t.Fatalf("err: %v", err)
	}
}
