//! A lock client: it thinks, requests the lock, holds it a while, releases it, `requests`
//! times; after a restart it first resets its standing with the server, and it answers the
//! server's hello with what it knows.

use ftsim_api::{Ctx, Duration};

use super::messages::{Host, Msg, Obs, Timer, SERVER};
use super::LockServerParams;

/// Thinking before each request lasts 0..=THINK_MS milliseconds.
const THINK_MS: u64 = 10;
/// A critical section lasts 1..=HOLD_MS milliseconds.
const HOLD_MS: u64 = 8;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
enum ClientState {
    /// Restarted: waiting for the server to confirm the reset.
    Resetting,
    #[default]
    Idle,
    Waiting(Option<u64>),
    Holding,
}

#[derive(Clone, Debug, Default, Hash)]
pub struct Client {
    state: ClientState,
    done: u64,
}

impl Client {
    pub(super) fn think(ctx: &mut Ctx<'_, impl Host>) {
        let d = Duration::from_millis(ctx.random_below(THINK_MS + 1));
        ctx.set_timer(d, Timer::Think);
    }

    /// The client restarts (freshly built): it holds nothing, and asks the server to forget
    /// its previous incarnation.
    pub(super) fn restart(&mut self, ctx: &mut Ctx<'_, impl Host>) {
        self.state = ClientState::Resetting;
        ctx.observe(Obs::Restarted);
        ctx.send(SERVER, Msg::Reset);
    }

    /// The answer to the rebooted server's hello: holding or not, waiting or not, and the
    /// ticket it waits with.
    fn reconnect(&self) -> Msg {
        Msg::Reconnect {
            holding: self.state == ClientState::Holding,
            waiting: matches!(self.state, ClientState::Waiting(_)),
            ticket: match self.state {
                ClientState::Waiting(t) => t,
                _ => None,
            },
        }
    }

    /// A message from the server.
    pub(super) fn on_message(&mut self, ctx: &mut Ctx<'_, impl Host>, msg: Msg) {
        match (msg, self.state) {
            (Msg::Welcome, ClientState::Resetting) => {
                self.state = ClientState::Idle;
                Self::think(ctx);
            }
            (Msg::Queued { ticket }, ClientState::Waiting(_)) => {
                self.state = ClientState::Waiting(Some(ticket));
            }
            (Msg::Grant { ticket }, ClientState::Waiting(Some(mine))) if ticket == mine => {
                self.state = ClientState::Holding;
                ctx.observe(Obs::Enter);
                let d = Duration::from_millis(1 + ctx.random_below(HOLD_MS));
                ctx.set_timer(d, Timer::Hold);
            }
            (Msg::Hello, ClientState::Resetting) => ctx.send(SERVER, Msg::Reset),
            (Msg::Hello, _) => ctx.send(SERVER, self.reconnect()),
            // A grant for a request we no longer have (we restarted since): the server hears
            // of our reset and moves on.
            _ => {}
        }
    }

    pub(super) fn on_timer(
        &mut self,
        ctx: &mut Ctx<'_, impl Host>,
        params: &LockServerParams,
        timer: Timer,
    ) {
        match (timer, self.state) {
            (Timer::Think, ClientState::Idle) => {
                self.state = ClientState::Waiting(None);
                ctx.observe(Obs::Request);
                ctx.send(SERVER, Msg::Request);
            }
            (Timer::Hold, ClientState::Holding) => {
                self.state = ClientState::Idle;
                self.done += 1;
                ctx.observe(Obs::Exit);
                ctx.send(SERVER, Msg::Release);
                if self.done < params.requests {
                    Self::think(ctx);
                }
            }
            _ => {}
        }
    }
}
