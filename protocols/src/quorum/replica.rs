//! A replica: answers queries with its (timestamp, value) and keeps a stored value when its
//! timestamp is newer. Both live in stable storage, synced before the acknowledgement leaves,
//! so a replica that crashes and recovers never forgets a value it acknowledged.

use ftsim_api::{Ctx, NodeId};

use super::messages::{Host, Msg, Obs};

#[derive(Clone, Debug, Hash)]
pub struct Replica;

impl Replica {
    pub(super) fn on_message(&mut self, ctx: &mut Ctx<'_, impl Host>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Query { tag } => {
                let (ts, value) = (ctx.stable().ts, ctx.stable().value);
                ctx.send(from, Msg::QueryReply { tag, ts, value });
            }
            Msg::Store {
                tag,
                ts,
                value,
                write_back,
            } => {
                if ts > ctx.stable().ts {
                    let stored = ctx.stable_mut();
                    stored.ts = ts;
                    stored.value = value;
                    ctx.sync();
                    if write_back {
                        ctx.observe(Obs::Repaired { ts });
                    }
                }
                ctx.send(from, Msg::StoreAck { tag });
            }
            Msg::QueryReply { .. } | Msg::StoreAck { .. } => {}
        }
    }
}
