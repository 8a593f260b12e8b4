//! One general. General 0 sends the first messenger ("attack at dawn"); whoever receives
//! messenger n sends messenger n + 1 back, until the chain's last; each messenger goes out
//! `copies` times. At the deadline each general attacks if it received every messenger sent
//! to it, that is, the last one addressed to it.

use ftsim_api::{Ctx, Duration, NodeId, Process};

/// What the generals send each other.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Msg {
    /// The chain's `n`-th messenger: 1 is the plan, every later one acknowledges the one before.
    Messenger { n: u32 },
}

/// What a timer means when it fires.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Timer {
    /// Time to decide.
    Deadline,
}

/// What the properties judge.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Obs {
    /// The general sent messenger `n` (all its copies).
    Send { n: u32 },
    /// The general received messenger `n` of a chain of `last`, for the first time.
    Receive { n: u32, last: u32 },
    /// The general's decision at the deadline.
    Decide { attack: bool },
}

/// Which general a messenger goes to: odd ones to general 1, even ones to general 0.
pub fn addressee(n: u32) -> NodeId {
    (n % 2) as NodeId
}

/// A general's state.
#[derive(Clone, Debug, Hash)]
pub struct General {
    /// The number of messengers in the chain (the rounds plus the plan).
    last: u32,
    copies: u32,
    deadline: Duration,
    /// The highest messenger received.
    received: u32,
    decided: Option<bool>,
}

impl General {
    pub fn new(rounds: u32, copies: u32, deadline: Duration) -> Self {
        General {
            last: rounds + 1,
            copies,
            deadline,
            received: 0,
            decided: None,
        }
    }

    /// The decision, once taken.
    pub fn decided(&self) -> Option<bool> {
        self.decided
    }

    /// The last messenger addressed to general `me` (0 if none is).
    fn last_for(&self, me: NodeId) -> u32 {
        (1..=self.last)
            .rev()
            .find(|&n| addressee(n) == me)
            .unwrap_or(0)
    }

    fn send(&mut self, ctx: &mut Ctx<'_, Self>, n: u32) {
        ctx.observe(Obs::Send { n });
        for _ in 0..self.copies {
            ctx.send(addressee(n), Msg::Messenger { n });
        }
    }
}

impl Process for General {
    type Msg = Msg;
    type Timer = Timer;
    type Obs = Obs;
    type Stable = ();

    fn on_start(&mut self, ctx: &mut Ctx<'_, Self>) {
        ctx.set_timer(self.deadline, Timer::Deadline);
        if ctx.id() == 0 {
            self.send(ctx, 1);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Self>, _: NodeId, msg: Msg) {
        let Msg::Messenger { n } = msg;
        if n <= self.received || self.decided.is_some() {
            return; // a copy already seen, or too late to matter
        }
        self.received = n;
        ctx.observe(Obs::Receive { n, last: self.last });
        if n < self.last {
            self.send(ctx, n + 1);
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Self>, _: Timer) {
        let attack = self.received >= self.last_for(ctx.id());
        self.decided = Some(attack);
        ctx.observe(Obs::Decide { attack });
    }
}
