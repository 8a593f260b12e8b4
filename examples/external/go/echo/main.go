// Maelstrom's echo: answer every echo with the same text.
package main

import (
	"encoding/json"

	"ftsimnode"
)

func main() {
	ftsimnode.Run(func(n *ftsimnode.Node) {
		n.Handle("echo", func(msg ftsimnode.Message) error {
			var body map[string]any
			if err := json.Unmarshal(msg.Body, &body); err != nil {
				return err
			}
			body["type"] = "echo_ok"
			return n.Reply(msg, body)
		})
	})
}
