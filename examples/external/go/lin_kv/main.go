// Maelstrom's lin-kv over the lin-kv service: every read, write and cas goes to the service and
// its answer (an error included) goes back to the client, so the node is as linearizable as
// the service.
//
// With --cache the node keeps the values it wrote and read, and answers a read of a key it
// has seen from that cache, sparing a round trip: stale as soon as another node writes the
// key, which the linearizability checker catches.
package main

import (
	"encoding/json"
	"os"

	"ftsimnode"
)

type request struct {
	Key   json.RawMessage `json:"key"`
	Value json.RawMessage `json:"value"`
	To    json.RawMessage `json:"to"`
}

func main() {
	cache := len(os.Args) > 1 && os.Args[1] == "--cache"
	ftsimnode.Run(func(n *ftsimnode.Node) {
		seen := map[string]json.RawMessage{} // key's JSON text -> its value's
		forward := func(msg ftsimnode.Message) error {
			var fields map[string]any
			if err := json.Unmarshal(msg.Body, &fields); err != nil {
				return err
			}
			var req request
			if err := json.Unmarshal(msg.Body, &req); err != nil {
				return err
			}
			key := string(req.Key)
			if value, ok := seen[key]; cache && fields["type"] == "read" && ok {
				return n.Reply(msg, map[string]any{"type": "read_ok", "value": value})
			}
			delete(fields, "msg_id")
			return n.RPC("lin-kv", fields, func(reply ftsimnode.Message) error {
				var answer map[string]any
				if err := json.Unmarshal(reply.Body, &answer); err != nil {
					return err
				}
				switch answer["type"] {
				case "read_ok":
					raw, _ := json.Marshal(answer["value"])
					seen[key] = raw
				case "write_ok":
					seen[key] = req.Value
				case "cas_ok":
					seen[key] = req.To
				}
				delete(answer, "msg_id")
				delete(answer, "in_reply_to")
				return n.Reply(msg, answer)
			})
		}
		for _, kind := range []string{"read", "write", "cas"} {
			n.Handle(kind, forward)
		}
	})
}
