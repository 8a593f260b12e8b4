#!/usr/bin/env python3
"""Two-phase commit, as the catalogue's Rust version (protocols/src/twophase): n0 coordinates
one transaction, the others take part. Votes and decisions are logged and synced before they
are sent; every message is sent again until it has an effect; a participant that voted yes
asks the coordinator until it learns the decision; a coordinator that restarts without a
logged decision aborts (presumed abort). With params.participant_log = false participants keep
nothing across a crash (the known bug: one that voted yes aborts on its own after a restart).

Observations: ("vote", yes), ("commit", None), ("abort", reason), the reasons named as in the
Rust protocol: AllYes, NoVote, Timeout, Recovered, Told, NoRecord."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../../libraries/python"))
from ftsim_node import Node  # noqa: E402

COORDINATOR = "n0"


def setup(node):
    log = node.params["participant_log"]
    no_percent = node.params["no_vote_percent"]
    retry = node.seconds("retry")
    retry_limit = node.params["retry_limit"]
    participants = [n for n in node.node_ids if n != COORDINATOR]
    state = {"vote": None, "decision": None, "retries": 0, "votes": {}, "unacked": set()}

    def may_retry(done):
        return retry_limit == 0 or done < retry_limit

    def decide(commit, why, durable=True):
        if state["decision"] is not None:
            return False
        state["decision"] = commit
        if durable:
            node.write("decision", commit)
            node.sync()
        if commit:
            node.observe("commit")
        else:
            node.observe("abort", why)
        return True

    # -- the coordinator ------------------------------------------------------------------

    def coordinator_decide(commit, why):
        if decide(commit, why):
            announce()

    def announce():
        state["unacked"] = set(participants)
        send_decision()
        node.set_timer(retry, coordinator_retry)

    def send_decision():
        for p in sorted(state["unacked"]):
            node.send(p, {"type": "decision", "commit": state["decision"]})

    def coordinator_retry():
        state["retries"] += 1
        if state["decision"] is None:
            for p in participants:
                if p not in state["votes"]:
                    node.send(p, {"type": "prepare"})
        else:
            send_decision()
        pending = state["decision"] is None or state["unacked"]
        if pending and may_retry(state["retries"]):
            node.set_timer(retry, coordinator_retry)

    def on_vote(msg):
        yes = msg["body"]["yes"]
        state["votes"][msg["src"]] = yes
        if not yes:
            coordinator_decide(False, "NoVote")
        elif len(state["votes"]) == len(participants) and all(state["votes"].values()):
            coordinator_decide(True, "AllYes")

    def on_ack(msg):
        state["unacked"].discard(msg["src"])

    def on_query(msg):
        if state["decision"] is not None:
            node.send(msg["src"], {"type": "decision", "commit": state["decision"]})

    # -- a participant --------------------------------------------------------------------

    def participant_decide(commit, why):
        decide(commit, why, durable=log)

    def vote():
        yes = state["decision"] is not False and node.random.randrange(100) >= no_percent
        state["vote"] = yes
        if log:
            node.write("vote", yes)
            node.sync()
        node.observe("vote", yes)
        if not yes:
            participant_decide(False, "NoVote")
        else:
            node.set_timer(retry, participant_retry)
        return yes

    def on_prepare(msg):
        yes = state["vote"] if state["vote"] is not None else vote()
        node.send(msg["src"], {"type": "vote", "yes": yes})

    def on_decision(msg):
        participant_decide(msg["body"]["commit"], "Told")
        node.send(msg["src"], {"type": "ack"})

    def participant_retry():
        if state["vote"] is True and state["decision"] is None:
            node.send(COORDINATOR, {"type": "query"})
            state["retries"] += 1
            if may_retry(state["retries"]):
                node.set_timer(retry, participant_retry)

    # -- start and restart ----------------------------------------------------------------

    if node.id == COORDINATOR:
        node.on("vote", on_vote)
        node.on("ack", on_ack)
        node.on("query", on_query)
        if node.recovered:
            state["decision"] = node.storage.get("decision")
            if state["decision"] is None:
                coordinator_decide(False, "Recovered")
            else:
                announce()
        else:
            for p in participants:
                node.send(p, {"type": "prepare"})
            node.set_timer(node.seconds("vote_timeout"), lambda: coordinator_decide(False, "Timeout"))
            node.set_timer(retry, coordinator_retry)
    else:
        node.on("prepare", on_prepare)
        node.on("decision", on_decision)
        if node.recovered:
            state["vote"] = node.storage.get("vote")
            state["decision"] = node.storage.get("decision")
            if state["decision"] is None:
                if state["vote"] is True:
                    node.send(COORDINATOR, {"type": "query"})
                    node.set_timer(retry, participant_retry)
                else:
                    participant_decide(False, "NoRecord")


Node(setup).main()
