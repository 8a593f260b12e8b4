"""Tests of ftsim_node: a node driven line by line as ftsim drives it."""
import io
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from ftsim_node import INCARNATION, MSG_IDS_PER_LIFE, Node, RPCError  # noqa: E402


def init(node_id="n0", seed=7, recovered=False, storage=None, params=None, now_ns=0):
    body = {"type": "init", "msg_id": 0, "node_id": node_id, "node_ids": ["n0", "n1"],
            "ftsim": {"seed": seed, "recovered": recovered, "storage": storage or {},
                      "params": params or {}}}
    return {"src": "ftsim", "dest": node_id, "body": body, "now_ns": now_ns}


def run(setup, inputs):
    """The lines the node prints for `inputs`, one list per step (without "done")."""
    stdin = io.StringIO("".join(json.dumps(i) + "\n" for i in inputs))
    stdout = io.StringIO()
    Node(setup).main(stdin, stdout)
    steps, step = [], []
    for line in stdout.getvalue().splitlines():
        obj = json.loads(line)
        if obj == {"ftsim": "done"}:
            steps.append(step)
            step = []
        else:
            step.append(obj)
    return steps


class NodeTest(unittest.TestCase):
    def test_init_is_answered_and_every_step_ends_with_done(self):
        steps = run(lambda node: None, [init()])
        self.assertEqual(steps, [[{"src": "n0", "dest": "ftsim",
                                   "body": {"type": "init_ok", "in_reply_to": 0}}]])

    def test_handlers_reply_and_unknown_types_get_maelstrom_error_10(self):
        def setup(node):
            node.on("echo", lambda m: node.reply(m, {"type": "echo_ok", "echo": m["body"]["echo"]}))

        echo = {"src": "c1", "dest": "n0", "body": {"type": "echo", "echo": "hi", "msg_id": 4}}
        odd = {"src": "c1", "dest": "n0", "body": {"type": "odd", "msg_id": 5}}
        steps = run(setup, [init(), echo, odd])
        self.assertEqual(steps[1][0]["body"], {"type": "echo_ok", "echo": "hi", "in_reply_to": 4})
        self.assertEqual(steps[2][0]["body"]["code"], 10)

    def test_timers_are_requests_and_fire_as_inputs_with_the_virtual_time(self):
        seen = []

        def setup(node):
            node.set_timer(0.005, lambda: seen.append(node.now_ns))
            cancelled = node.set_timer(1, lambda: seen.append("never"))
            node.cancel_timer(cancelled)

        steps = run(setup, [init(), {"ftsim": "timer", "timer": 1, "now_ns": 5000000},
                            {"ftsim": "timer", "timer": 2, "now_ns": 9}])
        self.assertEqual(steps[0][0], {"ftsim": "set_timer", "timer": 1, "delay_ns": 5000000})
        self.assertEqual(steps[0][2], {"ftsim": "cancel_timer", "timer": 2})
        self.assertEqual(seen, [5000000])

    def test_rpc_callbacks_take_the_reply(self):
        replies = []

        def setup(node):
            node.rpc("n1", {"type": "ping"}, replies.append)

        reply = {"src": "n1", "dest": "n0", "body": {"type": "pong", "in_reply_to": 1}}
        steps = run(setup, [init(), reply])
        self.assertEqual(steps[0][0]["body"], {"type": "ping", "msg_id": 1})
        self.assertEqual(replies, [reply])

    def test_after_a_crash_rpc_ids_start_past_those_of_earlier_lives(self):
        replies = []

        def setup(node):
            node.rpc("n1", {"type": "ping"}, replies.append)

        late = {"src": "n1", "dest": "n0", "body": {"type": "pong", "in_reply_to": 1}}
        steps = run(setup, [init(recovered=True, storage={INCARNATION: 1}), late])
        self.assertEqual(steps[0][:2], [{"ftsim": "write", "key": INCARNATION, "value": 2},
                                       {"ftsim": "sync"}])
        self.assertEqual(steps[0][2]["body"]["msg_id"], 2 * MSG_IDS_PER_LIFE + 1)
        self.assertEqual(replies, [])  # the reply to the earlier life's request 1 is not ours
        fresh = run(setup, [init()])
        self.assertEqual(fresh[0][0]["body"]["msg_id"], 1)

    def test_duration_params_read_in_seconds(self):
        got = []

        def setup(node):
            got.append([node.seconds(k) for k in ("a", "b", "c", "d")])
            with self.assertRaises(ValueError):
                node.seconds("e")

        run(setup, [init(params={"a": "1.5ms", "b": "10s", "c": "250us", "d": "7ns", "e": "3"})])
        self.assertEqual(got, [[0.0015, 10.0, 0.00025, 7e-9]])

    def test_randomness_comes_from_the_seed_and_state_from_init(self):
        draws = []
        run(lambda node: draws.append(node.random.random()), [init(seed=3), init(seed=3), init(seed=4)])
        self.assertEqual(draws[0], draws[1])
        self.assertNotEqual(draws[0], draws[2])

    def test_storage_survives_as_init_gives_it_and_writes_are_requests(self):
        got = []

        def setup(node):
            got.append((node.recovered, dict(node.storage), node.params))
            node.write("term", 3)
            node.sync()
            node.observe("decide", 1)

        steps = run(setup, [init(recovered=True, storage={"term": 2}, params={"rounds": 2})])
        self.assertEqual(got, [(True, {"term": 2, INCARNATION: 1}, {"rounds": 2})])
        self.assertEqual(steps[0][2:5], [{"ftsim": "write", "key": "term", "value": 3},
                                       {"ftsim": "sync"},
                                       {"ftsim": "observe", "kind": "decide", "value": 1}])

    def test_a_handler_raising_rpc_error_answers_with_it(self):
        def setup(node):
            def fail(msg):
                raise RPCError(20, "key does not exist")
            node.on("read", fail)

        steps = run(setup, [init(), {"src": "c1", "dest": "n0", "body": {"type": "read", "msg_id": 1}}])
        self.assertEqual(steps[1][0]["body"]["code"], 20)

    def test_init_without_the_extension_is_refused(self):
        plain = init()
        del plain["body"]["ftsim"]
        with self.assertRaises(SystemExit):
            run(lambda node: None, [plain])


if __name__ == "__main__":
    unittest.main()
