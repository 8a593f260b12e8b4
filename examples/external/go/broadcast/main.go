// Maelstrom's broadcast with gossip: every 50 ms each node sends each neighbour the values it
// has not acknowledged yet, so lost messages and partitions only delay delivery.
//
// With --no-retry it forwards each new value once and never again (the naive version that
// Maelstrom's fault-tolerant broadcast catches under partitions).
package main

import (
	"encoding/json"
	"os"
	"sort"
	"time"

	"ftsimnode"
)

type values struct {
	Messages []int `json:"messages"`
	// Set on a gossip that wants an answer (an RPC); a forwarded one has none.
	MsgID *uint64 `json:"msg_id"`
}

// retry: whether the node gossips until acknowledged (the default), or forwards once.
var retry = !hasArg("--no-retry")

func hasArg(flag string) bool {
	for _, arg := range os.Args[1:] {
		if arg == flag {
			return true
		}
	}
	return false
}

func sorted(set map[int]bool, skip map[int]bool) []int {
	out := []int{}
	for v := range set {
		if !skip[v] {
			out = append(out, v)
		}
	}
	sort.Ints(out)
	return out
}

func main() {
	ftsimnode.Run(func(n *ftsimnode.Node) {
		messages := map[int]bool{}
		var neighbours []string
		acked := map[string]map[int]bool{} // per neighbour, the values it acknowledged

		// Adds values; without retries, forwards the new ones once to every neighbour but source.
		learn := func(vs []int, source string) error {
			fresh := map[int]bool{}
			for _, v := range vs {
				if !messages[v] {
					messages[v] = true
					fresh[v] = true
				}
			}
			if retry || len(fresh) == 0 {
				return nil
			}
			for _, m := range neighbours {
				if m == source {
					continue
				}
				body := map[string]any{"type": "gossip", "messages": sorted(fresh, nil)}
				if err := n.Send(m, body); err != nil {
					return err
				}
			}
			return nil
		}

		n.Handle("topology", func(msg ftsimnode.Message) error {
			var body struct {
				Topology map[string][]string `json:"topology"`
			}
			if err := json.Unmarshal(msg.Body, &body); err != nil {
				return err
			}
			neighbours = body.Topology[n.ID()]
			for _, m := range neighbours {
				if acked[m] == nil {
					acked[m] = map[int]bool{}
				}
			}
			return n.Reply(msg, map[string]any{"type": "topology_ok"})
		})
		n.Handle("broadcast", func(msg ftsimnode.Message) error {
			var body struct {
				Message int `json:"message"`
			}
			if err := json.Unmarshal(msg.Body, &body); err != nil {
				return err
			}
			if err := learn([]int{body.Message}, ""); err != nil {
				return err
			}
			return n.Reply(msg, map[string]any{"type": "broadcast_ok"})
		})
		n.Handle("read", func(msg ftsimnode.Message) error {
			return n.Reply(msg, map[string]any{"type": "read_ok", "messages": sorted(messages, nil)})
		})
		n.Handle("gossip", func(msg ftsimnode.Message) error {
			var body values
			if err := json.Unmarshal(msg.Body, &body); err != nil {
				return err
			}
			if err := learn(body.Messages, msg.Src); err != nil {
				return err
			}
			if body.MsgID == nil {
				return nil
			}
			return n.Reply(msg, map[string]any{"type": "gossip_ok", "messages": body.Messages})
		})
		if !retry {
			return
		}
		n.Every(50*time.Millisecond, func() {
			for _, m := range neighbours {
				done := acked[m]
				missing := sorted(messages, done)
				if len(missing) == 0 {
					continue
				}
				n.RPC(m, map[string]any{"type": "gossip", "messages": missing}, func(reply ftsimnode.Message) error {
					var body values
					if err := json.Unmarshal(reply.Body, &body); err != nil {
						return err
					}
					for _, v := range body.Messages {
						done[v] = true
					}
					return nil
				})
			}
		})
	})
}
