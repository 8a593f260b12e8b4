// Maelstrom's broadcast with gossip: every 50 ms each node sends each neighbour the values it
// has not acknowledged yet, so lost messages and partitions only delay delivery.
package main

import (
	"encoding/json"
	"sort"
	"time"

	"ftsimnode"
)

type values struct {
	Messages []int `json:"messages"`
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
			messages[body.Message] = true
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
			for _, v := range body.Messages {
				messages[v] = true
			}
			return n.Reply(msg, map[string]any{"type": "gossip_ok", "messages": body.Messages})
		})
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
