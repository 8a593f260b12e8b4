//! The programs nodes are running, per thread: a node holds a ticket, not its program, and
//! takes the program out for a step and puts it back after. A thread keeps at most a bound of
//! them (twice the group's external nodes, at least [`HELD_MIN`]); beyond it, the one used
//! least recently goes back to the pool (`pool`) and its node, at its next step, is rebuilt by
//! re-execution (`history`).
//!
//! So a run keeps its nodes' programs from step to step, as before, while a search, which
//! holds many states and copies nodes, runs a bounded number of programs per thread whatever
//! the number of states it holds. A copy of a node shares its ticket ([`Ticket`]): whichever
//! steps first takes the program, the others are rebuilt; the last holder to go gives it back.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use ftsim_api::command::Command;

use crate::pool;
use crate::program::Program;

/// The fewest programs a thread keeps for its nodes.
pub const HELD_MIN: usize = 8;

/// A program held for a node, and when it was last put back.
struct Held {
    ticket: u64,
    command: Arc<Command>,
    plain: bool,
    program: Program,
    used: u64,
}

#[derive(Default)]
struct Table {
    held: Vec<Held>,
    /// A clock of puts, for the least recently used.
    clock: u64,
}

/// The last ticket given, by any thread. Tickets are never reused, by this thread or
/// another: a search's threads expand one another's states, so a node may hold a ticket put
/// on another thread, which must find nothing here (a table's own count gave such a node
/// another node's program, in another state: a search of Python nodes on two threads then
/// counted one state more now and then).
static TICKETS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static TABLE: RefCell<Table> = RefCell::new(Table::default());
}

/// A claim on a program this thread holds, at the point where a node left it. Each put gives a
/// new ticket, so a ticket found in the table names a program in the state its holders expect.
#[derive(Clone, Debug)]
pub struct Ticket(Arc<u64>);

/// Takes out the program of `ticket`, if this thread still holds it.
pub fn take(ticket: Ticket) -> Option<Program> {
    let number = *ticket.0;
    TABLE
        .try_with(|table| {
            let mut table = table.borrow_mut();
            let at = table.held.iter().position(|h| h.ticket == number)?;
            Some(table.held.swap_remove(at).program)
        })
        .ok()
        .flatten()
}

/// Gives up `ticket`: its program goes back (see [`release`]) if no copy of the node holds the
/// ticket any more.
pub fn give_up(ticket: Ticket) {
    let Some(number) = Arc::into_inner(ticket.0) else {
        return;
    };
    let held = TABLE
        .try_with(|table| {
            let mut table = table.borrow_mut();
            let at = table.held.iter().position(|h| h.ticket == number)?;
            Some(table.held.swap_remove(at))
        })
        .ok()
        .flatten();
    if let Some(held) = held {
        release(&held.command, held.plain, held.program);
    }
}

/// Puts back (or in) `program`, which runs `command` (plain Maelstrom or not), keeping at most
/// `max` programs; the ticket to take it out again.
pub fn put(command: &Arc<Command>, plain: bool, program: Program, max: usize) -> Option<Ticket> {
    let put = TABLE.try_with(|table| {
        let mut table = table.borrow_mut();
        table.clock += 1;
        let ticket = TICKETS.fetch_add(1, Ordering::Relaxed) + 1;
        let used = table.clock;
        table.held.push(Held {
            ticket,
            command: Arc::clone(command),
            plain,
            program,
            used,
        });
        let mut evicted = Vec::new();
        while table.held.len() > max.max(HELD_MIN) {
            let oldest = (0..table.held.len()).min_by_key(|&i| table.held[i].used);
            evicted.extend(oldest.map(|at| table.held.swap_remove(at)));
        }
        (ticket, evicted)
    });
    // A thread that is ending has no table left: the program stops with it.
    let (ticket, evicted) = put.ok()?;
    for held in evicted {
        release(held.command.as_ref(), held.plain, held.program);
    }
    Some(Ticket(Arc::new(ticket)))
}

/// A program no node holds any more: kept for another node of `command` unless it speaks plain
/// Maelstrom (whose every life is a fresh program).
pub fn release(command: &Command, plain: bool, program: Program) {
    if !plain {
        pool::give_back(command, program);
    }
}

/// The process id of the program of `ticket`, if this thread holds it.
pub fn pid(ticket: &Ticket) -> Option<u32> {
    let number = *ticket.0;
    TABLE
        .try_with(|table| {
            let table = table.borrow();
            let held = table.held.iter().find(|h| h.ticket == number)?;
            Some(held.program.pid())
        })
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A program that waits on its stdin, as a node between steps.
    fn program() -> (Arc<Command>, Program) {
        let command = Arc::new(Command::parse("cat").expect("a command"));
        let program = Program::spawn(&command).expect("cat starts");
        (command, program)
    }

    #[test]
    fn a_ticket_put_on_one_thread_finds_nothing_on_another_that_holds_programs_of_its_own() {
        let (command, mine) = program();
        let ticket = put(&command, true, mine, HELD_MIN).expect("a ticket");
        let other = std::thread::spawn(move || {
            let (command, theirs) = program();
            let own = put(&command, true, theirs, HELD_MIN).expect("a ticket");
            let found = take(ticket).is_some();
            give_up(own);
            found
        });
        assert!(
            !other.join().expect("the thread ends"),
            "another thread's program was taken for this one"
        );
    }
}
