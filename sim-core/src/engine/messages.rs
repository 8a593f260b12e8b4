//! A message's way from a handler's send to the receiver's handler: numbering and departure
//! from the sender's wire, a Byzantine sender's tampering, the drop checks at send time, the
//! link's transit (loss, delay, FIFO order, duplication), and at arrival the drop checks at the
//! receiver and the delivery itself.

use std::hash::Hash;

use crate::entropy::{chance, Choices, Draw, Stream};
use crate::message::{DropReason, MsgKey};
use crate::process::{AdversaryCtx, Process};
use crate::time::{Duration, Time};
use crate::trace::TraceKind;
use crate::NodeId;

use super::queue::{Envelope, Ev, Sending};
use super::Engine;

impl<P: Process, C: Choices> Engine<P, C> {
    /// Numbers the message, puts it on the sender's wire and schedules its delivery, unless it
    /// is dropped on the way out. The random draws come in a fixed order: the adversary's, the
    /// send omission, then the link's (loss, delay, duplication).
    pub(super) fn send(&mut self, from: NodeId, to: NodeId, msg: P::Msg) {
        let msg_id = self.next_msg_id;
        self.next_msg_id += 1;
        self.stats.messages_sent += 1;
        // A scripted run's messages leave at once: the script alone says when they arrive.
        let depart = match self.choices.script() {
            Some(_) => self.now,
            None => self.links.depart(from, self.now, &self.nodes.clocks[from]),
        };
        let key = self.links.next_key(from, to);
        let Some(msg) = self.tamper(key, msg_id, depart, msg) else {
            self.dropped(from, to, msg_id, DropReason::Adversary, Some(from));
            return;
        };
        if self.nodes.cut[from] {
            self.dropped(from, to, msg_id, DropReason::SenderCrashed, Some(from));
            return;
        }
        self.trigger_on_send(from, to, depart);
        if let Some(reason) = self.drop_at_send(key) {
            self.dropped(from, to, msg_id, reason, Some(from));
            return;
        }
        if self.choices.script().is_some() {
            self.send_scripted(key, msg_id, msg);
            return;
        }
        let model = self.links.model(from, to);
        let transit = model.transit(key, &mut self.choices);
        if transit.lost {
            self.stats.messages_lost += 1;
            self.stats.last_lost_at = Some(depart);
            self.dropped(from, to, msg_id, DropReason::Loss, Some(from));
            return;
        }
        let delay = self.nodes.clocks[from].stretch(transit.delay);
        let arrival = self.arrival(from, to, depart + delay, model.fifo);
        self.stats.max_transit = self.stats.max_transit.max(arrival.since(self.now));
        let sending = Sending {
            key,
            msg_id,
            depart,
            sender_incarnation: self.nodes.incarnation(from),
            bytes: super::budget::weigh(&msg),
        };
        let envelope = Envelope::new(sending, msg);
        self.account.in_flight_bytes += envelope.bytes();
        match transit.duplicate {
            Some(extra) => self.send_with_duplicate(envelope, arrival, extra, model.fifo),
            None => self.queue.push(arrival, Ev::Deliver(envelope)),
        }
    }

    /// Puts a message of a scripted run in flight until the time its script gives (never, if
    /// it gives none), and a copy for each further arrival it gives (a duplicating link's): no
    /// delay, loss or duplication is drawn, and it leaves its sender's wire at once.
    fn send_scripted(&mut self, key: MsgKey, msg_id: u64, msg: P::Msg) {
        let arrival = |e: &mut Self, copy| e.choices.script().and_then(|s| s.arrival(key, copy));
        let first = arrival(self, 0);
        if let Some(at) = first {
            self.stats.max_transit = self.stats.max_transit.max(at.since(self.now));
        }
        let sending = Sending {
            key,
            msg_id,
            depart: self.now,
            sender_incarnation: self.nodes.incarnation(key.from),
            bytes: super::budget::weigh(&msg),
        };
        let envelope = Envelope::new(sending, msg);
        let mut copy = 1;
        while let Some(at) = arrival(self, copy) {
            self.stats.messages_duplicated += 1;
            let to = key.to;
            self.trace(Some(key.from), || TraceKind::Duplicate { to, msg_id });
            if let Some(t) = &mut self.tracer {
                t.duplicated(msg_id);
            }
            self.account.in_flight_bytes += envelope.bytes();
            self.queue.push(at, Ev::Deliver(envelope.clone()));
            copy += 1;
        }
        self.account.in_flight_bytes += envelope.bytes();
        self.queue
            .push(first.unwrap_or(Time::NEVER), Ev::Deliver(envelope));
    }

    /// Hands the message to the sender's adversary, if the sender is Byzantine, and traces the
    /// send (with the original content when the adversary changed it). `None`: the adversary
    /// suppressed the message.
    fn tamper(&mut self, key: MsgKey, msg_id: u64, depart: Time, msg: P::Msg) -> Option<P::Msg> {
        let (from, to) = (key.from, key.to);
        let original = self.tracer.is_some().then(|| format!("{msg:?}"));
        let msg = match self.nodes.adversaries[from].as_mut() {
            None => Some(msg),
            Some(adversary) => {
                let mut ctx = AdversaryCtx {
                    now: self.now,
                    n: self.n,
                    msg: Some(key),
                    choices: &mut self.choices,
                    byzantine: &self.nodes.byzantine,
                };
                self.tampering = Some(from);
                let msg = adversary.tamper(&mut ctx, from, to, msg);
                self.tampering = None;
                msg
            }
        };
        self.trace_send(from, to, msg_id, depart, msg.as_ref(), original);
        msg
    }

    /// Traces a send, preceded by a Byzantine sender's change to its content. `original` is
    /// the content as the handler sent it, and is `None` exactly when tracing is off.
    fn trace_send(
        &mut self,
        from: NodeId,
        to: NodeId,
        msg_id: u64,
        depart: Time,
        msg: Option<&P::Msg>,
        original: Option<String>,
    ) {
        let Some(original) = original else { return };
        self.tick(from);
        let shown = match msg {
            Some(m) => {
                let now_shown = format!("{m:?}");
                if self.nodes.byzantine[from] && now_shown != original {
                    self.trace(Some(from), || TraceKind::Tamper {
                        to,
                        msg_id,
                        original,
                    });
                }
                now_shown
            }
            None => original,
        };
        self.trace(Some(from), || TraceKind::Send {
            to,
            msg_id,
            msg: shown,
            depart,
        });
        if let Some(t) = &mut self.tracer {
            t.sent(from, msg_id);
        }
    }

    /// Why the message is dropped as it leaves, if it is: a partition between sender and
    /// receiver, or the sender's send omission.
    fn drop_at_send(&mut self, msg: MsgKey) -> Option<DropReason> {
        let (from, to) = (msg.from, msg.to);
        if self.nodes.group[from] != self.nodes.group[to] || self.links.blocked(from, to) {
            return Some(DropReason::Partition);
        }
        let ppm = self.nodes.send_omission_ppm[msg.from];
        if chance(
            &mut self.choices,
            Stream::Network,
            Draw::SendOmission { msg, ppm },
        ) {
            return Some(DropReason::SendOmission);
        }
        None
    }

    /// Schedules the message at `arrival` and a copy `extra` after it departed (never before
    /// the original, and in order on a `fifo` link).
    fn send_with_duplicate(
        &mut self,
        envelope: Envelope<P::Msg>,
        arrival: Time,
        extra: Duration,
        fifo: bool,
    ) {
        let (from, to, msg_id) = (envelope.from(), envelope.to(), envelope.msg_id);
        let again = self.arrival(from, to, (envelope.depart + extra).max(arrival), fifo);
        self.stats.messages_duplicated += 1;
        self.trace(Some(from), || TraceKind::Duplicate { to, msg_id });
        if let Some(t) = &mut self.tracer {
            t.duplicated(msg_id);
        }
        self.account.in_flight_bytes += envelope.bytes();
        let copy = envelope.clone();
        self.queue.push(arrival, Ev::Deliver(envelope));
        self.queue.push(again, Ev::Deliver(copy));
    }

    /// When a message the link would carry by `at` arrives (`fifo` links keep order), counting
    /// it as reordered if it overtakes one sent earlier on the same link.
    fn arrival(&mut self, from: NodeId, to: NodeId, at: Time, fifo: bool) -> Time {
        let (arrival, overtook) = self.links.arrival(from, to, at, fifo);
        self.stats.messages_reordered += u64::from(overtook);
        arrival
    }

    /// A message arrives: it is dropped, or handed to the receiver's handler.
    pub(super) fn deliver(&mut self, envelope: Envelope<P::Msg>) {
        let (from, to, msg_id) = (envelope.from(), envelope.to(), envelope.msg_id);
        self.account.in_flight_bytes -= envelope.bytes();
        self.begin("delivery", Some(to), Some(from), Some(msg_id));
        if let Some(reason) = self.drop_at_delivery(&envelope) {
            self.dropped(from, to, msg_id, reason, Some(to));
            return;
        }
        if self.detector.suspects(to, from)
            && self
                .nodes
                .crashed_before(from, envelope.sender_incarnation, self.now)
        {
            self.stats.late_after_detection += 1;
        }
        if self.trigger_on_delivery(from, msg_id, to, &envelope.msg) {
            self.dropped(from, to, msg_id, DropReason::ReceiverDown, Some(to));
            return;
        }
        let Envelope { msg, .. } = envelope;
        self.stats.messages_delivered += 1;
        msg.hash(&mut self.hash);
        if let Some(t) = &mut self.tracer {
            t.received(to, msg_id);
        }
        self.trace(Some(to), || TraceKind::Deliver {
            from,
            msg_id,
            msg: format!("{msg:?}"),
        });
        self.dispatch(to, |p, ctx| p.on_message(ctx, from, msg));
    }

    /// Why the message is dropped as it arrives, if it is: it was still on the wire when its
    /// sender crashed, the receiver is down, a partition lies between them, or the receiver's
    /// receive omission.
    fn drop_at_delivery(&mut self, envelope: &Envelope<P::Msg>) -> Option<DropReason> {
        let (from, to) = (envelope.from(), envelope.to());
        let (key, now) = (envelope.key(), self.now);
        if let Some(reason) = self.choices.script().and_then(|s| s.dropped(key, now)) {
            return Some(reason);
        }
        if self
            .nodes
            .crashed_before(from, envelope.sender_incarnation, envelope.depart)
        {
            Some(DropReason::SenderCrashed)
        } else if !self.nodes.up[to] {
            Some(DropReason::ReceiverDown)
        } else if self.nodes.group[from] != self.nodes.group[to] || self.links.blocked(from, to) {
            Some(DropReason::Partition)
        } else if chance(
            &mut self.choices,
            Stream::Network,
            Draw::ReceiveOmission {
                msg: envelope.key(),
                ppm: self.nodes.receive_omission_ppm[to],
            },
        ) {
            Some(DropReason::ReceiveOmission)
        } else {
            None
        }
    }

    /// Counts, hashes and traces a lost message; `at` is the node whose timeline shows it.
    fn dropped(
        &mut self,
        from: NodeId,
        to: NodeId,
        msg_id: u64,
        reason: DropReason,
        at: Option<NodeId>,
    ) {
        self.stats.messages_dropped += 1;
        self.hash
            .mix(0xd0 ^ ((reason as u64) << 8) ^ (msg_id << 16));
        if let Some(t) = &mut self.tracer {
            t.dropped(msg_id);
        }
        self.trace(at, || TraceKind::Drop {
            from,
            to,
            msg_id,
            reason,
        });
    }
}
